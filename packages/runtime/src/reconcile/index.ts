// SPDX-License-Identifier: Apache-2.0
/** The reconcile contract: requests, results and typed errors by intent. */
export * from './contract.ts';
