// SPDX-License-Identifier: Apache-2.0
/** @packageDocumentation Eddy's source-controller: GitRepository, OCIRepository, HelmRepository, HelmChart, Bucket, ExternalArtifact. */
export {};
