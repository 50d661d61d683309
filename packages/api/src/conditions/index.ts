// SPDX-License-Identifier: Apache-2.0
/**
 * Condition types and reasons shared by every kind (Flux's `fluxcd/pkg/apis/meta`). Kind-specific
 * ones live beside each group (`source/v1/conditions.ts`, `helm/v2/conditions.ts`, ...).
 *
 * `Ready` is always present. `Reconciling` and `Stalled` are "abnormal-true": present only while
 * True. The strings are wire format: Flux's CLI and kstatus read them.
 */

/** Condition types common to all kinds. */
export const ConditionType = {
  /** The object is reconciled and its outputs are usable. Always present. */
  Ready: 'Ready',
  /** A reconciliation is in progress. Present only while True. */
  Reconciling: 'Reconciling',
  /** Reconciliation cannot proceed without a change to the object. Present only while True. */
  Stalled: 'Stalled',
  /** Result of the last health assessment (Kustomization). */
  Healthy: 'Healthy',
} as const;

/** A condition type common to all kinds. */
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

/** Condition types that are only present while True. */
export const NEGATIVE_POLARITY_CONDITIONS: readonly string[] = [ConditionType.Reconciling, ConditionType.Stalled];

/** Reasons common to all kinds. */
export const Reason = {
  Succeeded: 'Succeeded',
  Failed: 'Failed',
  Progressing: 'Progressing',
  ProgressingWithRetry: 'ProgressingWithRetry',
  Suspended: 'Suspended',
  DependencyNotReady: 'DependencyNotReady',
  InvalidPath: 'InvalidPath',
  InvalidURL: 'InvalidURL',
  PruneFailed: 'PruneFailed',
  ArtifactFailed: 'ArtifactFailed',
  BuildFailed: 'BuildFailed',
  HealthCheckFailed: 'HealthCheckFailed',
  HealthCheckCanceled: 'HealthCheckCanceled',
  ReconciliationSucceeded: 'ReconciliationSucceeded',
  ReconciliationFailed: 'ReconciliationFailed',
  InvalidCELExpression: 'InvalidCELExpression',
  FeatureGateDisabled: 'FeatureGateDisabled',
  /** A cross-namespace reference was refused (ACL). */
  AccessDenied: 'AccessDenied',
} as const;

/** A reason common to all kinds. */
export type Reason = (typeof Reason)[keyof typeof Reason];

/** Condition status values. */
export const ConditionStatus = { True: 'True', False: 'False', Unknown: 'Unknown' } as const;

/** A condition status value. */
export type ConditionStatus = (typeof ConditionStatus)[keyof typeof ConditionStatus];
