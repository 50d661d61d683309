// SPDX-License-Identifier: Apache-2.0
/**
 * Uninstalling a release for a deleted HelmRelease or a changed release target (Flux's
 * `internal/reconcile/uninstall.go`): `Released=False` with `UninstallSucceeded` (also when the
 * release is already gone) or `UninstallFailed` (and the error is returned, so the finalizer stays).
 */
import * as conditions from '@eddy/runtime/conditions';
import { HelmError } from '../helm/errors.ts';
import type { ActionEnv } from './action-env.ts';
import { CONDITIONS, REASONS, uninstallFailure, uninstallSuccess } from './messages.ts';
import { uninstallLatest } from './other-actions.ts';
import { eventMetadata } from './release-actions.ts';
import { countFailure } from './remediation.ts';
import { fullName, latest } from './snapshot.ts';
import { summarize } from './summarize.ts';
import type { HelmReleaseObject } from './types.ts';

/** Thrown when there is no release in the history to uninstall. */
export class NoLatestReleaseError extends Error {
  override readonly name = 'NoLatestReleaseError';
}

/** Uninstalls the latest release of `hr`; see the module doc. */
export async function uninstallRelease(hr: HelmReleaseObject, env: ActionEnv): Promise<void> {
  const cur = latest(hr.status?.history);
  if (!cur) throw new NoLatestReleaseError('no latest release: required to uninstall');
  try {
    const { changed, error } = await uninstallLatest({ hr }, env);
    if (HelmError.is(error) && error.kind === 'not-found') {
      conditions.markFalse(hr, CONDITIONS.Released, REASONS.UninstallSucceeded, `Release ${fullName(cur)} was not found, assuming it is uninstalled`, env.clock);
      delete hr.status!.inventory;
      return;
    }
    if (error !== undefined && hr.spec.uninstall?.keepHistory && /is already deleted/.test((error as Error).message)) {
      conditions.markFalse(hr, CONDITIONS.Released, REASONS.UninstallSucceeded, `Release ${fullName(cur)} was already uninstalled`, env.clock);
      return;
    }
    const err = error ?? (changed || cur.status === 'uninstalled' ? undefined : new Error('uninstall completed with error: release not updated in Helm storage'));
    const now = latest(hr.status?.history)!;
    const meta = eventMetadata(now.chartVersion, now.configDigest, now.appVersion, now.ociDigest);
    if (err !== undefined) {
      const m = uninstallFailure(now, (err as Error).message);
      countFailure(hr);
      conditions.markFalse(hr, CONDITIONS.Released, REASONS.UninstallFailed, m, env.clock);
      env.events.event('Warning', REASONS.UninstallFailed, m, meta);
      throw err;
    }
    delete hr.status!.inventory;
    const m = uninstallSuccess(now);
    conditions.markFalse(hr, CONDITIONS.Released, REASONS.UninstallSucceeded, m, env.clock);
    env.events.event('Normal', REASONS.UninstallSucceeded, m, meta);
  } finally {
    summarize(hr, env.clock);
  }
}
