// SPDX-License-Identifier: Apache-2.0
/**
 * The status patcher, with the semantics of `fluxcd/pkg/runtime/patch` (`Helper` + `SerialPatcher`).
 *
 * Take a snapshot when a reconcile starts (`new SerialPatcher(obj, client)`), change the object in
 * memory, and call {@link SerialPatcher.patch} once at the end (or at checkpoints: every successful
 * patch re-bases the snapshot, so the next one sends only later changes). A patch sends up to three
 * requests, in this order, and reports all their errors together:
 *
 * 1. **Conditions**, to the status subresource, when any changed: the latest object is read, the
 *    recorded condition changes are replayed on it (owned conditions win, others conflict when
 *    changed concurrently), and the full list is merge-patched with an optimistic lock on
 *    `resourceVersion`. A 409 re-reads and retries (5 attempts, 100–200 ms apart).
 * 2. **metadata and spec** (finalizers, labels, …) as a JSON merge patch against the snapshot.
 * 3. **The rest of status** as a JSON merge patch against the snapshot, to the status subresource.
 *
 * Patches are sent with the configured field owner (Flux uses `gotk-<controller>`). When the object
 * is being deleted, NotFound answers are ignored (the finalizer was just removed). The in-memory
 * object is not refreshed from the answers, as in Flux.
 */
import { realClock, type Clock } from '../clock/index.ts';
import type { KubeClient, KubeObject, ObjectRef } from '../client/types.ts';
import { applyConditionsPatch, diffConditions, type ConditionsPatch } from '../conditions/patch.ts';
import type { ObjectWithConditions } from '../conditions/types.ts';
import { ConflictRetriesExhaustedError, isConflict, isNotFound, ObjectNotFoundError, throwAggregate } from './errors.ts';
import { cloneJson, createMergePatch, isJsonObject, jsonEqual, type JsonObject } from './merge-patch.ts';

/** Options of one {@link SerialPatcher.patch} call. */
export interface PatchOptions {
  /** Condition types whose in-memory value wins over concurrent changes. @default [] */
  ownedConditions?: readonly string[];
  /** Treat every condition as owned (Flux's `WithForceOverwriteConditions`). @default false */
  forceOverwriteConditions?: boolean;
  /** Set `status.observedGeneration` to `metadata.generation` first (also on the passed object). @default false */
  includeStatusObservedGeneration?: boolean;
  /** Overrides the patcher's field owner for this call. */
  fieldOwner?: string;
  /** Ignore NotFound answers when the object has a deletionTimestamp. @default true */
  ignoreNotFoundWhenDeleting?: boolean;
}

/** Options of a {@link SerialPatcher}. */
export interface SerialPatcherOptions {
  /** The field manager of every patch, e.g. `gotk-source-controller`. @default none (the apiserver derives one) */
  fieldOwner?: string;
  /** Sleeps between conflict retries and stamps condition times. @default realClock */
  clock?: Clock;
  /** Jitter source in [0, 1). @default Math.random */
  random?: () => number;
  /** Attempts of the conditions patch when it meets conflicts. @default 5 */
  conflictAttempts?: number;
  /** Base delay between conflict attempts; each waits base × (1 + jitter). @default 100 */
  conflictDelayMs?: number;
}

type Patchable = KubeObject & ObjectWithConditions;

function refOf(obj: KubeObject): ObjectRef {
  const ref: ObjectRef = { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name ?? '' };
  if (obj.metadata.namespace !== undefined) ref.namespace = obj.metadata.namespace;
  return ref;
}

function statusWithoutConditions(obj: KubeObject): JsonObject {
  const status = obj['status'];
  if (!isJsonObject(status)) return status === undefined ? {} : { status };
  const rest: JsonObject = { ...status };
  delete rest['conditions'];
  return { status: rest };
}

function metadataAndSpec(obj: KubeObject): JsonObject {
  return { metadata: obj.metadata, spec: obj['spec'] };
}

/** Patches one object once per reconcile (or at checkpoints), re-basing after each success. */
export class SerialPatcher<T extends KubeObject = KubeObject> {
  private before: T;
  private readonly clock: Clock;
  private readonly random: () => number;

  /** Snapshots `obj` (deep copy) as the base of the first patch. */
  constructor(
    obj: T,
    private readonly client: KubeClient,
    private readonly opts: SerialPatcherOptions = {},
  ) {
    this.before = cloneJson(obj);
    this.clock = opts.clock ?? realClock;
    this.random = opts.random ?? Math.random;
  }

  /** The current base snapshot (a copy). */
  snapshot(): T {
    return cloneJson(this.before);
  }

  /**
   * Sends the changes between the snapshot and `obj` (see the module doc). On success `obj` becomes
   * the new snapshot; on failure the snapshot is kept so the next call sends the changes again.
   */
  async patch(obj: T, opts: PatchOptions = {}): Promise<void> {
    const target = obj as T & Patchable;
    if (opts.includeStatusObservedGeneration && isJsonObject(target['status'])) {
      (target.status as JsonObject)['observedGeneration'] = target.metadata.generation ?? 0;
    }
    const before = this.before as T & Patchable;
    const fieldOwner = opts.fieldOwner ?? this.opts.fieldOwner;
    const errors: unknown[] = [];
    const attempt = async (fn: () => Promise<void>): Promise<void> => {
      try {
        await fn();
      } catch (err) {
        errors.push(err);
      }
    };
    await attempt(() => this.patchConditions(target, diffConditions(before, target), opts, fieldOwner));
    await attempt(() => this.patchMerge(target, metadataAndSpec(before), metadataAndSpec(target), undefined, fieldOwner));
    await attempt(() => this.patchMerge(target, statusWithoutConditions(before), statusWithoutConditions(target), 'status', fieldOwner));
    const deleting = target.metadata.deletionTimestamp !== undefined && target.metadata.deletionTimestamp !== '';
    const remaining = opts.ignoreNotFoundWhenDeleting !== false && deleting ? errors.filter((e) => !isNotFound(e)) : errors;
    throwAggregate(remaining);
    this.before = cloneJson(obj);
  }

  private async patchMerge(obj: T, before: JsonObject, after: JsonObject, subresource: string | undefined, fieldOwner?: string): Promise<void> {
    const body = createMergePatch(cloneJson(before), cloneJson(after));
    if (body === undefined) return;
    await this.client.patch(refOf(obj), body, {
      type: 'merge',
      ...(subresource !== undefined ? { subresource } : {}),
      ...(fieldOwner !== undefined ? { fieldManager: fieldOwner } : {}),
    });
  }

  private async patchConditions(obj: T, diff: ConditionsPatch, opts: PatchOptions, fieldOwner?: string): Promise<void> {
    if (diff.length === 0) return;
    const ref = refOf(obj);
    const attempts = this.opts.conflictAttempts ?? 5;
    for (let i = 1; i <= attempts; i++) {
      const latest = await this.client.get<T & Patchable>(ref);
      if (latest === undefined) throw new ObjectNotFoundError(`${ref.kind} ${ref.namespace ?? ''}/${ref.name} not found`);
      const body = this.conditionsBody(latest, diff, opts);
      if (body === undefined) return;
      try {
        const manager = fieldOwner !== undefined ? { fieldManager: fieldOwner } : {};
        await this.client.patch(ref, body, { type: 'merge', subresource: 'status', ...manager });
        return;
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
      if (i < attempts) await this.clock.sleep((this.opts.conflictDelayMs ?? 100) * (1 + this.random()));
    }
    throw new ConflictRetriesExhaustedError(
      `patching conditions of ${ref.kind} ${ref.namespace ?? ''}/${ref.name}: timed out waiting for the condition (${attempts} conflicts)`,
    );
  }

  /** Replays `diff` on `latest`; the optimistic-lock patch body, or undefined when latest already agrees. */
  private conditionsBody(latest: T & Patchable, diff: ConditionsPatch, opts: PatchOptions): JsonObject | undefined {
    const base = cloneJson(latest.status?.conditions ?? []);
    applyConditionsPatch(latest, diff, {
      ownedConditions: opts.ownedConditions ?? [],
      forceOverwrite: opts.forceOverwriteConditions ?? false,
      clock: this.clock,
    });
    const conditions = latest.status?.conditions ?? [];
    if (jsonEqual(base, conditions)) return undefined;
    return { metadata: { resourceVersion: latest.metadata.resourceVersion }, status: { conditions } };
  }
}
