// SPDX-License-Identifier: Apache-2.0
/**
 * Object identity as Flux (cli-utils `ObjMetadata`) writes it: the inventory id
 * `<namespace>_<name>_<group>_<kind>` (`:` in RBAC names transcoded to `__`) and the subject
 * `<Kind>/<namespace>/<name>` used in change-set logs and events.
 */
import type { KubeObject } from '../build/manifests.ts';

/** The identity of an object, without version. */
export interface ObjMetadata {
  namespace: string;
  name: string;
  group: string;
  kind: string;
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const RBAC_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

/** Splits an apiVersion into group and version (`v1` → `['', 'v1']`). */
export function splitApiVersion(apiVersion: string): [group: string, version: string] {
  const i = apiVersion.indexOf('/');
  return i < 0 ? ['', apiVersion] : [apiVersion.slice(0, i), apiVersion.slice(i + 1)];
}

/** The identity of an object. */
export function objMetadataOf(obj: KubeObject): ObjMetadata {
  const meta = (obj.metadata ?? {}) as { name?: string; namespace?: string };
  return {
    namespace: meta.namespace ?? '',
    name: meta.name ?? '',
    group: splitApiVersion(String(obj.apiVersion ?? ''))[0],
    kind: String(obj.kind ?? ''),
  };
}

/** The inventory id of an object (cli-utils `ObjMetadata.String`). */
export function objectId(m: ObjMetadata): string {
  const name = m.group === RBAC_GROUP && RBAC_KINDS.has(m.kind) ? m.name.replaceAll(':', '__') : m.name;
  return `${m.namespace}_${name}_${m.group}_${m.kind}`;
}

/** Parses an inventory id (cli-utils `ParseObjMetadata`). @throws Error on a malformed id. */
export function parseObjectId(id: string): ObjMetadata {
  const first = id.indexOf('_');
  if (first < 0) throw new Error(`unable to parse stored object metadata: ${id}`);
  const namespace = id.slice(0, first);
  let rest = id.slice(first + 1);
  const lastKind = rest.lastIndexOf('_');
  if (lastKind < 0) throw new Error(`unable to parse stored object metadata: ${rest}`);
  const kind = rest.slice(lastKind + 1);
  rest = rest.slice(0, lastKind);
  const lastGroup = rest.lastIndexOf('_');
  if (lastGroup < 0) throw new Error(`unable to parse stored object metadata: ${rest}`);
  const group = rest.slice(lastGroup + 1);
  const name = rest.slice(0, lastGroup).replaceAll('__', ':');
  return { namespace, name, group, kind };
}

/** `<Kind>/<namespace>/<name>` (namespace omitted for cluster-scoped objects). */
export function formatSubject(m: ObjMetadata): string {
  return m.namespace ? `${m.kind}/${m.namespace}/${m.name}` : `${m.kind}/${m.name}`;
}

/** One subject per line (Flux `FmtUnstructuredList`). */
export function formatSubjects(objects: KubeObject[]): string {
  return objects.map((o) => formatSubject(objMetadataOf(o))).join('\n');
}
