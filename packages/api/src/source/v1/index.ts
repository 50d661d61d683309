// SPDX-License-Identifier: Apache-2.0
/** source.toolkit.fluxcd.io/v1: GitRepository, OCIRepository, HelmRepository, HelmChart, Bucket, ExternalArtifact. */
export * from './common.ts';
export * from './conditions.ts';
export * from './git-repository.ts';
export * from './oci-repository.ts';
export * from './helm-repository.ts';
export * from './helm-chart.ts';
export * from './bucket.ts';
export * from './external-artifact.ts';
