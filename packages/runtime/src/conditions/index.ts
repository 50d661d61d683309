// SPDX-License-Identifier: Apache-2.0
/**
 * Status conditions with Flux's exact semantics (`fluxcd/pkg/runtime/conditions`): getters,
 * setters that preserve `lastTransitionTime` and stamp `observedGeneration`, the Ready summary
 * merge, and the three-way condition patch used by the status patcher.
 *
 * ```ts
 * import * as conditions from '@eddy/runtime/conditions';
 * conditions.markReconciling(obj, 'Progressing', 'building artifact', clock);
 * conditions.markFalse(obj, 'Ready', 'BuildFailed', err.message, clock);
 * ```
 *
 * @packageDocumentation
 */
export * from './types.ts';
export * from './getter.ts';
export * from './setter.ts';
export { remove as delete } from './setter.ts';
export * from './merge.ts';
export * from './patch.ts';
export * from './trim.ts';
