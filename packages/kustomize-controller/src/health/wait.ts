// SPDX-License-Identifier: Apache-2.0
/**
 * Waiting for a set of objects to become ready (fluxcd/pkg `ssa.WaitForSetWithContext`): poll the
 * objects at an interval, compute each one's kstatus (or its custom CEL status), succeed when all
 * are Current, fail on timeout listing the objects that are not, optionally fail fast on a Failed
 * object, and stop when cancelled (a new source revision: Flux's `HealthCheckCanceled`).
 */
import { realClock, type Clock } from '@eddy/runtime/clock';
import { computeStatus, type KStatus, type KStatusResult } from '@eddy/runtime/kstatus';
import { formatSubject, objectId, objMetadataOf } from '../apply/objects.ts';
import { sortObjects } from '../apply/sort.ts';
import type { KubeObject } from '../build/manifests.ts';
import type { CelStatusEvaluators } from '@eddy/runtime/cel';

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
    readonly statuses: Array<{ subject: string; status: KStatus; message: string }>,
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

/** The status of one object, by its custom rule or kstatus. */
export function objectStatus(obj: KubeObject | undefined, cel?: CelStatusEvaluators, clock?: Clock): KStatusResult {
  if (obj && cel?.supports(obj)) return cel.evaluate(obj)!;
  return computeStatus(obj as never, { clock });
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

async function pollOnce(objects: KubeObject[], read: ObjectReader, opts: WaitOptions, clock: Clock): Promise<Array<{ subject: string; r: KStatusResult }>> {
  return Promise.all(
    objects.map(async (o) => {
      const m = objMetadataOf(o);
      const subject = formatSubject(m);
      try {
        const live = await read(o, opts.signal);
        if (!live && opts.jobsWithTTL?.has(objectId(m))) return { subject, r: { status: 'Current' as const, message: 'Job deleted after completion', conditions: [] } };
        return { subject, r: objectStatus(live, opts.cel, clock) };
      } catch (err) {
        if (opts.signal?.aborted) throw err;
        return { subject, r: { status: 'Unknown' as const, message: (err as Error).message, conditions: [] } };
      }
    }),
  );
}

function describe(statuses: Array<{ subject: string; r: KStatusResult }>, pick: (s: KStatus) => boolean): string {
  return statuses
    .filter((s) => pick(s.r.status))
    .map((s) => `${s.subject} status: '${s.r.status}'${s.r.status === 'Unknown' && s.r.message ? `: ${s.r.message}` : ''}`)
    .join(', ');
}

/**
 * Waits until every object is Current.
 * @throws HealthCheckError on timeout or (fail-fast) failure; HealthCheckCanceledError when cancelled.
 */
export async function waitForSet(objects: KubeObject[], read: ObjectReader, opts: WaitOptions): Promise<void> {
  const clock = opts.clock ?? realClock;
  const interval = opts.intervalMs ?? 5000;
  const sorted = sortObjects(objects);
  const deadline = clock.now() + opts.timeoutMs;
  for (;;) {
    if (opts.signal?.aborted) throw new HealthCheckCanceledError('health check canceled');
    let statuses: Array<{ subject: string; r: KStatusResult }>;
    try {
      statuses = await pollOnce(sorted, read, opts, clock);
    } catch {
      throw new HealthCheckCanceledError('health check canceled');
    }
    if (statuses.every((s) => s.r.status === 'Current')) return;
    const report = statuses.map((s) => ({ subject: s.subject, status: s.r.status, message: s.r.message }));
    if (opts.failFast && statuses.some((s) => s.r.status === 'Failed')) {
      throw new HealthCheckError(`failed early due to stalled resources: [${describe(statuses, (s) => s === 'Failed')}]`, report);
    }
    if (clock.now() >= deadline) {
      throw new HealthCheckError(`timeout waiting for: [${describe(statuses, (s) => s !== 'Current')}]`, report);
    }
    try {
      await clock.sleep(Math.min(interval, Math.max(0, deadline - clock.now())), opts.signal);
    } catch {
      throw new HealthCheckCanceledError('health check canceled');
    }
  }
}
