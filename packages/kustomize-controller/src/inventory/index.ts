// SPDX-License-Identifier: Apache-2.0
/** `status.inventory`: tracking applied objects and finding stale ones. */
export * from './inventory.ts';
