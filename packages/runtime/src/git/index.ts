// SPDX-License-Identifier: Apache-2.0
/**
 * Eddy's git client on real git (through simple-git): Flux-compatible authentication from Secret
 * data, clones by branch/tag/semver/ref name/commit with Flux's revision strings, remote lookups
 * to skip unchanged clones, sparse checkouts, submodules, OpenPGP/SSH signature verification,
 * and commit/push for image automation. Every failure is a typed {@link GitError}.
 */
export * from './auth.ts';
export * from './clone.ts';
export * from './errors.ts';
export * from './objects.ts';
export * from './push.ts';
export * from './remote.ts';
export * from './revision.ts';
export * from './semver.ts';
export * from './session.ts';
export * from './verify.ts';
