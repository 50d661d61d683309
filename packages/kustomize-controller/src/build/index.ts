// SPDX-License-Identifier: Apache-2.0
/** Generating kustomizations, running kustomize safely, and Flux's full build step. */
export * from './confine.ts';
export * from './errors.ts';
export * from './generator.ts';
export * from './kustomize.ts';
export * from './manifests.ts';
export * from './paths.ts';
export * from './pipeline.ts';
