#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
/**
 * `eddy-image-reflector-controller`: the entry point. Flux's image-reflector-controller flags
 * (`--storage-path`, plus the shared runtime flags: `--concurrent`, `--events-addr`,
 * `--no-cross-namespace-refs`, `--requeue-dependency`, leader election, metrics, health) and the
 * ImageRepository and ImagePolicy controllers under one manager.
 */
import { mkdirSync } from 'node:fs';
import { EventRecorder } from '@eddy/runtime/events';
import { defineFlags, flag, managerOptionsFromFlags, parseFeatureGates, runtimeFlags, validateRuntimeFlags } from '@eddy/runtime/flags';
import { createLogger } from '@eddy/runtime/log';
import { Manager } from '@eddy/runtime/manager';
import { setupImageReflector } from './setup.ts';

/** The flags of eddy-image-reflector-controller. */
export const imageReflectorFlags = {
  ...runtimeFlags,
  storagePath: flag.string('storage-path', '/data', 'Where to store the scanned tags of image repositories.'),
  storageCacheBytes: flag.int('storage-cache-bytes', 64 << 20, 'Upper bound, in bytes, of the in-memory cache of scanned tags.'),
};

async function main(argv: string[]): Promise<void> {
  const values = defineFlags(imageReflectorFlags, 'eddy-image-reflector-controller').parseOrExit(argv);
  const problems = validateRuntimeFlags(values);
  if (problems.length > 0) throw new Error(problems.join('; '));
  // No feature gates yet: any `--feature-gates` entry is rejected, as Flux rejects gates it does not support.
  parseFeatureGates(values.featureGates, {});
  const logger = createLogger({ level: values.logLevel as 'info' });
  mkdirSync(values.storagePath, { recursive: true, mode: 0o700 });
  const mgr = new Manager(managerOptionsFromFlags(values, { leaderElectionId: 'image-reflector-controller-leader-election', logger }));
  const events = new EventRecorder({
    reportingController: 'image-reflector-controller',
    client: mgr.client,
    clock: mgr.clock,
    ...(values.eventsAddr ? { webhook: values.eventsAddr } : {}),
  });
  setupImageReflector(mgr, {
    storagePath: values.storagePath,
    storageCacheBytes: values.storageCacheBytes,
    events,
    concurrent: values.concurrent,
    noCrossNamespaceRefs: values.noCrossNamespaceRefs,
    dependencyRequeueMs: values.requeueDependency,
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
