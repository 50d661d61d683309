// SPDX-License-Identifier: Apache-2.0
/** source.extensions.fluxcd.io/v1beta1: ArtifactGenerator. */
export * from './artifact-generator.ts';
