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
import { flag, runtimeFlags } from '@eddy/runtime/flags';
import { runControllerMain, runIfMain } from '@eddy/runtime/main';
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

/** Runs eddy-source-controller with `argv`; it supports no feature gates yet. */
function main(argv: string[]): Promise<void> {
  return runControllerMain(argv, {
    component: 'source-controller',
    flags: sourceControllerFlags,
    featureGates: {},
    async setup({ mgr, values, events, logger }) {
      mkdirSync(values.storagePath, { recursive: true });
      const storage = new Storage({
        basePath: values.storagePath,
        hostname: values.storageAdvAddr || defaultAdvertisedAddress(values.storageAddr),
        retention: { ttlMs: values.artifactRetentionTtl, records: values.artifactRetentionRecords },
      });
      const server = await startArtifactServer({ root: values.storagePath, address: values.storageAddr });
      setupSourceController(mgr, {
        storage,
        events,
        concurrent: values.concurrent,
        dependencyRequeueMs: values.requeueDependency,
        maxIndexSize: values.helmIndexMaxSize,
        maxChartSize: values.helmChartMaxSize,
      });
      logger.info(`artifact server listening on ${server.url}`);
      return { stop: () => server.close() };
    },
  });
}

runIfMain(import.meta.url, 'eddy-source-controller', main);
