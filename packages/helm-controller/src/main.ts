#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
/**
 * `eddy-helm-controller`: the entry point. Flux's helm-controller flags (`--requeue-dependency`,
 * `--no-cross-namespace-refs`, `--default-service-account`, `--insecure-kubeconfig-exec`,
 * `--insecure-kubeconfig-tls`, `--interval-jitter-percentage`) plus Eddy's `--helm-path`,
 * `--kustomize-path` and `--work-dir` ({@link helmControllerFlags}); the controller and its watches
 * are registered by {@link setupHelmController}, exactly as in one-process mode.
 */
import { EventRecorder } from '@eddy/runtime/events';
import { defineFlags, managerOptionsFromFlags, parseFeatureGates, validateRuntimeFlags } from '@eddy/runtime/flags';
import { createLogger } from '@eddy/runtime/log';
import { Manager } from '@eddy/runtime/manager';
import { helmControllerFlags, helmFeatureGates, setupHelmController } from './setup.ts';

export { controllerAccess, helmControllerFlags } from './setup.ts';

async function main(argv: string[]): Promise<void> {
  const values = defineFlags(helmControllerFlags, 'eddy-helm-controller').parseOrExit(argv);
  const problems = validateRuntimeFlags(values);
  if (problems.length > 0) throw new Error(problems.join('; '));
  parseFeatureGates(values.featureGates, helmFeatureGates); // unsupported gates stop the binary, as in Flux
  const logger = createLogger({ level: values.logLevel as 'info' });
  const mgr = new Manager(managerOptionsFromFlags(values, { leaderElectionId: 'helm-controller-leader-election', logger }));
  const events = new EventRecorder({ reportingController: 'helm-controller', client: mgr.client, clock: mgr.clock, ...(values.eventsAddr ? { webhook: values.eventsAddr } : {}) });
  const handle = await setupHelmController(mgr, { ...values, events });
  const stop = (): void => void mgr.stop();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    await mgr.start();
  } finally {
    await events.stop();
    await handle.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('eddy-helm-controller')) {
  // A clean shutdown returns from main; exit then, as a Go controller does, whatever timers remain.
  main(process.argv.slice(2)).then(() => process.exit(0)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
