// SPDX-License-Identifier: Apache-2.0
/**
 * HelmRelease condition types, reasons and message formats, verbatim from Flux
 * (`api/v2/condition_types.go`, `internal/reconcile/*.go`), so `kubectl get hr`, `flux get hr` and
 * notification filters read the same text.
 */
import { ConditionType } from '@eddy/api/conditions';
import { HelmReleaseCondition, HelmReleaseReason } from '@eddy/api/helm/v2';
import { fullName, versionedChartName } from './snapshot.ts';
import type { Snapshot } from './types.ts';

/** HelmRelease condition types (the API's, so the controller and its CRD docs cannot drift apart). */
export const CONDITIONS = { ...ConditionType, ...HelmReleaseCondition } as const;

/** HelmRelease reasons (the API's). */
export const REASONS = HelmReleaseReason;

/** `Helm install failed for release <ns>/<name> with chart <chart>@<version>: <err>`. */
export const installFailure = (ns: string, name: string, chart: string, version: string, err: string): string =>
  `Helm install failed for release ${ns}/${name} with chart ${chart}@${version}: ${err.trim()}`;
/** `Helm install succeeded for release <ns>/<name>.v<n> with chart <chart>@<version>`. */
export const installSuccess = (s: Snapshot): string => `Helm install succeeded for release ${fullName(s)} with chart ${versionedChartName(s)}`;
/** `Helm upgrade failed for release <ns>/<name> with chart <chart>@<version>: <err>`. */
export const upgradeFailure = (ns: string, name: string, chart: string, version: string, err: string): string =>
  `Helm upgrade failed for release ${ns}/${name} with chart ${chart}@${version}: ${err.trim()}`;
/** `Helm upgrade succeeded for release … with chart …`. */
export const upgradeSuccess = (s: Snapshot): string => `Helm upgrade succeeded for release ${fullName(s)} with chart ${versionedChartName(s)}`;
/** `Helm release … with chart … is awaiting tests`. */
export const testPending = (s: Snapshot): string => `Helm release ${fullName(s)} with chart ${versionedChartName(s)} is awaiting tests`;
/** `Helm test failed for release … with chart …: <err>`. */
export const testFailure = (s: Snapshot, err: string): string => `Helm test failed for release ${fullName(s)} with chart ${versionedChartName(s)}: ${err.trim()}`;
/** `Helm test succeeded for release … with chart …: <n> test hook(s) completed successfully`. */
export function testSuccess(s: Snapshot): string {
  const n = Object.keys(s.testHooks ?? {}).length;
  const hooks = n === 0 ? 'no test hooks' : `${n} test ${n > 1 ? 'hooks' : 'hook'} completed successfully`;
  return `Helm test succeeded for release ${fullName(s)} with chart ${versionedChartName(s)}: ${hooks}`;
}
/** `Helm rollback to previous release … with chart … failed: <err>`. */
export const rollbackFailure = (prev: Snapshot, err: string): string =>
  `Helm rollback to previous release ${fullName(prev)} with chart ${versionedChartName(prev)} failed: ${err.trim()}`;
/** `Helm rollback to previous release … with chart … succeeded`. */
export const rollbackSuccess = (prev: Snapshot): string =>
  `Helm rollback to previous release ${fullName(prev)} with chart ${versionedChartName(prev)} succeeded`;
/** `Helm uninstall remediation for release … with chart … failed: <err>`. */
export const uninstallRemediationFailure = (s: Snapshot, err: string): string =>
  `Helm uninstall remediation for release ${fullName(s)} with chart ${versionedChartName(s)} failed: ${err.trim()}`;
/** `Helm uninstall remediation for release … with chart … succeeded`. */
export const uninstallRemediationSuccess = (s: Snapshot): string =>
  `Helm uninstall remediation for release ${fullName(s)} with chart ${versionedChartName(s)} succeeded`;
/** `Helm uninstall failed for release … with chart …: <err>`. */
export const uninstallFailure = (s: Snapshot, err: string): string =>
  `Helm uninstall failed for release ${fullName(s)} with chart ${versionedChartName(s)}: ${err.trim()}`;
/** `Helm uninstall succeeded for release … with chart …`. */
export const uninstallSuccess = (s: Snapshot): string => `Helm uninstall succeeded for release ${fullName(s)} with chart ${versionedChartName(s)}`;
/** `Unlocked Helm release … with chart … in <status> state`. */
export const unlockSuccess = (s: Snapshot, status: string): string =>
  `Unlocked Helm release ${fullName(s)} with chart ${versionedChartName(s)} in ${status} state`;
/** `Unlock of Helm release … with chart … in <status> state failed: <err>`. */
export const unlockFailure = (s: Snapshot, status: string, err: string): string =>
  `Unlock of Helm release ${fullName(s)} with chart ${versionedChartName(s)} in ${status} state failed: ${err.trim()}`;
/** `Running '<action>' action with timeout of <timeout>`. */
export const runningAction = (action: string, timeout: string): string => `Running '${action}' action with timeout of ${timeout}`;
