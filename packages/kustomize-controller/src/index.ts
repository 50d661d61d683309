// SPDX-License-Identifier: Apache-2.0
/** @packageDocumentation Eddy's kustomize-controller: builds, applies, prunes and health-checks Kustomizations. */
export {};
