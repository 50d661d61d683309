// SPDX-License-Identifier: Apache-2.0
/**
 * Per-object apply policies, read from labels or annotations (values are case-insensitive, as
 * in Flux's `AnyInMetadata`):
 *
 * | key                                   | value          | effect                                   |
 * |---------------------------------------|----------------|------------------------------------------|
 * | `kustomize.toolkit.fluxcd.io/ssa`     | `Merge`        | keep other managers' fields (no cleanup) |
 * |                                       | `IfNotPresent` | create only, never patch                 |
 * |                                       | `Ignore`       | never apply nor prune                    |
 * | `kustomize.toolkit.fluxcd.io/force`   | `Enabled`      | recreate on immutable-field errors       |
 * | `kustomize.toolkit.fluxcd.io/prune`   | `Disabled`     | never prune                              |
 * | `kustomize.toolkit.fluxcd.io/reconcile` | `Disabled`   | never apply nor prune                    |
 */
import type { KubeObject } from '../build/manifests.ts';

/** The API group of kustomize-controller, prefix of its labels and annotations. */
export const KUSTOMIZE_GROUP = 'kustomize.toolkit.fluxcd.io';
/** `kustomize.toolkit.fluxcd.io/ssa`. */
export const SSA_KEY = `${KUSTOMIZE_GROUP}/ssa`;
/** `kustomize.toolkit.fluxcd.io/force`. */
export const FORCE_KEY = `${KUSTOMIZE_GROUP}/force`;
/** `kustomize.toolkit.fluxcd.io/prune`. */
export const PRUNE_KEY = `${KUSTOMIZE_GROUP}/prune`;
/** `kustomize.toolkit.fluxcd.io/reconcile`. */
export const RECONCILE_KEY = `${KUSTOMIZE_GROUP}/reconcile`;
/** Owner label `kustomize.toolkit.fluxcd.io/name`. */
export const OWNER_NAME_LABEL = `${KUSTOMIZE_GROUP}/name`;
/** Owner label `kustomize.toolkit.fluxcd.io/namespace`. */
export const OWNER_NAMESPACE_LABEL = `${KUSTOMIZE_GROUP}/namespace`;

/** A set of key/value pairs matched against labels and annotations. */
export type MetadataSelector = Record<string, string>;

/** Objects skipped by apply (`reconcile: disabled`, `ssa: ignore`). */
export const EXCLUSION_SELECTOR: MetadataSelector = { [RECONCILE_KEY]: 'disabled', [SSA_KEY]: 'ignore' };
/** Objects only created, never patched (`ssa: IfNotPresent`). */
export const IF_NOT_PRESENT_SELECTOR: MetadataSelector = { [SSA_KEY]: 'ifnotpresent' };
/** Objects recreated on immutable-field errors (`force: enabled`). */
export const FORCE_SELECTOR: MetadataSelector = { [FORCE_KEY]: 'enabled' };
/** Objects whose metadata is not cleaned up (`ssa: merge`). */
export const CLEANUP_EXCLUSIONS: MetadataSelector = { [SSA_KEY]: 'merge' };
/** Objects never pruned. */
export const PRUNE_EXCLUSIONS: MetadataSelector = { [PRUNE_KEY]: 'disabled', [RECONCILE_KEY]: 'disabled', [SSA_KEY]: 'ignore' };

function metaMap(o: KubeObject | undefined, field: 'labels' | 'annotations'): Record<string, string> {
  const m = (o?.metadata as Record<string, unknown> | undefined)?.[field];
  return m && typeof m === 'object' ? (m as Record<string, string>) : {};
}

/** True when any pair matches a non-empty label or annotation, case-insensitively (Flux `AnyInMetadata`). */
export function anyInMetadata(o: KubeObject | undefined, selector: MetadataSelector): boolean {
  if (!o) return false;
  const labels = metaMap(o, 'labels');
  const annotations = metaMap(o, 'annotations');
  return Object.entries(selector).some(([k, v]) => {
    const l = labels[k];
    const a = annotations[k];
    return (!!l && l.toLowerCase() === v.toLowerCase()) || (!!a && a.toLowerCase() === v.toLowerCase());
  });
}

/**
 * Flux's `shouldSkipApply`: skip when the desired or the in-cluster object is excluded, or when
 * the desired object is `IfNotPresent` and the object exists.
 */
export function shouldSkipApply(desired: KubeObject, existing: KubeObject | undefined): boolean {
  if (anyInMetadata(desired, EXCLUSION_SELECTOR) || anyInMetadata(existing, EXCLUSION_SELECTOR)) return true;
  const uid = (existing?.metadata as { uid?: string } | undefined)?.uid;
  return !!uid && anyInMetadata(desired, IF_NOT_PRESENT_SELECTOR);
}

/** Flux's `shouldForceApply` (given that the dry-run failed on an immutable field). */
export function shouldForceApply(desired: KubeObject, existing: KubeObject | undefined, force: boolean): boolean {
  return force || anyInMetadata(desired, FORCE_SELECTOR) || anyInMetadata(existing, FORCE_SELECTOR);
}

/** Flux's `DeleteAll` filter: only objects still labelled as ours, and not excluded from pruning. */
export function shouldPrune(existing: KubeObject, ownerName: string, ownerNamespace: string): boolean {
  const labels = metaMap(existing, 'labels');
  if (labels[OWNER_NAME_LABEL] !== ownerName || labels[OWNER_NAMESPACE_LABEL] !== ownerNamespace) return false;
  return !anyInMetadata(existing, PRUNE_EXCLUSIONS);
}

/** Adds the owner labels to every object (Flux `SetOwnerLabels`). */
export function setOwnerLabels(objects: KubeObject[], name: string, namespace: string): void {
  for (const o of objects) {
    const meta = (o.metadata ??= {}) as Record<string, unknown>;
    const labels = (meta.labels && typeof meta.labels === 'object' ? meta.labels : (meta.labels = {})) as Record<string, string>;
    labels[OWNER_NAME_LABEL] = name;
    labels[OWNER_NAMESPACE_LABEL] = namespace;
  }
}

/** Sets `spec.commonMetadata` labels and annotations, overriding existing keys (Flux `SetCommonMetadata`). */
export function setCommonMetadata(objects: KubeObject[], labels: Record<string, string> = {}, annotations: Record<string, string> = {}): void {
  for (const o of objects) {
    const meta = (o.metadata ??= {}) as Record<string, unknown>;
    for (const [field, values] of [
      ['labels', labels],
      ['annotations', annotations],
    ] as const) {
      const merged = { ...((meta[field] as Record<string, string> | undefined) ?? {}), ...values };
      if (Object.keys(merged).length > 0) meta[field] = merged;
    }
  }
}
