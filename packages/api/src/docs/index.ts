// SPDX-License-Identifier: Apache-2.0
/** Reference documentation rendering. */
export * from './fields.ts';
export * from './render.ts';
