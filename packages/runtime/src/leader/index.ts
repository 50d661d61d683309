// SPDX-License-Identifier: Apache-2.0
/** Leader election over a `coordination.k8s.io/v1` Lease. */

export * from './leader-elector.ts';
