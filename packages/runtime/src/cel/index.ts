// SPDX-License-Identifier: Apache-2.0
/**
 * CEL for Flux objects: boolean expressions (`dependsOn[].readyExpr`) and custom health checks
 * (`spec.healthCheckExprs`). The CEL library is loaded on first use.
 *
 * @packageDocumentation
 */
export * from './expression.ts';
export * from './status.ts';
