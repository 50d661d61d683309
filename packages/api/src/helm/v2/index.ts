// SPDX-License-Identifier: Apache-2.0
/** helm.toolkit.fluxcd.io/v2: HelmRelease. */
export * from './helm-release.ts';
export * from './helm-release-refs.ts';
export * from './helm-release-actions.ts';
export * from './helm-release-status.ts';
export * from './conditions.ts';
export * from './defaults.ts';
