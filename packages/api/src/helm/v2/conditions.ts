// SPDX-License-Identifier: Apache-2.0
/** Condition types and reasons of HelmReleases (helm-controller). */
import type { ConditionDoc } from '../../crd/define-kind.ts';
import { ConditionType, Reason } from '../../conditions/index.ts';

/** HelmRelease-specific condition types. */
export const HelmReleaseCondition = {
  /** Result of the last install or upgrade against the desired state. */
  Released: 'Released',
  /** Result of the last test run. */
  TestSuccess: 'TestSuccess',
  /** Result of the last remediation (rollback or uninstall). */
  Remediated: 'Remediated',
  /** Whether the cluster drifted from the release manifest. */
  Drifted: 'Drifted',
} as const;

/** HelmRelease reasons. */
export const HelmReleaseReason = {
  InstallSucceeded: 'InstallSucceeded',
  InstallFailed: 'InstallFailed',
  UpgradeSucceeded: 'UpgradeSucceeded',
  UpgradeFailed: 'UpgradeFailed',
  TestSucceeded: 'TestSucceeded',
  TestFailed: 'TestFailed',
  RollbackSucceeded: 'RollbackSucceeded',
  RollbackFailed: 'RollbackFailed',
  UninstallSucceeded: 'UninstallSucceeded',
  UninstallFailed: 'UninstallFailed',
  ArtifactFailed: 'ArtifactFailed',
  InitFailed: 'InitFailed',
  GetLastReleaseFailed: 'GetLastReleaseFailed',
  DriftDetected: 'DriftDetected',
  NoDriftDetected: 'NoDriftDetected',
  RetriesExceeded: 'RetriesExceeded',
  DependencyNotReady: Reason.DependencyNotReady,
  ReconciliationSucceeded: Reason.ReconciliationSucceeded,
  ReconciliationFailed: Reason.ReconciliationFailed,
  Progressing: Reason.Progressing,
  ProgressingWithRetry: Reason.ProgressingWithRetry,
  /** A release is pending (another helm operation in progress) or waits for its tests. */
  PendingRelease: 'PendingRelease',
  AwaitingTests: 'AwaitingTests',
  /** Remediation wanted a rollback but there is no earlier successful release. */
  MissingRollbackTarget: 'MissingRollbackTarget',
  /** The values (or `valuesFrom`) could not be composed. */
  ValuesError: 'ValuesError',
  /** The chart source has no artifact yet. */
  SourceNotReady: 'SourceNotReady',
  /** The chart could not be loaded or post-rendered. */
  ChartMutateError: 'ChartMutateError',
  /** No client for the target cluster (kubeConfig, impersonation). */
  RESTClientError: 'RESTClientError',
  /** The release storage could not be read or repaired. */
  StateError: 'StateError',
  ReconcileError: 'ReconcileError',
  /** A new chart revision or spec cancelled a running health check. */
  HealthCheckCanceled: 'HealthCheckCanceled',
  /** A `readyExpr` or `healthCheckExprs` expression does not compile. */
  InvalidCELExpression: 'InvalidCELExpression',
} as const;

/** The conditions a HelmRelease reports. */
export const HELM_RELEASE_CONDITION_DOCS: readonly ConditionDoc[] = [
  { type: ConditionType.Ready, description: 'Mirrors the outcome of the latest release action, with its reason.' },
  { type: HelmReleaseCondition.Released, description: 'InstallSucceeded/UpgradeSucceeded or InstallFailed/UpgradeFailed.' },
  { type: HelmReleaseCondition.TestSuccess, description: 'TestSucceeded or TestFailed, when tests are enabled.' },
  { type: HelmReleaseCondition.Remediated, description: 'RollbackSucceeded, UninstallSucceeded, RollbackFailed or UninstallFailed.' },
  { type: HelmReleaseCondition.Drifted, description: 'DriftDetected or NoDriftDetected, when drift detection is on.' },
  { type: ConditionType.Reconciling, description: 'Present while a reconciliation is in progress.' },
  { type: ConditionType.Stalled, description: 'Present when retries are exhausted (RetriesExceeded) or the spec is unusable.' },
];
