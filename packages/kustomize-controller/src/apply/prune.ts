// SPDX-License-Identifier: Apache-2.0
/**
 * Garbage collection of stale objects (Flux `ResourceManager.DeleteAll` with kustomize-controller's
 * `deleteObjects` options): objects are deleted in reverse apply order with background
 * propagation, only while they still carry this Kustomization's owner labels and no
 * `prune: disabled`, `reconcile: disabled` or `ssa: ignore` opt-out; missing objects count as
 * deleted. Objects whose deletion was not confirmed are returned as survivors, to be kept in the
 * inventory and retried (kustomize-controller#1664).
 */
import type { KubeClient, ObjectRef } from '@eddy/runtime/client';
import { realClock, type Clock } from '@eddy/runtime/clock';
import type { KubeObject } from '../build/manifests.ts';
import { ChangeSet, changeSetEntry } from './change-set.ts';
import { formatSubject, objMetadataOf, objectId } from './objects.ts';
import { shouldPrune } from './policy.ts';
import { sortObjects } from './sort.ts';

/** What a prune did. */
export interface PruneResult {
  changeSet: ChangeSet;
  /** Objects whose deletion failed. */
  survivors: KubeObject[];
  /** The aggregated error, when something failed. */
  error?: Error;
}

function refOf(o: KubeObject): ObjectRef {
  const m = objMetadataOf(o);
  const ref: ObjectRef = { apiVersion: String(o.apiVersion), kind: m.kind, name: m.name };
  if (m.namespace) ref.namespace = m.namespace;
  return ref;
}

/** Deletes stale objects owned by `owner` (Kustomization name and namespace). */
export async function deleteAll(client: KubeClient, objects: KubeObject[], owner: { name: string; namespace: string }): Promise<PruneResult> {
  const changeSet = new ChangeSet();
  const survivors: KubeObject[] = [];
  const errors: string[] = [];
  for (const o of sortObjects(objects).reverse()) {
    const subject = formatSubject(objMetadataOf(o));
    try {
      const existing = (await client.get(refOf(o))) as KubeObject | undefined;
      if (!existing) {
        changeSet.add(changeSetEntry(o, 'deleted'));
        continue;
      }
      if (!shouldPrune(existing, owner.name, owner.namespace)) {
        changeSet.add(changeSetEntry(o, 'skipped'));
        continue;
      }
      await client.delete(refOf(o), { propagationPolicy: 'Background' });
      changeSet.add(changeSetEntry(o, 'deleted'));
    } catch (err) {
      changeSet.add(changeSetEntry(o, 'unknown'));
      survivors.push(o);
      errors.push(`${subject} delete failed: ${(err as Error).message}`);
    }
  }
  const result: PruneResult = { changeSet, survivors };
  if (errors.length > 0) result.error = new Error(`delete failed, errors: ${errors.join('; ')}`);
  return result;
}

/**
 * Waits until the deleted objects are gone (deletion policy `WaitForTermination`).
 * @throws Error on timeout.
 */
export async function waitForTermination(
  client: KubeClient,
  changeSet: ChangeSet,
  opts: { intervalMs?: number; timeoutMs: number; clock?: Clock; signal?: AbortSignal },
): Promise<void> {
  const clock = opts.clock ?? realClock;
  const deadline = clock.now() + opts.timeoutMs;
  const pending = changeSet.entries.filter((e) => e.action === 'deleted');
  for (const e of pending) {
    const m = e.objMetadata;
    const ref: ObjectRef = { apiVersion: m.group ? `${m.group}/${e.version}` : e.version, kind: m.kind, name: m.name };
    if (m.namespace) ref.namespace = m.namespace;
    while (await client.get(ref)) {
      if (clock.now() >= deadline) throw new Error(`${e.subject} termination timeout (${objectId(m)})`);
      await clock.sleep(opts.intervalMs ?? 2000, opts.signal);
    }
  }
}
