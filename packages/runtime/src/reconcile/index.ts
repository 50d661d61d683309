// SPDX-License-Identifier: Apache-2.0
/** The reconcile contract (requests, results and typed errors by intent) and the reconcile skeleton. */
export * from './contract.ts';
export * from './skeleton.ts';
