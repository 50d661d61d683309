// SPDX-License-Identifier: Apache-2.0
/**
 * `@eddy/runtime`: what controller-runtime and fluxcd/pkg/runtime give Flux, for Eddy's
 * controllers. Every area is also importable on its own as `@eddy/runtime/<dir>`:
 * - `client`: the dynamic Kubernetes client (discovery, SSA, patches, watches, ApiError);
 * - `informer`: reflector + shared, indexed caches that survive apiserver restarts and 410s;
 * - `queue`: the deduplicating, rate-limited work queue;
 * - `manager`: the manager, controller builder and reconcile loop;
 * - `predicates`, `leader`, `metrics`, `health`, `log`, `flags`, `clock`, `reconcile`.
 * @packageDocumentation
 */
export * from './client/index.ts';
export * from './clock/index.ts';
export * from './reconcile/index.ts';
export * from './informer/index.ts';
export * from './queue/index.ts';
export * from './predicates/index.ts';
export * from './leader/index.ts';
export * from './metrics/index.ts';
export * from './health/index.ts';
export * from './log/index.ts';
export * from './flags/index.ts';
export * from './manager/index.ts';
