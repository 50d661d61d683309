// SPDX-License-Identifier: Apache-2.0
/**
 * `@eddy/api`: every Eddy kind (Flux v2 wire-compatible) with its TypeScript types, CRD schema,
 * conditions and reasons, plus the pure helpers controllers share. Each group/version is also a
 * subpath: `@eddy/api/source/v1`, `@eddy/api/kustomize/v1`, `@eddy/api/helm/v2`,
 * `@eddy/api/image/v1`, `@eddy/api/notification/v1`, `@eddy/api/notification/v1beta3`,
 * `@eddy/api/source-extensions/v1beta1`, and `@eddy/api/meta`, `@eddy/api/conditions`,
 * `@eddy/api/annotations`, `@eddy/api/helpers`, `@eddy/api/schema`, `@eddy/api/crd`.
 */
export * from './schema/index.ts';
export * from './crd/index.ts';
export * from './meta/index.ts';
export * from './helpers/index.ts';
export * from './conditions/index.ts';
export * from './annotations/index.ts';
export * from './kinds.ts';
export * from './source/v1/index.ts';
export * from './source-extensions/v1beta1/index.ts';
export * from './kustomize/v1/index.ts';
export * from './helm/v2/index.ts';
export * from './image/v1/index.ts';
export * from './notification/v1/index.ts';
export * from './notification/v1beta3/index.ts';
