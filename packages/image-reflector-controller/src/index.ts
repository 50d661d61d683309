// SPDX-License-Identifier: Apache-2.0
/** @packageDocumentation Eddy's image-reflector-controller: ImageRepository scans and ImagePolicy selection. */
export * from './policy/index.ts';
export * from './scan/index.ts';
export * from './store/index.ts';
export * from './controllers/imagerepository-reconciler.ts';
export * from './controllers/imagepolicy-reconciler.ts';
export { IMAGE_REPOSITORY_INDEX, imageRepositoryIndex, policiesForRepository, scanResultChanged } from './controllers/imagepolicy-helpers.ts';
export { IMAGE_NEGATIVE_POLARITY, IMAGE_READY_CONDITIONS } from './controllers/reconcile-support.ts';
export { RegistryClient } from './controllers/registry-client.ts';
export type { RegistryCallOptions, RegistryClientOptions } from './controllers/registry-client.ts';
export * from './setup.ts';
