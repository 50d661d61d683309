// SPDX-License-Identifier: Apache-2.0
/**
 * Helm release drift detection (server-side dry-run apply and diff against the live objects, with
 * Flux's ignore rules) and correction.
 */
export * from './json-pointer.ts';
export * from './json-diff.ts';
export * from './selector.ts';
export * from './detect.ts';
export * from './handler.ts';
