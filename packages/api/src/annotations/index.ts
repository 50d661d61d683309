// SPDX-License-Identifier: Apache-2.0
/**
 * Finalizer, annotations and labels with their values, exactly as Flux spells them. Annotation
 * values set by users are compared case-insensitively by Flux's controllers; use
 * {@link annotationIs} to do the same.
 */

/** The finalizer every Flux kind carries while the controller owns cleanup. */
export const FINALIZER = 'finalizers.fluxcd.io';

/** Any new value requests an out-of-schedule reconciliation (`flux reconcile` writes RFC 3339 time). */
export const RECONCILE_REQUEST_ANNOTATION = 'reconcile.fluxcd.io/requestedAt';

/** HelmRelease: force a release action; acted on only when equal to the requestedAt value. */
export const FORCE_REQUEST_ANNOTATION = 'reconcile.fluxcd.io/forceAt';

/** HelmRelease: reset failure counters; acted on only when equal to the requestedAt value. */
export const RESET_REQUEST_ANNOTATION = 'reconcile.fluxcd.io/resetAt';

/** Label on Secrets and ConfigMaps whose changes trigger the objects referencing them. */
export const WATCH_LABEL = 'reconcile.fluxcd.io/watch';

/** Value of {@link WATCH_LABEL} that turns watching on. */
export const WATCH_LABEL_ENABLED = 'Enabled';

/** Kustomization owner labels put on every applied object. */
export const KustomizeLabel = {
  Name: 'kustomize.toolkit.fluxcd.io/name',
  Namespace: 'kustomize.toolkit.fluxcd.io/namespace',
} as const;

/** HelmRelease owner labels put on every rendered object. */
export const HelmLabel = {
  Name: 'helm.toolkit.fluxcd.io/name',
  Namespace: 'helm.toolkit.fluxcd.io/namespace',
} as const;

/** Per-object annotations (or labels) that steer kustomize-controller. */
export const KustomizeAnnotation = {
  /** Server-side apply policy: see {@link SsaPolicy}. */
  Ssa: 'kustomize.toolkit.fluxcd.io/ssa',
  /** `Enabled`: recreate the object when an immutable field changes. */
  Force: 'kustomize.toolkit.fluxcd.io/force',
  /** `Disabled`: never prune the object. */
  Prune: 'kustomize.toolkit.fluxcd.io/prune',
  /** `disabled`: neither apply nor prune the object. */
  Reconcile: 'kustomize.toolkit.fluxcd.io/reconcile',
  /** `disabled`: skip post-build variable substitution for the object (also on CRDs). */
  Substitute: 'kustomize.toolkit.fluxcd.io/substitute',
  /** `Disabled`: do not decrypt the object. */
  Decrypt: 'kustomize.toolkit.fluxcd.io/decrypt',
} as const;

/** Values of the `kustomize.toolkit.fluxcd.io/ssa` annotation. */
export const SsaPolicy = {
  /** Default: apply and take ownership of the fields in the manifest. */
  Override: 'Override',
  /** Apply, but leave fields managed by others in place. */
  Merge: 'Merge',
  /** Create the object if missing, never update it. */
  IfNotPresent: 'IfNotPresent',
  /** Never apply the object. */
  Ignore: 'Ignore',
} as const;

/** Generic annotation values. */
export const AnnotationValue = {
  Enabled: 'Enabled',
  Disabled: 'Disabled',
  /** Lowercase form Flux documents for `reconcile` and `substitute`. */
  DisabledLower: 'disabled',
} as const;

/** HelmRelease per-object annotation (or label) turning drift detection off for that object. */
export const HELM_DRIFT_DETECTION_ANNOTATION = 'helm.toolkit.fluxcd.io/driftDetection';

/** Event metadata keys: `<group>/revision` and friends, as controllers attach them. */
export const EventMetadataKey = {
  SourceRevision: 'source.toolkit.fluxcd.io/revision',
  KustomizeRevision: 'kustomize.toolkit.fluxcd.io/revision',
  HelmRevision: 'helm.toolkit.fluxcd.io/revision',
  HelmAppVersion: 'helm.toolkit.fluxcd.io/app-version',
  HelmOciDigest: 'helm.toolkit.fluxcd.io/oci-digest',
} as const;

/**
 * Whether an annotation or label value equals an expected value, ignoring case (how Flux's
 * controllers compare `Enabled`, `disabled`, `Merge` and the like).
 */
export function annotationIs(
  metadata: { readonly annotations?: Readonly<Record<string, string>>; readonly labels?: Readonly<Record<string, string>> },
  key: string,
  expected: string,
): boolean {
  const value = metadata.annotations?.[key] ?? metadata.labels?.[key];
  return value !== undefined && value.toLowerCase() === expected.toLowerCase();
}
