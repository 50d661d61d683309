// SPDX-License-Identifier: Apache-2.0
/** Shared meta types: object envelope, references, artifact, condition, status blocks, kustomize pieces. */
export * from './object-meta.ts';
export * from './references.ts';
export * from './artifact.ts';
export * from './condition.ts';
export * from './status.ts';
export * from './kustomize.ts';
