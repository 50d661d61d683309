// SPDX-License-Identifier: Apache-2.0
/**
 * The work queue: level-based, deduplicating, one worker per key, delayed adds and per-key
 * exponential backoff, with controller-runtime's `workqueue_*` metrics.
 */
export * from './work-queue.ts';
export * from './rate-limiting-queue.ts';
export * from './rate-limiter.ts';
export * from './metrics.ts';
