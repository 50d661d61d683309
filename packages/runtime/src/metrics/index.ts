// SPDX-License-Identifier: Apache-2.0
/** Metrics: the registry and `/metrics` server, and Flux's `gotk_*` per-object recorder. */
export * from './recorder.ts';
export * from './server.ts';
