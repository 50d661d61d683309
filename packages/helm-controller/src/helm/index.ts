// SPDX-License-Identifier: Apache-2.0
/**
 * A typed driver over the real `helm` v4 binary (install, upgrade, test, rollback, uninstall,
 * history, status, get manifest, template), helm's Secret storage, Flux's post-renderers as a
 * Helm 4 plugin, and typed errors from helm's stderr.
 */
export * from './errors.ts';
export * from './exec.ts';
export * from './args.ts';
export * from './kubeconfig.ts';
export * from './post-renderer.ts';
export * from './release-record.ts';
export * from './storage.ts';
export * from './storage-staging.ts';
export * from './driver.ts';
