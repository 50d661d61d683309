#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
/**
 * `eddy-source-controller`: the entry point. Flux's source-controller flags (`--storage-path`,
 * `--storage-addr`, `--storage-adv-addr`, `--artifact-retention-ttl`, `--artifact-retention-records`,
 * `--requeue-dependency`, `--helm-index-max-size`, `--helm-chart-max-size`) plus the shared runtime
 * flags; serves artifacts and runs every source controller ({@link setupSourceController}) under
 * the manager.
 */
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { EventRecorder } from '@eddy/runtime/events';
import { defineFlags, flag, managerOptionsFromFlags, parseFeatureGates, runtimeFlags, validateRuntimeFlags } from '@eddy/runtime/flags';
import { createLogger } from '@eddy/runtime/log';
import { Manager } from '@eddy/runtime/manager';
import { setupSourceController } from './setup.ts';
import { startArtifactServer } from './storage/server.ts';
import { Storage } from './storage/storage.ts';

/** The flags of eddy-source-controller. */
export const sourceControllerFlags = {
  ...runtimeFlags,
  storagePath: flag.string('storage-path', '/data', 'The local storage path.'),
  storageAddr: flag.string('storage-addr', ':9090', 'The address the static file server binds to.'),
  storageAdvAddr: flag.string('storage-adv-addr', '', 'The advertised address of the static file server.'),
  artifactRetentionTtl: flag.duration('artifact-retention-ttl', 60_000, 'The duration of time that artifacts from previous reconciliations will be kept in storage before being garbage collected.'),
  artifactRetentionRecords: flag.int('artifact-retention-records', 2, 'The maximum number of artifacts to be kept in storage after a garbage collection.'),
  requeueDependency: flag.duration('requeue-dependency', 30_000, 'The interval at which failing dependencies are reevaluated.'),
  helmIndexMaxSize: flag.int('helm-index-max-size', 50 << 20, 'The max allowed size in bytes of a Helm repository index file.'),
  helmChartMaxSize: flag.int('helm-chart-max-size', 10 << 20, 'The max allowed size in bytes of a Helm chart file.'),
};

/** Flux's default advertised address: `source-controller.$(RUNTIME_NAMESPACE).svc.cluster.local.`. */
export function defaultAdvertisedAddress(storageAddr: string): string {
  const ns = process.env.RUNTIME_NAMESPACE;
  if (ns) return `source-controller.${ns}.svc.cluster.local.`;
  const port = storageAddr.slice(storageAddr.lastIndexOf(':') + 1);
  return `${hostname()}:${port}`;
}

async function main(argv: string[]): Promise<void> {
  const values = defineFlags(sourceControllerFlags, 'eddy-source-controller').parseOrExit(argv);
  const problems = validateRuntimeFlags(values);
  if (problems.length > 0) throw new Error(problems.join('; '));
  // No feature gates yet: any `--feature-gates` entry is rejected, as Flux rejects gates it does not support.
  parseFeatureGates(values.featureGates, {});
  const logger = createLogger({ level: values.logLevel as 'info' });
  mkdirSync(values.storagePath, { recursive: true });
  const storage = new Storage({
    basePath: values.storagePath,
    hostname: values.storageAdvAddr || defaultAdvertisedAddress(values.storageAddr),
    retention: { ttlMs: values.artifactRetentionTtl, records: values.artifactRetentionRecords },
  });
  const server = await startArtifactServer({ root: values.storagePath, address: values.storageAddr });
  const mgr = new Manager(managerOptionsFromFlags(values, { leaderElectionId: 'source-controller-leader-election', logger }));
  const events = new EventRecorder({ reportingController: 'source-controller', client: mgr.client, ...(values.eventsAddr ? { webhook: values.eventsAddr } : {}) });
  setupSourceController(mgr, {
    storage,
    events,
    concurrent: values.concurrent,
    dependencyRequeueMs: values.requeueDependency,
    maxIndexSize: values.helmIndexMaxSize,
    maxChartSize: values.helmChartMaxSize,
  });
  const stop = (): void => {
    void mgr.stop().finally(() => void server.close());
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  logger.info(`artifact server listening on ${server.url}`);
  await mgr.start();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // A clean shutdown returns from main; exit then, as a Go controller does, whatever timers remain.
  main(process.argv.slice(2)).then(() => process.exit(0)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
