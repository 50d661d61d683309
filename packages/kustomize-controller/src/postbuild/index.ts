// SPDX-License-Identifier: Apache-2.0
/** Flux `postBuild`: bash-style variable substitution on built resources. */
export * from './envsubst.ts';
export * from './varsub.ts';
