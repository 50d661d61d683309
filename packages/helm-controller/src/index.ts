// SPDX-License-Identifier: Apache-2.0
/**
 * @packageDocumentation Eddy's helm-controller: reconciles Flux `helm.toolkit.fluxcd.io/v2`
 * HelmReleases by driving the real `helm` v4 binary — install, upgrade, test, rollback and uninstall
 * with Flux's remediation, history snapshots, conditions and drift detection.
 */
export * from './helm/index.ts';
export * from './values/index.ts';
export * from './chart/index.ts';
export * from './release/index.ts';
export * from './drift/index.ts';
export { HelmReleaseReconciler, OWNED_CONDITIONS, handleRequest, postRenderersDigest, type HelmReleaseReconcilerOptions } from './controllers/helmrelease-reconciler.ts';
export { reconcileChartTemplate, buildHelmChart, AccessDeniedError } from './controllers/chart-template.ts';
export { targetCluster, ClusterAccessError } from './controllers/cluster-access.ts';
export {
  setupHelmController,
  helmControllerFlags,
  helmControllerDefaults,
  helmFeatureGates,
  controllerAccess,
  type HelmControllerFlagValues,
  type HelmControllerSetupValues,
  type HelmControllerHandle,
} from './setup.ts';
