// SPDX-License-Identifier: Apache-2.0
/**
 * `@eddy/runtime`: what controller-runtime and fluxcd/pkg/runtime give Flux, for Eddy's
 * controllers. Every area is also importable on its own as `@eddy/runtime/<dir>`:
 * - `client`: the dynamic Kubernetes client (discovery, SSA, patches, watches, ApiError);
 * - `informer`: reflector + shared, indexed caches that survive apiserver restarts and 410s;
 * - `queue`: the deduplicating, rate-limited work queue;
 * - `manager`: the manager, controller builder and reconcile loop;
 * - `predicates`, `leader`, `metrics`, `health`, `log`, `flags`, `clock`, `reconcile`;
 * - `conditions`, `patch`, `finalizers`, `summarize`, `events`, `conformance`, `kstatus` (Flux status semantics);
 * - `git`, `oci`: protocol clients shared by the source and image controllers.
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

// Status machinery and protocol clients, namespaced to keep their names apart.
export * as conditions from './conditions/index.ts';
export * as patch from './patch/index.ts';
export * as finalizers from './finalizers/index.ts';
export * as summarize from './summarize/index.ts';
export * as events from './events/index.ts';
export * as conformance from './conformance/index.ts';
export * as kstatus from './kstatus/index.ts';
export * as git from './git/index.ts';
export * as oci from './oci/index.ts';
