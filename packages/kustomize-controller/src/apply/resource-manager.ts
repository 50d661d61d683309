// SPDX-License-Identifier: Apache-2.0
/**
 * Server-side apply of a set of objects the way Flux's `ssa.ResourceManager.ApplyAllStaged` does:
 * per stage, every object is read, skipped when a policy says so, dry-run applied (with
 * ownership forced; up to {@link ApplyOptions.concurrency} objects at a time, as Flux's errgroup does), recreated when the dry run hits an immutable field and force is on, cleaned
 * of kubectl leftovers, and compared with the in-cluster object; only drifted objects are then
 * applied, so unchanged objects keep their resourceVersion. Stages that must be ready before the
 * next one (definitions, classes, custom kinds) are waited for with kstatus.
 */
import type { KubeClient, KubeObject as ClientObject, ObjectRef } from '@eddy/runtime/client';
import { ApiError, isNotFound } from '@eddy/runtime/client';
import { realClock, type Clock } from '@eddy/runtime/clock';
import type { KubeObject } from '../build/manifests.ts';
import { waitForSet } from '../health/wait.ts';
import { ChangeSet, changeSetEntry, type ChangeSetEntry } from './change-set.ts';
import { cleanupPatch, type CleanupOptions } from './cleanup.ts';
import { formatSubject, objMetadataOf } from './objects.ts';
import { shouldForceApply, shouldSkipApply } from './policy.ts';
import { stageObjects } from './sort.ts';

/** Options of one staged apply. */
export interface ApplyOptions {
  /** Recreate objects on immutable-field errors (`spec.force`). */
  force: boolean;
  cleanup: CleanupOptions;
  /** `group/Kind` applied in their own stage (`--custom-stage-kinds`). */
  customStageKinds?: string[];
  /** Poll interval of stage waits. @default 2000 */
  waitIntervalMs?: number;
  /** Timeout of stage waits. @default 60000 */
  waitTimeoutMs?: number;
  /** Objects read and dry-run at once within a stage; applies stay one at a time, in order. @default 4 */
  concurrency?: number;
  signal?: AbortSignal;
}

/** An apply failure; `changeSet` holds what was done before it (Flux reports partial applies). */
export class ApplyError extends Error {
  override readonly name = 'ApplyError';
  constructor(
    message: string,
    readonly changeSet: ChangeSet,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Flux's `IsImmutableError`: conflicts, invalid requests and immutable-field messages. */
export function isImmutableError(err: unknown): boolean {
  if (!ApiError.is(err)) return false;
  if (err.reason === 'Conflict' || err.reason === 'Invalid' || err.code === 409 || err.code === 422) return true;
  return /field is immutable|immutable field|is immutable/i.test(err.message);
}

/** Flux's `DryRunErr` message. */
export function dryRunErrorMessage(obj: KubeObject, err: unknown): string {
  const m = objMetadataOf(obj);
  const subject = formatSubject(m);
  const msg = err instanceof Error ? err.message : String(err);
  if (isNotFound(err)) return m.namespace ? `${subject} not found: ${msg}` : `${subject} namespace not specified: ${msg}`;
  const causes = ApiError.is(err) ? (err.details?.causes ?? []) : [];
  const reason = causes.some((c) => c.reason === 'FieldManagerConflict') ? 'FieldManagerConflict' : ApiError.is(err) ? err.reason : '';
  return `${subject} dry-run failed${reason && reason !== 'Unknown' ? ` (${reason})` : ''}: ${msg}`;
}

function refOf(o: KubeObject): ObjectRef {
  const m = objMetadataOf(o);
  const ref: ObjectRef = { apiVersion: String(o.apiVersion), kind: m.kind, name: m.name };
  if (m.namespace) ref.namespace = m.namespace;
  return ref;
}

const VOLATILE = ['managedFields', 'resourceVersion', 'generation'];

function comparable(o: ClientObject): unknown {
  const { status: _status, metadata, ...rest } = o as ClientObject & { status?: unknown };
  const meta = Object.fromEntries(Object.entries(metadata ?? {}).filter(([k]) => !VOLATILE.includes(k)));
  return { ...rest, metadata: meta };
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

interface Planned {
  obj: KubeObject;
  entry: ChangeSetEntry;
  apply: boolean;
}

/** Applies object sets with server-side apply under one field manager. */
export class ResourceManager {
  private readonly clock: Clock;

  constructor(
    private readonly client: KubeClient,
    private readonly fieldManager: string,
    opts: { clock?: Clock } = {},
  ) {
    this.clock = opts.clock ?? realClock;
  }

  /** Reads the live object, `undefined` when missing. */
  readonly read = async (o: KubeObject): Promise<KubeObject | undefined> => (await this.client.get(refOf(o))) as KubeObject | undefined;

  private async dryRun(desired: KubeObject): Promise<ClientObject> {
    return this.client.apply(desired as ClientObject, { fieldManager: this.fieldManager, force: true, dryRun: true });
  }

  private async recreate(existing: KubeObject, desired: KubeObject, opts: ApplyOptions): Promise<void> {
    const ref = refOf(existing);
    try {
      await this.client.delete(ref, { propagationPolicy: 'Background' });
    } catch (err) {
      if (!isNotFound(err)) throw new Error(`${formatSubject(objMetadataOf(desired))} immutable field detected, failed to delete object: ${(err as Error).message}`, { cause: err });
    }
    const deadline = this.clock.now() + (opts.waitTimeoutMs ?? 60_000);
    while (await this.client.get(ref)) {
      if (this.clock.now() >= deadline) {
        throw new Error(`${formatSubject(objMetadataOf(desired))} immutable field detected, failed to wait for object to be deleted: timeout`);
      }
      await this.clock.sleep(opts.waitIntervalMs ?? 2000, opts.signal);
    }
  }

  private async plan(desired: KubeObject, opts: ApplyOptions): Promise<Planned> {
    const existing = await this.read(desired);
    if (shouldSkipApply(desired, existing)) return { obj: desired, entry: changeSetEntry(desired, 'skipped'), apply: false };
    let dry: ClientObject;
    try {
      dry = await this.dryRun(desired);
    } catch (err) {
      if (!existing || !isImmutableError(err) || !shouldForceApply(desired, existing, opts.force)) throw new Error(dryRunErrorMessage(desired, err), { cause: err });
      await this.recreate(existing, desired, opts);
      try {
        dry = await this.dryRun(desired);
      } catch (err2) {
        throw new Error(dryRunErrorMessage(desired, err2), { cause: err2 });
      }
      return { obj: desired, entry: changeSetEntry(desired, 'created'), apply: true };
    }
    const ops = cleanupPatch(desired, existing, opts.cleanup, this.fieldManager);
    if (ops.length > 0) {
      try {
        await this.client.patch(refOf(desired), ops, { type: 'json', fieldManager: this.fieldManager });
      } catch (err) {
        throw new Error(`${formatSubject(objMetadataOf(desired))} metadata.managedFields cleanup failed: ${(err as Error).message}`, { cause: err });
      }
    }
    if (!existing || !dry.metadata.resourceVersion) return { obj: desired, entry: changeSetEntry(desired, 'created'), apply: true };
    const drifted = ops.length > 0 || !deepEqual(comparable(existing as ClientObject), comparable(dry));
    return { obj: desired, entry: changeSetEntry(desired, drifted ? 'configured' : 'unchanged'), apply: drifted };
  }

  /**
   * Dry-runs, diffs and applies one stage (Flux `ApplyAll`): the objects are planned concurrently
   * (no new plan starts once one failed; the first failure in input order is reported), then the
   * drifted ones applied in order. @throws ApplyError
   */
  async applyAll(objects: KubeObject[], opts: ApplyOptions, done = new ChangeSet()): Promise<ChangeSet> {
    const results = await settleLimited(objects, opts.concurrency ?? 4, (o) => this.plan(o, opts));
    const planned: Planned[] = [];
    for (const r of results) {
      if (r.status === 'rejected') throw new ApplyError((r.reason as Error).message, done, { cause: r.reason });
      if (r.status === 'fulfilled') planned.push(r.value);
    }
    for (const p of planned) {
      if (!p.apply) continue;
      try {
        await this.client.apply(p.obj as ClientObject, { fieldManager: this.fieldManager, force: true });
      } catch (err) {
        throw new ApplyError(`${formatSubject(objMetadataOf(p.obj))} apply failed: ${(err as Error).message}`, done, { cause: err });
      }
    }
    return done.add(...planned.map((p) => p.entry));
  }

  /**
   * Applies objects in Flux's stages, waiting for definitions, classes and custom kinds to be
   * ready before the next stage. @throws ApplyError carrying the partial change set.
   */
  async applyAllStaged(objects: KubeObject[], opts: ApplyOptions): Promise<ChangeSet> {
    const changeSet = new ChangeSet();
    for (const stage of stageObjects(objects, opts.customStageKinds)) {
      await this.applyAll(stage.objects, opts, changeSet);
      if (!stage.waitAfter) continue;
      try {
        await waitForSet(stage.objects, this.read, {
          intervalMs: opts.waitIntervalMs ?? 2000,
          timeoutMs: opts.waitTimeoutMs ?? 60_000,
          clock: this.clock,
          ...(opts.signal ? { signal: opts.signal } : {}),
        });
      } catch (err) {
        throw new ApplyError((err as Error).message, changeSet, { cause: err });
      }
    }
    return changeSet;
  }
}

/**
 * Runs `fn` over `items`, at most `limit` at a time; once one rejects, items not started yet are
 * left out (`skipped`). The results keep the input order.
 */
export async function settleLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<Array<PromiseSettledResult<R> | { status: 'skipped' }>> {
  const out: Array<PromiseSettledResult<R> | { status: 'skipped' }> = items.map(() => ({ status: 'skipped' }));
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        out[i] = { status: 'fulfilled', value: await fn(items[i]!) };
      } catch (reason) {
        out[i] = { status: 'rejected', reason };
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
