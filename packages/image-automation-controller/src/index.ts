// SPDX-License-Identifier: Apache-2.0
/** @packageDocumentation Eddy's image-automation-controller: commits image tag bumps back to Git. */
export * from './branches/index.ts';
export * from './commit/index.ts';
export * from './setters/index.ts';
export * from './template/index.ts';
