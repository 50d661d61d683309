// SPDX-License-Identifier: Apache-2.0
/**
 * Inventory entry ids: `<namespace>_<name>_<group>_<kind>`, the `ObjMetadata` string form of
 * kubernetes-sigs/cli-utils that Flux stores in `status.inventory.entries[].id`. Core kinds have an
 * empty group (`default_podinfo__Service`), cluster-scoped objects an empty namespace
 * (`_flux-system__Namespace`), and a `:` in a name (RBAC) is written as `__`.
 */
import { fail, ok } from './result.ts';
import type { Result } from './result.ts';

/** The identity of one applied object. */
export interface ObjMetadata {
  readonly namespace: string;
  readonly name: string;
  /** API group, `''` for the core group. */
  readonly group: string;
  readonly kind: string;
}

/** One inventory entry as stored in status. */
export interface InventoryEntry {
  /** `<namespace>_<name>_<group>_<kind>`. */
  readonly id: string;
  /** API version of the object's kind, e.g. `v1` or `apps/v1`. */
  readonly v: string;
}

const SEPARATOR = '_';
const COLON_TRANSCODED = '__';

/** Writes the id of an object. */
export function formatObjMetadata(obj: ObjMetadata): string {
  const name = obj.name.replaceAll(':', COLON_TRANSCODED);
  return [obj.namespace, name, obj.group, obj.kind].join(SEPARATOR);
}

/** Parses an id back into its four fields. */
export function parseObjMetadata(id: string): Result<ObjMetadata> {
  const first = id.indexOf(SEPARATOR);
  if (first === -1) return fail('InvalidObjMetadata', id, 'expected <namespace>_<name>_<group>_<kind>');
  const namespace = id.slice(0, first);
  let rest = id.slice(first + 1);
  const last = rest.lastIndexOf(SEPARATOR);
  if (last === -1) return fail('InvalidObjMetadata', id, 'expected <namespace>_<name>_<group>_<kind>');
  const kind = rest.slice(last + 1);
  rest = rest.slice(0, last);
  const groupAt = rest.lastIndexOf(SEPARATOR);
  if (groupAt === -1) return fail('InvalidObjMetadata', id, 'expected <namespace>_<name>_<group>_<kind>');
  const group = rest.slice(groupAt + 1);
  const name = rest.slice(0, groupAt).replaceAll(COLON_TRANSCODED, ':');
  if (name.includes(SEPARATOR)) return fail('InvalidObjMetadata', id, 'too many fields');
  if (name === '') return fail('InvalidObjMetadata', id, 'empty name');
  if (kind === '') return fail('InvalidObjMetadata', id, 'empty kind');
  return ok({ namespace, name, group, kind });
}

/** The API group of an `apiVersion` (`apps/v1` → `apps`, `v1` → `''`). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

/** Builds the inventory entry of an object from its apiVersion, kind and metadata. */
export function inventoryEntryOf(obj: {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name?: string; readonly namespace?: string };
}): InventoryEntry {
  const id = formatObjMetadata({
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name ?? '',
    group: groupOf(obj.apiVersion),
    kind: obj.kind,
  });
  return { id, v: obj.apiVersion.slice(obj.apiVersion.indexOf('/') + 1) };
}
