// SPDX-License-Identifier: Apache-2.0
/**
 * The manager (client, shared informers, metrics, health, leader election, graceful shutdown)
 * and the controller builder: `controllerManagedBy(mgr).for(...).owns(...).watches(...).complete(r)`.
 */
export * from './manager.ts';
export * from './builder.ts';
export * from './controller.ts';
export { type Runnable } from './lifecycle.ts';
