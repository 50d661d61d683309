// SPDX-License-Identifier: Apache-2.0
/**
 * Charts for a reconcile: artifact download with digest verification and size caps, safe unpacking,
 * `Chart.yaml` metadata and Flux's OCI version mutation. Nothing is kept after the reconcile.
 */
export * from './fetch.ts';
export * from './load.ts';
export * from './crds.ts';
