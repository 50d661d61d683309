// SPDX-License-Identifier: Apache-2.0
/**
 * The HelmRelease release state machine: state determination and next-action selection (pure,
 * Flux's `DetermineReleaseState`/`actionForState`), the install/upgrade/test/rollback/uninstall/
 * unlock action reconcilers over the helm driver, history snapshots and conditions.
 */
export * from './types.ts';
export * from './names.ts';
export * from './messages.ts';
export * from './remediation.ts';
export * from './snapshot.ts';
export * from './state.ts';
export * from './next-action.ts';
export * from './summarize.ts';
export * from './observe.ts';
export * from './action-env.ts';
export * from './release-actions.ts';
export * from './other-actions.ts';
export * from './uninstall.ts';
export * from './atomic-release.ts';
