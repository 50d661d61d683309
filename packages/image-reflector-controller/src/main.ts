#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
/**
 * `eddy-image-reflector-controller`: the entry point. Flux's image-reflector-controller flags
 * (`--storage-path`, plus the shared runtime flags: `--concurrent`, `--events-addr`,
 * `--no-cross-namespace-refs`, `--requeue-dependency`, leader election, metrics, health) and the
 * ImageRepository and ImagePolicy controllers under one manager.
 */
import { mkdirSync } from 'node:fs';
import { flag, runtimeFlags } from '@eddy/runtime/flags';
import { runControllerMain, runIfMain } from '@eddy/runtime/main';
import { setupImageReflector } from './setup.ts';

/** The flags of eddy-image-reflector-controller. */
export const imageReflectorFlags = {
  ...runtimeFlags,
  storagePath: flag.string('storage-path', '/data', 'Where to store the scanned tags of image repositories.'),
  storageCacheBytes: flag.int('storage-cache-bytes', 64 << 20, 'Upper bound, in bytes, of the in-memory cache of scanned tags.'),
};

/** Runs eddy-image-reflector-controller with `argv`; it supports no feature gates yet. */
function main(argv: string[]): Promise<void> {
  return runControllerMain(argv, {
    component: 'image-reflector-controller',
    flags: imageReflectorFlags,
    featureGates: {},
    setup: ({ mgr, values, events }) => {
      mkdirSync(values.storagePath, { recursive: true, mode: 0o700 });
      setupImageReflector(mgr, {
        storagePath: values.storagePath,
        storageCacheBytes: values.storageCacheBytes,
        events,
        concurrent: values.concurrent,
        noCrossNamespaceRefs: values.noCrossNamespaceRefs,
        dependencyRequeueMs: values.requeueDependency,
      });
    },
  });
}

runIfMain(import.meta.url, 'eddy-image-reflector-controller', main);
