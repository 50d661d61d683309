// SPDX-License-Identifier: Apache-2.0
/**
 * Event predicates: `generationChanged`, `reconcileRequested`, `annotationChanged`,
 * `labelChanged`, composed with `and`, `or` and `not`.
 */
export * from './predicates.ts';
