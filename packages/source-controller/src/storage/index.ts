// SPDX-License-Identifier: Apache-2.0
/** Artifact storage: reproducible archives, safe extraction, retention, and the file server. */
export * from './archive.ts';
export * from './extract.ts';
export * from './gc.ts';
export * from './server.ts';
export * from './storage.ts';
