// SPDX-License-Identifier: Apache-2.0
/**
 * The parts of `helm.toolkit.fluxcd.io/v2` HelmRelease the release state machine reads and writes,
 * as JSON (field names exactly as Flux's), plus Flux's defaulting accessors
 * (`api/v2/helmrelease_types.go`: `GetReleaseName`, `GetTimeout`, `GetActiveRemediation`, …).
 *
 * These are structural: the full API types live in `@eddy/api`; any object with these fields fits.
 */
import type { Condition } from '@eddy/runtime/conditions';
import type { TestFilter } from '../helm/args.ts';
import { shortenName } from './names.ts';

/** `spec.install.strategy` / `spec.upgrade.strategy`. */
export interface ActionStrategy {
  name: 'RemediateOnFailure' | 'RetryOnFailure';
  /** Go duration; only with RetryOnFailure. @default 5m */
  retryInterval?: string;
}

/** `spec.install.remediation` / `spec.upgrade.remediation`. */
export interface RemediationSpec {
  retries?: number;
  ignoreTestFailures?: boolean;
  remediateLastFailure?: boolean;
  /** Upgrade only. @default rollback */
  strategy?: 'rollback' | 'uninstall';
}

/** CRD policy of install/upgrade. */
export type CRDsPolicy = 'Skip' | 'Create' | 'CreateReplace';

/** `spec.install`. */
export interface InstallSpec {
  timeout?: string;
  strategy?: ActionStrategy;
  remediation?: RemediationSpec;
  disableTakeOwnership?: boolean;
  disableWait?: boolean;
  disableWaitForJobs?: boolean;
  disableHooks?: boolean;
  disableOpenAPIValidation?: boolean;
  disableSchemaValidation?: boolean;
  replace?: boolean;
  skipCRDs?: boolean;
  crds?: CRDsPolicy;
  createNamespace?: boolean;
  serverSideApply?: boolean;
}

/** `spec.upgrade`. */
export interface UpgradeSpec {
  timeout?: string;
  strategy?: ActionStrategy;
  remediation?: RemediationSpec;
  disableTakeOwnership?: boolean;
  disableWait?: boolean;
  disableWaitForJobs?: boolean;
  disableHooks?: boolean;
  disableOpenAPIValidation?: boolean;
  disableSchemaValidation?: boolean;
  force?: boolean;
  preserveValues?: boolean;
  cleanupOnFail?: boolean;
  crds?: CRDsPolicy;
  serverSideApply?: 'enabled' | 'disabled' | 'auto';
  chartNameChangeStrategy?: 'InPlaceUpdate' | 'Reinstall';
}

/** `spec.test`. */
export interface TestSpec {
  enable?: boolean;
  timeout?: string;
  ignoreFailures?: boolean;
  filters?: TestFilter[];
}

/** `spec.rollback`. */
export interface RollbackSpec {
  timeout?: string;
  disableWait?: boolean;
  disableWaitForJobs?: boolean;
  disableHooks?: boolean;
  recreate?: boolean;
  force?: boolean;
  cleanupOnFail?: boolean;
  serverSideApply?: 'enabled' | 'disabled' | 'auto';
}

/** `spec.uninstall`. */
export interface UninstallSpec {
  timeout?: string;
  disableHooks?: boolean;
  keepHistory?: boolean;
  disableWait?: boolean;
  deletionPropagation?: 'background' | 'foreground' | 'orphan';
}

/** A kustomize `Selector` used by drift ignore rules. */
export interface Selector {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  annotationSelector?: string;
  labelSelector?: string;
}

/** `spec.driftDetection`. */
export interface DriftDetectionSpec {
  mode?: 'enabled' | 'warn' | 'disabled';
  ignore?: Array<{ paths: string[]; target?: Selector }>;
}

/** The spec fields the controller reads. */
export interface HelmReleaseSpec {
  interval?: string;
  releaseName?: string;
  targetNamespace?: string;
  storageNamespace?: string;
  timeout?: string;
  maxHistory?: number;
  serviceAccountName?: string;
  driftDetection?: DriftDetectionSpec;
  install?: InstallSpec;
  upgrade?: UpgradeSpec;
  test?: TestSpec;
  rollback?: RollbackSpec;
  uninstall?: UninstallSpec;
  waitStrategy?: { name: 'poller' | 'legacy' };
  [key: string]: unknown;
}

/** `status.history[].testHooks[name]`. */
export interface TestHookStatus {
  lastStarted?: string;
  lastCompleted?: string;
  phase?: string;
}

/** `status.history[]`: Flux's `Snapshot`. */
export interface Snapshot {
  apiVersion?: string;
  digest: string;
  name: string;
  namespace: string;
  version: number;
  status: string;
  action?: string;
  chartName: string;
  chartVersion: string;
  appVersion?: string;
  configDigest: string;
  firstDeployed: string;
  lastDeployed: string;
  deleted?: string;
  testHooks?: Record<string, TestHookStatus>;
  ociDigest?: string;
}

/** The status fields the controller owns. */
export interface HelmReleaseStatus {
  observedGeneration?: number;
  lastAttemptedGeneration?: number;
  conditions?: Condition[];
  helmChart?: string;
  storageNamespace?: string;
  history?: Snapshot[];
  lastAttemptedReleaseAction?: 'install' | 'upgrade';
  lastAttemptedReleaseActionDuration?: string;
  failures?: number;
  installFailures?: number;
  upgradeFailures?: number;
  lastAttemptedRevision?: string;
  lastAttemptedRevisionDigest?: string;
  lastAttemptedValuesChecksum?: string;
  lastReleaseRevision?: number;
  lastAttemptedConfigDigest?: string;
  lastHandledForceAt?: string;
  lastHandledResetAt?: string;
  lastHandledReconcileAt?: string;
  observedPostRenderersDigest?: string;
  observedCommonMetadataDigest?: string;
  /** The objects of the current release (see `inventory.ts`). */
  inventory?: { entries: Array<{ id: string; v: string }> };
  [key: string]: unknown;
}

/** A HelmRelease as the state machine sees it. */
export interface HelmReleaseObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace: string;
    generation?: number;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  spec: HelmReleaseSpec;
  status?: HelmReleaseStatus;
}

/** The default `spec.timeout`. */
export const DEFAULT_TIMEOUT = '5m0s';
/** The default `spec.maxHistory` and the history cap. */
export const DEFAULT_MAX_HISTORY = 5;

/** `[targetNamespace-]name`, or `spec.releaseName`, shortened to 53 characters like Flux. */
export function releaseNameOf(hr: HelmReleaseObject): string {
  const raw = hr.spec.releaseName || (hr.spec.targetNamespace ? `${hr.spec.targetNamespace}-${hr.metadata.name}` : hr.metadata.name);
  return shortenName(raw);
}

/** `spec.targetNamespace` or the object's namespace. */
export function releaseNamespaceOf(hr: HelmReleaseObject): string {
  return hr.spec.targetNamespace || hr.metadata.namespace;
}

/** `spec.storageNamespace` or the object's namespace (Flux's `GetStorageNamespace`). */
export function storageNamespaceOf(hr: HelmReleaseObject): string {
  return hr.spec.storageNamespace || hr.metadata.namespace;
}

/** The timeout of an action: its own, else `spec.timeout`, else 5m. */
export function timeoutOf(hr: HelmReleaseObject, action: 'install' | 'upgrade' | 'test' | 'rollback' | 'uninstall'): string {
  return hr.spec[action]?.timeout ?? hr.spec.timeout ?? DEFAULT_TIMEOUT;
}

/** `spec.maxHistory`, default 5 (0 = unlimited). */
export function maxHistoryOf(hr: HelmReleaseObject): number {
  return hr.spec.maxHistory ?? DEFAULT_MAX_HISTORY;
}

/** The status, created when absent. */
export function statusOf(hr: HelmReleaseObject): HelmReleaseStatus {
  hr.status ??= {};
  return hr.status;
}
