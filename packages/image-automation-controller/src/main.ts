#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
/**
 * `eddy-image-automation-controller`: the entry point. The shared runtime flags (`--concurrent`,
 * `--events-addr`, `--no-cross-namespace-refs`, leader election, metrics, health) and
 * `--feature-gates` with Flux's `GitForcePushBranch`, `GitAllBranchReferences` and
 * `GitShallowClone` (all default true); runs the
 * ImageUpdateAutomation controller under a manager.
 */
import { runtimeFlags } from '@eddy/runtime/flags';
import { runControllerMain, runIfMain } from '@eddy/runtime/main';
import { imageAutomationFeatureGates, setupImageAutomation } from './setup.ts';

/** The flags of eddy-image-automation-controller. */
export const imageAutomationFlags = { ...runtimeFlags };

/** Runs eddy-image-automation-controller with `argv`. */
function main(argv: string[]): Promise<void> {
  return runControllerMain(argv, {
    component: 'image-automation-controller',
    flags: imageAutomationFlags,
    featureGates: imageAutomationFeatureGates,
    setup: ({ mgr, values, gates, events }) => {
      setupImageAutomation(mgr, {
        events,
        concurrent: values.concurrent,
        noCrossNamespaceRefs: values.noCrossNamespaceRefs,
        forcePushBranch: gates.GitForcePushBranch,
        allBranchReferences: gates.GitAllBranchReferences,
        shallowClone: gates.GitShallowClone,
      });
    },
  });
}

runIfMain(import.meta.url, 'eddy-image-automation-controller', main);
