// SPDX-License-Identifier: Apache-2.0
/** notification.toolkit.fluxcd.io/v1beta3: Alert, Provider. */
export * from '../common.ts';
export * from './alert.ts';
export * from './provider.ts';
