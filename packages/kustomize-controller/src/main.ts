#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
/**
 * `eddy-kustomize-controller`: the entry point. Parses {@link kustomizeControllerFlags} (Flux's
 * kustomize-controller flags plus Eddy's `--kustomize-path`), starts a manager, and registers the
 * controller with {@link setupKustomizeController}, as the one-process mode does. A clean shutdown
 * (SIGTERM, SIGINT) exits the process with 0.
 */
import { runControllerMain, runIfMain } from '@eddy/runtime/main';
import { kustomizeControllerFlags, kustomizeFeatureGates } from './flags.ts';
import { setupKustomizeController } from './setup.ts';

export { kustomizeControllerFlags };

/** Runs eddy-kustomize-controller with `argv`. */
function main(argv: string[]): Promise<void> {
  return runControllerMain(argv, {
    component: 'kustomize-controller',
    flags: kustomizeControllerFlags,
    featureGates: kustomizeFeatureGates,
    setup: ({ mgr, values, events }) => setupKustomizeController(mgr, { ...values, events }),
  });
}

runIfMain(import.meta.url, 'eddy-kustomize-controller', main);
