#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
/**
 * `eddy-image-automation-controller`: the entry point. The shared runtime flags (`--concurrent`,
 * `--events-addr`, `--no-cross-namespace-refs`, leader election, metrics, health) and
 * `--feature-gates` with Flux's `GitForcePushBranch`, `GitAllBranchReferences` and
 * `GitShallowClone` (all default true); runs the
 * ImageUpdateAutomation controller under a manager.
 */
import { EventRecorder } from '@eddy/runtime/events';
import { defineFlags, managerOptionsFromFlags, parseFeatureGates, runtimeFlags, validateRuntimeFlags } from '@eddy/runtime/flags';
import { createLogger } from '@eddy/runtime/log';
import { Manager } from '@eddy/runtime/manager';
import { imageAutomationFeatureGates, setupImageAutomation } from './setup.ts';

/** The flags of eddy-image-automation-controller. */
export const imageAutomationFlags = { ...runtimeFlags };

async function main(argv: string[]): Promise<void> {
  const values = defineFlags(imageAutomationFlags, 'eddy-image-automation-controller').parseOrExit(argv);
  const problems = validateRuntimeFlags(values);
  if (problems.length > 0) throw new Error(problems.join('; '));
  const gates = parseFeatureGates(values.featureGates, imageAutomationFeatureGates);
  const logger = createLogger({ level: values.logLevel as 'info' });
  const mgr = new Manager(managerOptionsFromFlags(values, { leaderElectionId: 'image-automation-controller-leader-election', logger }));
  const events = new EventRecorder({
    reportingController: 'image-automation-controller',
    client: mgr.client,
    clock: mgr.clock,
    ...(values.eventsAddr ? { webhook: values.eventsAddr } : {}),
  });
  setupImageAutomation(mgr, {
    events,
    concurrent: values.concurrent,
    noCrossNamespaceRefs: values.noCrossNamespaceRefs,
    forcePushBranch: gates.GitForcePushBranch,
    allBranchReferences: gates.GitAllBranchReferences,
    shallowClone: gates.GitShallowClone,
  });
  const uninstall = mgr.handleSignals();
  try {
    await mgr.start();
  } finally {
    uninstall();
    await events.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // A clean shutdown returns from main; exit then, as a Go controller does, whatever timers remain.
  main(process.argv.slice(2)).then(() => process.exit(0)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
