// SPDX-License-Identifier: Apache-2.0
/**
 * Status patching with Flux's semantics (`fluxcd/pkg/runtime/patch`): {@link SerialPatcher}
 * sends a reconcile's changes as JSON merge patches (conditions with conflict retry, metadata and
 * spec, then status), re-basing after every success.
 *
 * ```ts
 * const patcher = new SerialPatcher(obj, client, { fieldOwner: 'gotk-source-controller', clock });
 * try { ... } finally {
 *   await patcher.patch(obj, { ownedConditions: ['Ready', 'Reconciling', 'Stalled'] });
 * }
 * ```
 *
 * @packageDocumentation
 */
export * from './serial-patcher.ts';
export * from './merge-patch.ts';
export * from './errors.ts';
export * from './own-writes.ts';
