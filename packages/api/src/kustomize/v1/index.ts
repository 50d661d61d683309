// SPDX-License-Identifier: Apache-2.0
/** kustomize.toolkit.fluxcd.io/v1: Kustomization. */
export * from './kustomization-spec.ts';
export * from './kustomization.ts';
export * from './conditions.ts';
export * from './defaults.ts';
