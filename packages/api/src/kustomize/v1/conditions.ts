// SPDX-License-Identifier: Apache-2.0
/** Condition types and reasons of Kustomizations (kustomize-controller). */
import type { ConditionDoc } from '../../crd/define-kind.ts';
import { ConditionType, Reason } from '../../conditions/index.ts';

/** Reasons a Kustomization's conditions use. */
export const KustomizationReason = {
  ReconciliationSucceeded: Reason.ReconciliationSucceeded,
  ReconciliationFailed: Reason.ReconciliationFailed,
  Progressing: Reason.Progressing,
  ProgressingWithRetry: Reason.ProgressingWithRetry,
  DependencyNotReady: Reason.DependencyNotReady,
  ArtifactFailed: Reason.ArtifactFailed,
  BuildFailed: Reason.BuildFailed,
  HealthCheckFailed: Reason.HealthCheckFailed,
  HealthCheckCanceled: Reason.HealthCheckCanceled,
  PruneFailed: Reason.PruneFailed,
  InvalidCELExpression: Reason.InvalidCELExpression,
  FeatureGateDisabled: Reason.FeatureGateDisabled,
  AccessDenied: Reason.AccessDenied,
  Suspended: Reason.Suspended,
} as const;

/** The conditions a Kustomization reports. */
export const KUSTOMIZATION_CONDITION_DOCS: readonly ConditionDoc[] = [
  {
    type: ConditionType.Ready,
    description:
      'True (ReconciliationSucceeded) after a successful apply and health check; False with the failing step as reason; Unknown (Progressing) during a run.',
  },
  { type: ConditionType.Healthy, description: 'Result of the last health assessment, when wait or healthChecks are set.' },
  { type: ConditionType.Reconciling, description: 'Present while a run is in progress (ProgressingWithRetry after a failure).' },
  { type: ConditionType.Stalled, description: 'Present for errors a retry cannot fix: InvalidCELExpression, FeatureGateDisabled, AccessDenied.' },
];

/** Reasons listed in the reference docs. */
export const KUSTOMIZATION_REASONS: readonly string[] = Object.values(KustomizationReason);
