// SPDX-License-Identifier: Apache-2.0
/**
 * Informers: a list-then-watch {@link Reflector} that survives apiserver restarts and 410s,
 * feeding an indexed cache shared per kind and scope, with add/update/delete handlers.
 */
export * from './store.ts';
export * from './reflector.ts';
export * from './shared-informer.ts';
export * from './factory.ts';
