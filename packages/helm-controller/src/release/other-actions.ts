// SPDX-License-Identifier: Apache-2.0
/**
 * The test, rollback, uninstall-remediation and unlock action reconcilers (Flux's
 * `internal/reconcile/test.go`, `rollback_remediation.go`, `uninstall_remediation.go`, `unlock.go`).
 * Each observes what helm wrote into `status.history`, sets its condition (`TestSuccess`,
 * `Remediated`, `Released=False/PendingRelease`), emits an event and summarises Ready.
 */
import * as conditions from '@eddy/runtime/conditions';
import { HelmError } from '../helm/errors.ts';
import { digestValues } from '../values/digest.ts';
import { rollbackArgsOf, testArgsOf, uninstallArgsOf, type ActionEnv, type ReleaseRequest } from './action-env.ts';
import * as msg from './messages.ts';
import { recordInventory } from './inventory.ts';
import { mark, observedSince, recordRollback, recordTest, recordUpdates, uninstalledRecord } from './observe.ts';
import { activeRemediation, countFailure } from './remediation.ts';
import { hasBeenTested, latest, snapshotOf } from './snapshot.ts';
import { summarize } from './summarize.ts';
import { eventMetadata } from './release-actions.ts';
import { releaseNameOf, statusOf, type Snapshot } from './types.ts';

const { CONDITIONS, REASONS } = msg;
const errMsg = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const metaOf = (s: Snapshot): Record<string, string> => eventMetadata(s.chartVersion, s.configDigest, s.appVersion, s.ociDigest);
const ctxOf = (env: ActionEnv): { kubeconfig: string; signal?: AbortSignal } => ({ kubeconfig: env.kubeconfig, ...(env.signal ? { signal: env.signal } : {}) });

/** `helm test` of the latest release. Errors when nothing was tested (retry), else records results. */
export async function test(req: ReleaseRequest, env: ActionEnv): Promise<void> {
  const { hr } = req;
  try {
    const cur = latest(hr.status?.history);
    if (!cur) throw new Error('no latest release: required for test');
    const name = releaseNameOf(hr);
    const before = mark(await env.storage.history(name));
    let error: unknown;
    try {
      await env.driver.test(ctxOf(env), testArgsOf(hr));
    } catch (e) {
      error = e;
    }
    recordTest(hr, observedSince(before, await env.storage.history(name)));
    const now = latest(hr.status?.history)!;
    if (error === undefined) {
      const m = msg.testSuccess(now);
      conditions.markTrue(hr, CONDITIONS.TestSuccess, REASONS.TestSucceeded, m, env.clock);
      env.events.event('Normal', REASONS.TestSucceeded, m, metaOf(now));
      return;
    }
    const m = msg.testFailure(now, errMsg(error));
    countFailure(hr);
    conditions.markFalse(hr, CONDITIONS.TestSuccess, REASONS.TestFailed, m, env.clock);
    env.events.event('Warning', REASONS.TestFailed, m, metaOf(now));
    if (!hasBeenTested(now)) throw error;
    const remediation = activeRemediation(hr);
    if (remediation && !remediation.mustIgnoreTestFailures(hr.spec.test?.ignoreFailures ?? false)) remediation.incrementFailureCount();
  } finally {
    summarize(hr, env.clock);
  }
}

/** `helm rollback` to `target`; sets `Remediated`. Errors (retry) when helm wrote nothing. */
export async function rollback(req: ReleaseRequest, env: ActionEnv, target: Snapshot): Promise<void> {
  const { hr } = req;
  try {
    const cur = latest(hr.status?.history);
    if (!cur || cur.name !== target.name || cur.namespace !== target.namespace) {
      throw new Error(`release mismatch: previous release ${msg.rollbackSuccess(target)} does not match current`);
    }
    const before = mark(await env.storage.history(target.name));
    let error: unknown;
    try {
      await env.driver.rollback(ctxOf(env), rollbackArgsOf(hr, target.version));
    } catch (e) {
      error = e;
    }
    const observed = observedSince(before, await env.storage.history(target.name));
    recordRollback(hr, observed);
    await recordInventory(hr, observed, env, undefined, true);
    const meta = eventMetadata(target.chartVersion, digestValues(req.values), target.appVersion, target.ociDigest);
    if (error === undefined) {
      const m = msg.rollbackSuccess(target);
      conditions.markTrue(hr, CONDITIONS.Remediated, REASONS.RollbackSucceeded, m, env.clock);
      env.events.event('Normal', REASONS.RollbackSucceeded, m, meta);
      return;
    }
    const reason = HelmError.is(error) && error.kind === 'canceled' ? REASONS.HealthCheckCanceled : REASONS.RollbackFailed;
    const m = msg.rollbackFailure(target, errMsg(error));
    countFailure(hr);
    conditions.markFalse(hr, CONDITIONS.Remediated, reason, m, env.clock);
    env.events.event('Warning', reason, m, meta);
    const now = latest(hr.status?.history);
    if (!now || now.digest === cur.digest) throw error;
  } finally {
    summarize(hr, env.clock);
  }
}

/**
 * `helm uninstall` of the latest release, observed into the history (Flux's storage observer sees
 * the record marked `uninstalled` before helm purges it). Returns whether helm changed anything.
 */
export async function uninstallLatest(req: Pick<ReleaseRequest, 'hr'>, env: ActionEnv): Promise<{ changed: boolean; error?: unknown }> {
  const { hr } = req;
  const cur = latest(hr.status?.history)!;
  const stored = await env.storage.history(cur.name);
  const before = mark(stored);
  let error: unknown;
  try {
    await env.driver.uninstall(ctxOf(env), uninstallArgsOf(hr, cur.name));
  } catch (e) {
    error = e;
  }
  const after = await env.storage.history(cur.name);
  const observed = observedSince(before, after);
  const latestRec = stored.find((s) => s.record.version === cur.version)?.record;
  if (latestRec && !after.some((s) => s.record.version === cur.version)) {
    observed.push(uninstalledRecord(latestRec, new Date(env.clock.now())));
  }
  recordUpdates(hr, observed);
  const now = latest(hr.status?.history);
  return { changed: now !== undefined && now.digest !== cur.digest, ...(error !== undefined ? { error } : {}) };
}

/** Uninstall remediation: uninstalls the failed release and sets `Remediated`. */
export async function uninstallRemediation(req: ReleaseRequest, env: ActionEnv): Promise<void> {
  const { hr } = req;
  try {
    const cur = latest(hr.status?.history);
    if (!cur) throw new Error('no latest release: required to uninstall');
    const { changed, error } = await uninstallLatest(req, env);
    const err = error ?? (changed ? undefined : new Error('uninstall completed with error: release not updated in Helm storage'));
    const now = latest(hr.status?.history)!;
    if (err === undefined) {
      const m = msg.uninstallRemediationSuccess(now);
      conditions.markTrue(hr, CONDITIONS.Remediated, REASONS.UninstallSucceeded, m, env.clock);
      env.events.event('Normal', REASONS.UninstallSucceeded, m, metaOf(now));
      return;
    }
    const m = msg.uninstallRemediationFailure(now, errMsg(err));
    countFailure(hr);
    conditions.markFalse(hr, CONDITIONS.Remediated, REASONS.UninstallFailed, m, env.clock);
    env.events.event('Warning', REASONS.UninstallFailed, m, metaOf(now));
    if (!changed) throw err;
  } finally {
    summarize(hr, env.clock);
  }
}

/** Unlocks a release stuck in `pending-*` by marking it `failed` (Flux's `Unlock`). */
export async function unlock(req: ReleaseRequest, env: ActionEnv): Promise<void> {
  const { hr } = req;
  try {
    const name = releaseNameOf(hr);
    const last = await env.storage.last(name);
    if (!last) return;
    const snap = snapshotOf(last.record);
    const prev = hr.status?.history?.find((s) => s.version === snap.version && s.name === snap.name);
    if (prev?.ociDigest) snap.ociDigest = prev.ociDigest;
    const from = String(last.record.info?.status);
    try {
      const res = await env.storage.unlock(name, new Date(env.clock.now()));
      if (!res) return;
      recordUpdates(hr, [res.record], false);
    } catch (e) {
      const m = msg.unlockFailure(snap, from, errMsg(e));
      countFailure(hr);
      conditions.markFalse(hr, CONDITIONS.Released, REASONS.PendingRelease, m, env.clock);
      env.events.event('Warning', REASONS.PendingRelease, m, metaOf(snap));
      throw e;
    }
    const m = msg.unlockSuccess(snap, from);
    conditions.markFalse(hr, CONDITIONS.Released, REASONS.PendingRelease, m, env.clock);
    env.events.event('Normal', REASONS.PendingRelease, m, metaOf(snap));
  } finally {
    statusOf(hr);
    summarize(hr, env.clock);
  }
}
