// SPDX-License-Identifier: Apache-2.0
/** notification.toolkit.fluxcd.io/v1: Receiver. */
export * from '../common.ts';
export * from './receiver.ts';
