// SPDX-License-Identifier: Apache-2.0
/** image.toolkit.fluxcd.io/v1: ImageRepository, ImagePolicy, ImageUpdateAutomation. */
export * from './common.ts';
export * from './image-repository.ts';
export * from './image-policy.ts';
export * from './image-update-automation.ts';
