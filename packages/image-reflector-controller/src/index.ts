// SPDX-License-Identifier: Apache-2.0
/** @packageDocumentation Eddy's image-reflector-controller: ImageRepository scans and ImagePolicy selection. */
export * from './policy/index.ts';
export * from './scan/index.ts';
export * from './store/index.ts';
