#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
/**
 * `eddy-helm-controller`: the entry point. Flux's helm-controller flags (`--requeue-dependency`,
 * `--no-cross-namespace-refs`, `--default-service-account`, `--insecure-kubeconfig-exec`,
 * `--insecure-kubeconfig-tls`, `--interval-jitter-percentage`) plus Eddy's `--helm-path`,
 * `--kustomize-path` and `--work-dir` ({@link helmControllerFlags}); the controller and its watches
 * are registered by {@link setupHelmController}, exactly as in one-process mode.
 */
import { runControllerMain, runIfMain } from '@eddy/runtime/main';
import { helmControllerFlags, helmFeatureGates, setupHelmController } from './setup.ts';

export { controllerAccess, helmControllerFlags } from './setup.ts';

/** Runs eddy-helm-controller with `argv`. */
function main(argv: string[]): Promise<void> {
  return runControllerMain(argv, {
    component: 'helm-controller',
    flags: helmControllerFlags,
    featureGates: helmFeatureGates,
    setup: ({ mgr, values, events }) => setupHelmController(mgr, { ...values, events }),
  });
}

runIfMain(import.meta.url, 'eddy-helm-controller', main);
