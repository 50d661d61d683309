// SPDX-License-Identifier: Apache-2.0
/** The shared entry point of Eddy's controller binaries. @module */
export * from './controller-main.ts';
