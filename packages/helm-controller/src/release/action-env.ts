// SPDX-License-Identifier: Apache-2.0
/**
 * What the release actions run with — the helm driver, helm's storage, credentials, clock, events —
 * and the mapping of a HelmRelease's spec onto helm's flags (Flux's `internal/action/*.go`).
 */
import type { CelStatusEvaluators } from '@eddy/runtime/cel';
import type { KubeClient } from '@eddy/runtime/client';
import type { Clock } from '@eddy/runtime/clock';
import type { InstallArgs, RollbackArgs, TestArgs, UninstallArgs, UpgradeArgs, WaitStrategy } from '../helm/args.ts';
import type { ReleaseDriver } from '../helm/driver.ts';
import type { PostRenderConfig } from '../helm/post-renderer.ts';
import type { ReleaseStorage } from '../helm/storage.ts';
import type { Values } from '../values/merge.ts';
import type { HealthCheckEnv } from './health-check.ts';
import { maxHistoryOf, releaseNameOf, releaseNamespaceOf, timeoutOf, type HelmReleaseObject } from './types.ts';

/** Event annotations Flux attaches (`helm.toolkit.fluxcd.io/revision`, `/token`, `/app-version`, `/oci-digest`). */
export type EventMetadata = Record<string, string>;

/** Where release actions report Kubernetes events. */
export interface EventSink {
  event(type: 'Normal' | 'Warning', reason: string, message: string, metadata?: EventMetadata): void;
}

/** The desired chart of one reconcile, unpacked on disk. */
export interface DesiredChart {
  /** Chart directory or archive passed to helm. */
  path: string;
  name: string;
  /** The version as released (with `+<digest>` for OCI sources). */
  version: string;
  appVersion?: string;
  /** Files of the chart's `crds/` directory, applied per CRD policy when {@link ActionEnv.crds} is set. */
  crdFiles?: string[];
}

/** One release request: the object and its desired state. */
export interface ReleaseRequest {
  hr: HelmReleaseObject;
  chart: DesiredChart;
  values: Values;
  postRender: PostRenderConfig;
  /** Digest of the post-renderers, for `status.observedPostRenderersDigest`. */
  postRenderersDigest?: string;
  /** The compiled `spec.healthCheckExprs`, checked after a waited install or upgrade (see `health-check.ts`). */
  healthChecks?: CelStatusEvaluators;
}

/** Drift detection and correction, provided by the caller (see `src/drift`). */
export interface DriftHandler {
  /** Compares the release's manifest with the cluster. */
  detect(manifest: string): Promise<{ detected: boolean; summary: string; details: unknown }>;
  /** Corrects what {@link detect} found; returns the corrections made and the failures. */
  correct(details: unknown): Promise<{ changed: string[]; errors: string[] }>;
}

/** The environment of the release actions. */
export interface ActionEnv {
  /** The helm calls; staged through the release namespace when storage lives elsewhere (`helm/storage-staging.ts`). */
  driver: ReleaseDriver;
  /** Helm's storage, in the storage namespace. */
  storage: ReleaseStorage;
  /** Kubeconfig text for helm (release namespace, impersonation). */
  kubeconfig: string;
  clock: Clock;
  events: EventSink;
  signal?: AbortSignal;
  drift?: DriftHandler;
  /**
   * When set, the controller applies the chart's `crds/` per the CRD policy (Flux's behaviour) and
   * helm runs with `--skip-crds`; otherwise helm's install creates missing CRDs itself.
   */
  crds?: { client: Pick<KubeClient, 'get' | 'create' | 'update'>; fieldManager: string };
  /** Discovery of the target cluster, to record `status.inventory` (namespaced kinds); not recorded when unset. */
  discovery?: Pick<KubeClient, 'resourceFor'>;
  /** Reads the release's objects for `spec.healthCheckExprs`; the checks are skipped when unset (or without `discovery`). */
  health?: HealthCheckEnv;
}

/** Flux's wait strategy: `poller` → helm's `watcher`, `legacy` → `legacy`; `disableWait` → `hookOnly`. */
export function waitOf(hr: HelmReleaseObject, disableWait: boolean | undefined): WaitStrategy {
  if (disableWait) return 'hookOnly';
  return hr.spec.waitStrategy?.name === 'legacy' ? 'legacy' : 'watcher';
}

const ssa = (v: 'enabled' | 'disabled' | 'auto' | undefined): 'true' | 'false' | 'auto' =>
  v === 'enabled' ? 'true' : v === 'disabled' ? 'false' : 'auto';

function target(hr: HelmReleaseObject, action: 'install' | 'upgrade' | 'test' | 'rollback' | 'uninstall'): { releaseName: string; namespace: string; timeout: string } {
  return { releaseName: releaseNameOf(hr), namespace: releaseNamespaceOf(hr), timeout: timeoutOf(hr, action) };
}

/**
 * `helm install` flags. CRDs are skipped when the controller applies them (see `src/chart/crds.ts`);
 * otherwise helm creates missing ones unless the policy is `Skip`.
 */
export function installArgsOf(hr: HelmReleaseObject, controllerAppliesCRDs = false): InstallArgs {
  const i = hr.spec.install ?? {};
  return {
    ...target(hr, 'install'),
    wait: waitOf(hr, i.disableWait),
    waitForJobs: !i.disableWaitForJobs,
    disableHooks: i.disableHooks ?? false,
    disableOpenAPIValidation: i.disableOpenAPIValidation ?? false,
    disableSchemaValidation: i.disableSchemaValidation ?? false,
    replace: i.replace ?? false,
    skipCRDs: controllerAppliesCRDs || i.crds === 'Skip' || (i.crds === undefined && i.skipCRDs === true),
    createNamespace: hr.spec.targetNamespace ? (i.createNamespace ?? false) : false,
    takeOwnership: !i.disableTakeOwnership,
    serverSide: i.serverSideApply ?? true,
  };
}

/** `helm upgrade` flags (CRDs from the chart's `crds/` are handled by the controller per policy). */
export function upgradeArgsOf(hr: HelmReleaseObject): UpgradeArgs {
  const u = hr.spec.upgrade ?? {};
  return {
    ...target(hr, 'upgrade'),
    wait: waitOf(hr, u.disableWait),
    waitForJobs: !u.disableWaitForJobs,
    disableHooks: u.disableHooks ?? false,
    disableOpenAPIValidation: u.disableOpenAPIValidation ?? false,
    disableSchemaValidation: u.disableSchemaValidation ?? false,
    force: u.force ?? false,
    preserveValues: u.preserveValues ?? false,
    cleanupOnFail: u.cleanupOnFail ?? false,
    maxHistory: maxHistoryOf(hr),
    takeOwnership: !u.disableTakeOwnership,
    serverSide: ssa(u.serverSideApply),
    skipCRDs: true,
  };
}

/** `helm rollback` flags. `spec.rollback.recreate` is ignored, as in Flux 2.8+. */
export function rollbackArgsOf(hr: HelmReleaseObject, version: number): RollbackArgs {
  const r = hr.spec.rollback ?? {};
  return {
    ...target(hr, 'rollback'),
    version,
    wait: waitOf(hr, r.disableWait),
    waitForJobs: !r.disableWaitForJobs,
    disableHooks: r.disableHooks ?? false,
    force: r.force ?? false,
    cleanupOnFail: r.cleanupOnFail ?? false,
    maxHistory: maxHistoryOf(hr),
    serverSide: ssa(r.serverSideApply),
  };
}

/** `helm uninstall` flags. */
export function uninstallArgsOf(hr: HelmReleaseObject, releaseName?: string): UninstallArgs {
  const u = hr.spec.uninstall ?? {};
  return {
    ...target(hr, 'uninstall'),
    ...(releaseName ? { releaseName } : {}),
    disableHooks: u.disableHooks ?? false,
    keepHistory: u.keepHistory ?? false,
    wait: !u.disableWait,
    deletionPropagation: u.deletionPropagation ?? 'background',
  };
}

/** `helm test` flags. */
export function testArgsOf(hr: HelmReleaseObject): TestArgs {
  return { ...target(hr, 'test'), filters: hr.spec.test?.filters ?? [] };
}

/** The CRD policy of an action: `spec.<action>.crds`, else `Skip` for the deprecated `install.skipCRDs`, else `Create`. */
export function crdPolicyOf(hr: HelmReleaseObject, action: 'install' | 'upgrade'): 'Skip' | 'Create' | 'CreateReplace' {
  const spec = hr.spec[action];
  if (spec?.crds) return spec.crds;
  return action === 'install' && hr.spec.install?.skipCRDs ? 'Skip' : 'Create';
}
