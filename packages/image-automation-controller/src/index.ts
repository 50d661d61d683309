// SPDX-License-Identifier: Apache-2.0
/** @packageDocumentation Eddy's image-automation-controller: commits image tag bumps back to Git. */
export {};
