// SPDX-License-Identifier: Apache-2.0
/**
 * HelmRelease values: composition from `valuesFrom` and inline `values` with Flux's order and
 * Helm's `--set` semantics, and Flux's canonical values digest (`sha256` over go-yaml v2).
 */
export * from './merge.ts';
export * from './strvals.ts';
export * from './digest.ts';
export { encodeGoYamlV2, compareGoStrings } from './go-yaml.ts';
export * from './values-from.ts';
