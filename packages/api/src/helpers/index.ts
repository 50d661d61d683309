// SPDX-License-Identifier: Apache-2.0
/** Pure helpers: results, Go durations, digests, revisions, inventory ids. */
export * from './result.ts';
export * from './duration.ts';
export * from './digest.ts';
export * from './revision.ts';
export * from './inventory.ts';
