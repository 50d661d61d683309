// SPDX-License-Identifier: Apache-2.0
/**
 * Object envelope types shared by every kind: metadata and the generic typed object. They are
 * structurally compatible with `@eddy/runtime`'s `KubeObject`, so typed objects pass wherever the
 * runtime expects any object.
 */

/** A reference from a dependent object to its owner. */
export type OwnerReference = {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
};

/** Kubernetes object metadata; fields Eddy does not read pass through untouched. */
export type ObjectMeta = {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: unknown[];
  [key: string]: unknown;
};

/** Group, version and kind of a type. */
export type GroupVersionKind = {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
};

/**
 * A typed custom resource: `apiVersion` and `kind` are the literal strings of the kind, `spec`
 * and `status` the types inferred from its schema. Status is optional because a freshly built
 * object has none until the apiserver defaults it.
 */
export type TypedObject<ApiVersion extends string, Kind extends string, Spec, Status = never> = [Status] extends [never]
  ? { apiVersion: ApiVersion; kind: Kind; metadata: ObjectMeta; spec: Spec }
  : { apiVersion: ApiVersion; kind: Kind; metadata: ObjectMeta; spec: Spec; status?: Status };

/** `group/version`, or just `version` for the core group. */
export function apiVersionOf(gv: { readonly group: string; readonly version: string }): string {
  return gv.group === '' ? gv.version : `${gv.group}/${gv.version}`;
}
