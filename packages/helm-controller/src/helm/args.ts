// SPDX-License-Identifier: Apache-2.0
/**
 * Pure builders of helm v4 argv for each action. They take typed options (already resolved from a
 * HelmRelease spec) plus the paths the driver prepared (kubeconfig, values file, post-render config)
 * and return the arguments after `helm`. `--atomic`/`--rollback-on-failure` is never used: the
 * controller remediates itself, like Flux.
 */
import { POST_RENDERER_PLUGIN } from './post-renderer.ts';

/** Helm 4's `--wait` strategies. `hookOnly` waits for hooks only (Flux's `disableWait`). */
export type WaitStrategy = 'watcher' | 'legacy' | 'hookOnly';

/** Options every release action shares. */
export interface ReleaseTarget {
  releaseName: string;
  /** The release namespace (`-n`); helm keeps its records there during the call (see `storage-staging.ts`). */
  namespace: string;
  /** Go duration, e.g. `5m0s`. */
  timeout: string;
}

/** Options of `helm install`. */
export interface InstallArgs extends ReleaseTarget {
  wait: WaitStrategy;
  waitForJobs: boolean;
  disableHooks: boolean;
  disableOpenAPIValidation: boolean;
  disableSchemaValidation: boolean;
  replace: boolean;
  skipCRDs: boolean;
  createNamespace: boolean;
  takeOwnership: boolean;
  serverSide: boolean;
  description?: string;
}

/** Options of `helm upgrade`. */
export interface UpgradeArgs extends ReleaseTarget {
  wait: WaitStrategy;
  waitForJobs: boolean;
  disableHooks: boolean;
  disableOpenAPIValidation: boolean;
  disableSchemaValidation: boolean;
  /** `--force-replace` (client-side apply only). */
  force: boolean;
  preserveValues: boolean;
  cleanupOnFail: boolean;
  /** 0 keeps every revision. */
  maxHistory: number;
  takeOwnership: boolean;
  serverSide: 'true' | 'false' | 'auto';
  skipCRDs: boolean;
  description?: string;
}

/** Options of `helm rollback`. */
export interface RollbackArgs extends ReleaseTarget {
  /** Revision to roll back to. */
  version: number;
  wait: WaitStrategy;
  waitForJobs: boolean;
  disableHooks: boolean;
  force: boolean;
  cleanupOnFail: boolean;
  maxHistory: number;
  serverSide: 'true' | 'false' | 'auto';
}

/** Options of `helm uninstall`. */
export interface UninstallArgs extends ReleaseTarget {
  disableHooks: boolean;
  keepHistory: boolean;
  /** Wait for the resources to be deleted. */
  wait: boolean;
  deletionPropagation: 'background' | 'foreground' | 'orphan';
}

/** One `spec.test.filters` entry. */
export interface TestFilter {
  name: string;
  exclude?: boolean;
}

/** Options of `helm test`. */
export interface TestArgs extends ReleaseTarget {
  filters?: TestFilter[];
}

/** Paths the driver prepared for one call. */
export interface CallFiles {
  kubeconfig: string;
  values?: string;
  postRenderConfig?: string;
}

function common(files: CallFiles, t: ReleaseTarget): string[] {
  return ['--kubeconfig', files.kubeconfig, '--namespace', t.namespace, '--timeout', t.timeout];
}

function flag(on: boolean, name: string): string[] {
  return on ? [name] : [];
}

function waitArgs(wait: WaitStrategy, waitForJobs: boolean): string[] {
  return [`--wait=${wait}`, ...flag(waitForJobs && wait !== 'hookOnly', '--wait-for-jobs')];
}

function renderArgs(files: CallFiles): string[] {
  const out = files.values ? ['--values', files.values] : [];
  if (files.postRenderConfig) out.push('--post-renderer', POST_RENDERER_PLUGIN, '--post-renderer-args', files.postRenderConfig);
  return out;
}

/** `helm install <release> <chart> …`. */
export function installArgs(chartPath: string, o: InstallArgs, files: CallFiles): string[] {
  return [
    'install', o.releaseName, chartPath,
    ...common(files, o),
    ...waitArgs(o.wait, o.waitForJobs),
    ...flag(o.disableHooks, '--no-hooks'),
    ...flag(o.disableOpenAPIValidation, '--disable-openapi-validation'),
    ...flag(o.disableSchemaValidation, '--skip-schema-validation'),
    ...flag(o.replace, '--replace'),
    ...flag(o.skipCRDs, '--skip-crds'),
    ...flag(o.createNamespace, '--create-namespace'),
    ...flag(o.takeOwnership, '--take-ownership'),
    `--server-side=${o.serverSide}`,
    ...flag(o.serverSide, '--force-conflicts'),
    ...(o.description ? ['--description', o.description] : []),
    ...renderArgs(files),
  ];
}

/** `helm upgrade <release> <chart> …` (never `--install`: install and upgrade are distinct actions). */
export function upgradeArgs(chartPath: string, o: UpgradeArgs, files: CallFiles): string[] {
  return [
    'upgrade', o.releaseName, chartPath,
    ...common(files, o),
    ...waitArgs(o.wait, o.waitForJobs),
    ...flag(o.disableHooks, '--no-hooks'),
    ...flag(o.disableOpenAPIValidation, '--disable-openapi-validation'),
    ...flag(o.disableSchemaValidation, '--skip-schema-validation'),
    ...flag(o.force && o.serverSide !== 'true', '--force-replace'),
    o.preserveValues ? '--reuse-values' : '--reset-values',
    ...flag(o.cleanupOnFail, '--cleanup-on-fail'),
    '--history-max', String(o.maxHistory),
    ...flag(o.takeOwnership, '--take-ownership'),
    `--server-side=${o.serverSide}`,
    ...flag(o.serverSide !== 'false', '--force-conflicts'),
    ...flag(o.skipCRDs, '--skip-crds'),
    ...(o.description ? ['--description', o.description] : []),
    ...renderArgs(files),
  ];
}

/** `helm rollback <release> <revision> …`. */
export function rollbackArgs(o: RollbackArgs, files: CallFiles): string[] {
  return [
    'rollback', o.releaseName, String(o.version),
    ...common(files, o),
    ...waitArgs(o.wait, o.waitForJobs),
    ...flag(o.disableHooks, '--no-hooks'),
    ...flag(o.force && o.serverSide !== 'true', '--force-replace'),
    ...flag(o.cleanupOnFail, '--cleanup-on-fail'),
    '--history-max', String(o.maxHistory),
    `--server-side=${o.serverSide}`,
    ...flag(o.serverSide !== 'false', '--force-conflicts'),
  ];
}

/** `helm uninstall <release> …`. */
export function uninstallArgs(o: UninstallArgs, files: CallFiles): string[] {
  return [
    'uninstall', o.releaseName,
    ...common(files, o),
    `--wait=${o.wait ? 'watcher' : 'hookOnly'}`,
    ...flag(o.disableHooks, '--no-hooks'),
    ...flag(o.keepHistory, '--keep-history'),
    '--cascade', o.deletionPropagation,
  ];
}

/** `helm test <release> …` with Flux's filters (`name=x`, `!name=y`). */
export function testArgs(o: TestArgs, files: CallFiles): string[] {
  const filters = (o.filters ?? []).map((f) => `${f.exclude ? '!' : ''}name=${f.name}`);
  return ['test', o.releaseName, ...common(files, o), ...(filters.length ? ['--filter', filters.join(',')] : [])];
}
