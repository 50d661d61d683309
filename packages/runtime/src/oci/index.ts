// SPDX-License-Identifier: Apache-2.0
/**
 * Eddy's OCI distribution client on a `fetch` of its own (node:http with TLS options and an
 * egress guard): references, docker-config credentials, the bearer token flow, tags with
 * paging, manifests and indexes, verified blob streams, pushes, and Flux's OCI revisions.
 */
export * from './client.ts';
export * from './credentials.ts';
export * from './egress.ts';
export * from './errors.ts';
export * from './reference.ts';
export * from './revision.ts';
export * from './transport.ts';
