// SPDX-License-Identifier: Apache-2.0
/** @packageDocumentation Eddy's image-automation-controller: commits image tag bumps back to Git. */
export * from './branches/index.ts';
export * from './commit/index.ts';
export * from './setters/index.ts';
export * from './template/index.ts';
export * from './controllers/imageupdateautomation-reconciler.ts';
export * from './controllers/imageupdateautomation-watches.ts';
export { AUTOMATION_NEGATIVE_POLARITY, AUTOMATION_READY_CONDITIONS, READY_MESSAGE } from './controllers/reconcile-support.ts';
export { PolicySelectorError, labelSelectorString } from './controllers/policy-selection.ts';
export * from './setup.ts';
