// SPDX-License-Identifier: Apache-2.0
/** `.sourceignore` and `spec.ignore` with Flux's gitignore semantics and default exclusions. */
export * from './pattern.ts';
export * from './sourceignore.ts';
