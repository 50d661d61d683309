// SPDX-License-Identifier: Apache-2.0
/** Command-line flags with Flux's names and Go pflag semantics, shared by every controller. */
export * from './feature-gates.ts';
export * from './flags.ts';
export * from './runtime-flags.ts';
