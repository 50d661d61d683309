// SPDX-License-Identifier: Apache-2.0
/** @packageDocumentation Eddy's source-controller: GitRepository, OCIRepository, HelmRepository, HelmChart, Bucket, ExternalArtifact (ArtifactGenerator). */
export * from './controllers/gitrepository-reconciler.ts';
export * from './controllers/gitrepository-helpers.ts';
export * from './controllers/source-reconciler-base.ts';
export * from './controllers/helmrepository-reconciler.ts';
export * from './controllers/helmchart-reconciler.ts';
export * from './controllers/ocirepository-reconciler.ts';
export * from './controllers/bucket-reconciler.ts';
export * from './controllers/artifactgenerator-reconciler.ts';
export * from './ignore/index.ts';
export * from './storage/index.ts';
export * from './setup.ts';
