// SPDX-License-Identifier: Apache-2.0
/** @packageDocumentation Eddy's kustomize-controller: builds, applies, prunes and health-checks Kustomizations. */
export * as apply from './apply/index.ts';
export * as artifact from './artifact/index.ts';
export * as build from './build/index.ts';
export * as decrypt from './decrypt/index.ts';
export * as health from './health/index.ts';
export * as inventory from './inventory/index.ts';
export * as postbuild from './postbuild/index.ts';
export { KustomizationReconciler, type KustomizationReconcilerOptions } from './controllers/kustomization-reconciler.ts';
export { kustomizeControllerFlags, kustomizeFeatureGates, type KustomizeControllerFlagValues, type KustomizeFeatureGates } from './flags.ts';
export {
  setupKustomizeController,
  reconcilerOptionsFromFlags,
  type KustomizeControllerSetupValues,
  type KustomizeControllerEnvironment,
  type KustomizeControllerHandle,
} from './setup.ts';
