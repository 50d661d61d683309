#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
/**
 * `eddy-kustomize-controller`: the entry point. Parses {@link kustomizeControllerFlags} (Flux's
 * kustomize-controller flags plus Eddy's `--kustomize-path`), starts a manager, and registers the
 * controller with {@link setupKustomizeController}, as the one-process mode does. A clean shutdown
 * (SIGTERM, SIGINT) exits the process with 0.
 */
import { EventRecorder } from '@eddy/runtime/events';
import { defineFlags, managerOptionsFromFlags, parseFeatureGates, validateRuntimeFlags } from '@eddy/runtime/flags';
import { configureRootLogger } from '@eddy/runtime/log';
import { Manager } from '@eddy/runtime/manager';
import { kustomizeControllerFlags, kustomizeFeatureGates } from './flags.ts';
import { setupKustomizeController } from './setup.ts';

export { kustomizeControllerFlags };

async function main(argv: string[]): Promise<void> {
  const values = defineFlags(kustomizeControllerFlags, 'eddy-kustomize-controller').parseOrExit(argv);
  const problems = validateRuntimeFlags(values);
  if (problems.length > 0) throw new Error(problems.join('; '));
  parseFeatureGates(values.featureGates, kustomizeFeatureGates); // unsupported gates stop the binary, as in Flux
  const logger = configureRootLogger({ level: values.logLevel as 'info', encoding: values.logEncoding });
  const mgr = new Manager(managerOptionsFromFlags(values, { leaderElectionId: 'kustomize-controller-leader-election', logger }));
  const events = new EventRecorder({ reportingController: 'kustomize-controller', client: mgr.client, clock: mgr.clock, ...(values.eventsAddr ? { webhook: values.eventsAddr } : {}) });
  const handle = await setupKustomizeController(mgr, { ...values, events });
  const stop = (): void => void mgr.stop();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    await mgr.start();
  } finally {
    await handle.stop();
    await events.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('eddy-kustomize-controller')) {
  // A clean shutdown returns from main; exit then, as a Go controller does, whatever timers remain.
  main(process.argv.slice(2)).then(() => process.exit(0)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
