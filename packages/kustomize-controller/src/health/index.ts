// SPDX-License-Identifier: Apache-2.0
/** Health checks: kstatus and CEL rules, waiting for sets of objects with cancellation. */
export * from '@eddy/runtime/cel';
export * from './wait.ts';
