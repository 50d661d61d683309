// SPDX-License-Identifier: Apache-2.0
/** Kind definitions, CRD generation, printer columns and CRD labels. */
export * from './define-kind.ts';
export * from './columns.ts';
export * from './labels.ts';
