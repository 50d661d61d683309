// SPDX-License-Identifier: Apache-2.0
/** Liveness (`/healthz`) and readiness (`/readyz`) probes. */
export * from './health.ts';
