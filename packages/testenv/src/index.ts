// SPDX-License-Identifier: Apache-2.0
/** @packageDocumentation placeholder until the package lands. */
export {};
