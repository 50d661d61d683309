// SPDX-License-Identifier: Apache-2.0
/**
 * Apply ordering and stages of Flux's SSA manager (fluxcd/pkg `ssa/sort.go`, `ApplyAllStaged`):
 * objects are sorted by a kind rank (CRDs and Namespaces first, webhooks last), then group, kind,
 * namespace and name; they are applied in stages — cluster definitions (CRDs, Namespaces,
 * ClusterRoles), then `*Class` kinds, then the configured custom stage kinds, then everything
 * else — waiting for each of the first stages to be ready before the next one.
 */
import type { KubeObject } from '../build/manifests.ts';
import { objMetadataOf, type ObjMetadata } from './objects.ts';

const ORDER_FIRST = [
  'CustomResourceDefinition',
  'Namespace',
  'ResourceQuota',
  'StorageClass',
  'ServiceAccount',
  'PodSecurityPolicy',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'ConfigMap',
  'Secret',
  'Service',
  'LimitRange',
  'PriorityClass',
  'Deployment',
  'StatefulSet',
  'CronJob',
  'PodDisruptionBudget',
];
const ORDER_LAST = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];
const KIND_INDEX = new Map<string, number>([
  ...ORDER_FIRST.map((k, i): [string, number] => [k, -ORDER_FIRST.length + i]),
  ...ORDER_LAST.map((k, i): [string, number] => [k, 1 + i]),
]);

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Flux's `less` for object identities. */
export function compareObjMetadata(a: ObjMetadata, b: ObjMetadata): number {
  if (a.group !== b.group || a.kind !== b.kind) {
    const ia = KIND_INDEX.get(a.kind) ?? 0;
    const ib = KIND_INDEX.get(b.kind) ?? 0;
    if (ia !== ib) return ia - ib;
    if (a.group !== b.group) return cmp(a.group, b.group);
    return cmp(a.kind, b.kind);
  }
  if (a.namespace !== b.namespace) return cmp(a.namespace, b.namespace);
  return cmp(a.name, b.name);
}

/** Sorts objects in apply order (stable; returns a new array). */
export function sortObjects<T extends KubeObject>(objects: T[]): T[] {
  return objects
    .map((o, i) => ({ o, i, m: objMetadataOf(o) }))
    .sort((x, y) => compareObjMetadata(x.m, y.m) || x.i - y.i)
    .map((x) => x.o);
}

/** True for CRDs, Namespaces and ClusterRoles (Flux `IsClusterDefinition`). */
export function isClusterDefinition(o: KubeObject): boolean {
  const kind = String(o.kind ?? '').toLowerCase();
  const apiVersion = String(o.apiVersion ?? '');
  return (
    (kind === 'customresourcedefinition' && apiVersion.startsWith('apiextensions.k8s.io/')) ||
    (kind === 'namespace' && apiVersion === 'v1') ||
    (kind === 'clusterrole' && apiVersion.startsWith('rbac.authorization.k8s.io/'))
  );
}

/** True for `*Class` kinds: StorageClass, IngressClass, GatewayClass, … (Flux `IsClassDefinition`). */
export function isClassDefinition(o: KubeObject): boolean {
  return String(o.kind ?? '').endsWith('Class');
}

/** One apply stage. */
export interface ApplyStage<T extends KubeObject = KubeObject> {
  name: 'definitions' | 'classes' | 'custom' | 'resources';
  objects: T[];
  /** Wait for these objects to be ready before the next stage. */
  waitAfter: boolean;
}

/**
 * Splits objects into Flux's apply stages, each sorted; empty stages are dropped.
 * @param customStageKinds `group/Kind` (or `Kind` for the core group) applied in their own stage.
 */
export function stageObjects<T extends KubeObject>(objects: T[], customStageKinds: string[] = []): ApplyStage<T>[] {
  const custom = new Set(customStageKinds.map((gk) => (gk.includes('/') ? gk : `/${gk}`)));
  const defs: T[] = [];
  const classes: T[] = [];
  const customs: T[] = [];
  const rest: T[] = [];
  for (const o of objects) {
    const m = objMetadataOf(o);
    if (isClusterDefinition(o)) defs.push(o);
    else if (isClassDefinition(o)) classes.push(o);
    else if (custom.has(`${m.group}/${m.kind}`)) customs.push(o);
    else rest.push(o);
  }
  const stages: ApplyStage<T>[] = [
    { name: 'definitions', objects: sortObjects(defs), waitAfter: true },
    { name: 'classes', objects: sortObjects(classes), waitAfter: true },
    { name: 'custom', objects: sortObjects(customs), waitAfter: true },
    { name: 'resources', objects: sortObjects(rest), waitAfter: false },
  ];
  return stages.filter((s) => s.objects.length > 0);
}
