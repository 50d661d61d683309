// SPDX-License-Identifier: Apache-2.0
/**
 * `status.inventory` of a Kustomization (kustomize-controller `internal/inventory`): entries
 * `{id: "<ns>_<name>_<group>_<kind>", v: "<version>"}` in change-set order, the diff that finds
 * stale objects to prune, and the merge that re-tracks objects whose deletion failed.
 */
import type { ChangeSet } from '../apply/change-set.ts';
import { objectId, objMetadataOf, parseObjectId } from '../apply/objects.ts';
import { sortObjects } from '../apply/sort.ts';
import type { KubeObject } from '../build/manifests.ts';

/** One inventory entry, as serialised in the Kustomization status. */
export interface InventoryEntry {
  id: string;
  v: string;
}

/** `status.inventory`. */
export interface ResourceInventory {
  entries: InventoryEntry[];
}

/** An empty inventory. */
export function newInventory(): ResourceInventory {
  return { entries: [] };
}

/** Adds the entries of a change set (Flux `AddChangeSet`). */
export function addChangeSet(inv: ResourceInventory, set: ChangeSet): ResourceInventory {
  for (const e of set.entries) inv.entries.push({ id: objectId(e.objMetadata), v: e.version });
  return inv;
}

/** A minimal object (apiVersion, kind, name, namespace) for an inventory entry. */
export function entryToObject(e: InventoryEntry): KubeObject {
  const m = parseObjectId(e.id);
  const apiVersion = m.group ? `${m.group}/${e.v}` : e.v;
  const metadata: Record<string, unknown> = { name: m.name };
  if (m.namespace) metadata.namespace = m.namespace;
  return { apiVersion, kind: m.kind, metadata };
}

/** The inventory's objects in apply order (Flux `List`). @throws Error on a malformed id. */
export function listInventory(inv: ResourceInventory | undefined): KubeObject[] {
  return sortObjects((inv?.entries ?? []).map(entryToObject));
}

/**
 * Objects in `previous` that are not in `next`, sorted (Flux `Diff`). Identity ignores the
 * version: an object whose API version changed is not stale.
 */
export function diffInventory(previous: ResourceInventory | undefined, next: ResourceInventory): KubeObject[] {
  const keep = new Set(next.entries.map((e) => objectId(parseObjectId(e.id))));
  const seen = new Set<string>();
  const stale: KubeObject[] = [];
  for (const e of previous?.entries ?? []) {
    const id = objectId(parseObjectId(e.id));
    if (keep.has(id) || seen.has(id)) continue;
    seen.add(id);
    stale.push(entryToObject(e));
  }
  return sortObjects(stale);
}

/** Appends objects that are not tracked yet (Flux `Merge`, for prune survivors). */
export function mergeInventory(inv: ResourceInventory, objects: KubeObject[]): ResourceInventory {
  const seen = new Set(inv.entries.map((e) => e.id));
  for (const o of objects) {
    const id = objectId(objMetadataOf(o));
    if (seen.has(id)) continue;
    const apiVersion = String(o.apiVersion ?? '');
    inv.entries.push({ id, v: apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion });
    seen.add(id);
  }
  return inv;
}
