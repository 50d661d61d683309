// SPDX-License-Identifier: Apache-2.0
/** The pure parts of Flux's server-side apply: identity, ordering, stages, policies, cleanup, change sets. */
export * from './change-set.ts';
export * from './cleanup.ts';
export * from './objects.ts';
export * from './policy.ts';
export * from './sort.ts';
export * from './prune.ts';
export * from './resource-manager.ts';
