// SPDX-License-Identifier: Apache-2.0
/**
 * Waiting for a set of built objects to become ready (fluxcd/pkg `ssa.WaitForSetWithContext`),
 * on the runtime's polling loop ({@link waitForObjects}): the objects in apply order, each one's
 * custom CEL status (`spec.healthCheckExprs`) or kstatus, deleted Jobs with a TTL counting as
 * Current; the outcome becomes Flux's errors: {@link HealthCheckError} on a timeout or (fail-fast)
 * a Failed object, {@link HealthCheckCanceledError} when cancelled (a new source revision: Flux's
 * `HealthCheckCanceled`).
 */
import type { CelStatusEvaluators } from '@eddy/runtime/cel';
import type { Clock } from '@eddy/runtime/clock';
import { waitForObjects, type KStatusResult, type WaitObjectRef, type WaitObjectStatus } from '@eddy/runtime/kstatus';
import { objectId, objMetadataOf } from '../apply/objects.ts';
import { sortObjects } from '../apply/sort.ts';
import type { KubeObject } from '../build/manifests.ts';

/** Reads the current state of an object from the cluster; `undefined` when it does not exist. */
export type ObjectReader = (ref: KubeObject, signal: AbortSignal | undefined) => Promise<KubeObject | undefined>;

/** Options of {@link waitForSet}. */
export interface WaitOptions {
  /** Poll interval. @default 5000 (Flux health checks) */
  intervalMs?: number;
  /** Give up after this long. */
  timeoutMs: number;
  /** Fail as soon as an object is Failed. @default false */
  failFast?: boolean;
  /** Custom health rules (`spec.healthCheckExprs`). */
  cel?: CelStatusEvaluators;
  /** Inventory ids of Jobs with `ttlSecondsAfterFinished`: gone counts as Current. */
  jobsWithTTL?: Set<string>;
  /** Cancels the wait (e.g. a new source revision). */
  signal?: AbortSignal;
  /** Time source. @default realClock */
  clock?: Clock;
}

const BRAND = Symbol.for('eddy.kustomize.HealthCheckError');

/** The health check did not pass (Flux reason `HealthCheckFailed`). */
export class HealthCheckError extends Error {
  readonly [BRAND] = true;
  readonly reason = 'HealthCheckFailed';
  override readonly name = 'HealthCheckError';
  constructor(
    message: string,
    readonly statuses: WaitObjectStatus[],
  ) {
    super(message);
  }
  /** True for any {@link HealthCheckError}, from any copy of this package. */
  static is(err: unknown): err is HealthCheckError {
    return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** The health check was cancelled (Flux reason `HealthCheckCanceled`). */
export class HealthCheckCanceledError extends Error {
  readonly reason = 'HealthCheckCanceled';
  override readonly name = 'HealthCheckCanceledError';
}

/** Returns the Job ids with `spec.ttlSecondsAfterFinished` among built objects (Flux `ExtractJobsWithTTL`). */
export function jobsWithTTL(objects: KubeObject[]): Set<string> {
  const ids = new Set<string>();
  for (const o of objects) {
    const ttl = (o as { spec?: { ttlSecondsAfterFinished?: unknown } }).spec?.ttlSecondsAfterFinished;
    if (o.kind === 'Job' && String(o.apiVersion).startsWith('batch/') && ttl !== undefined && ttl !== null) ids.add(objectId(objMetadataOf(o)));
  }
  return ids;
}

const JOB_GONE: KStatusResult = { status: 'Current', message: 'Job deleted after completion', conditions: [] };

/** A built object with what the wait needs of it. */
type Target = WaitObjectRef & { object: KubeObject; id: string };

function target(object: KubeObject): Target {
  const m = objMetadataOf(object);
  return { apiVersion: String(object.apiVersion ?? ''), kind: m.kind, name: m.name, ...(m.namespace ? { namespace: m.namespace } : {}), object, id: objectId(m) };
}

/**
 * Waits until every object is Current.
 * @throws HealthCheckError on timeout or (fail-fast) failure; HealthCheckCanceledError when cancelled.
 */
export async function waitForSet(objects: KubeObject[], read: ObjectReader, opts: WaitOptions): Promise<void> {
  const { cel, jobsWithTTL: ttl } = opts;
  const out = await waitForObjects(sortObjects(objects).map(target), (t, signal) => read(t.object, signal), {
    timeoutMs: opts.timeoutMs,
    intervalMs: opts.intervalMs ?? 5000,
    failFast: opts.failFast ?? false,
    statusOf: (t, live) => {
      if (!live) return ttl?.has(t.id) ? JOB_GONE : undefined;
      return cel?.supports(live) ? cel.evaluate(live) : undefined;
    },
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  switch (out.result) {
    case 'Current':
      return;
    case 'Canceled':
      throw new HealthCheckCanceledError('health check canceled');
    default:
      throw new HealthCheckError(out.message, out.statuses);
  }
}
