// SPDX-License-Identifier: Apache-2.0
/** Downloading, verifying and safely extracting source artifacts. */
export * from './digest.ts';
export * from './errors.ts';
export * from './extract.ts';
export * from './fetch.ts';
export * from './cache.ts';
