// SPDX-License-Identifier: Apache-2.0
/** @packageDocumentation Eddy's source-controller: GitRepository, OCIRepository, HelmRepository, HelmChart, Bucket, ExternalArtifact. */
export * from './controllers/gitrepository-reconciler.ts';
export * from './controllers/gitrepository-helpers.ts';
export * from './ignore/index.ts';
export * from './storage/index.ts';
