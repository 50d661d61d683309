// SPDX-License-Identifier: Apache-2.0
/**
 * The install and upgrade action reconcilers (Flux's `internal/reconcile/install.go`, `upgrade.go`).
 *
 * Both record `lastAttemptedReleaseAction` and `lastAttemptedReleaseActionDuration`, clear
 * `TestSuccess` and `Remediated`, observe the records helm wrote into `status.history`, and set
 * `Released` (`InstallSucceeded`/`UpgradeSucceeded`, or `…Failed` with helm's error). A failure only
 * counts towards remediation when helm wrote a release; otherwise the error is returned so the
 * caller retries with backoff. Install starts a new history: it never rolls back past itself.
 * After a successful `poller` wait, `spec.healthCheckExprs` are checked (`health-check.ts`); their
 * failure fails the action like a failed helm wait.
 */
import * as conditions from '@eddy/runtime/conditions';
import { HelmError } from '../helm/errors.ts';
import { digestValues } from '../values/digest.ts';
import { applyCRDs } from '../chart/crds.ts';
import { originLabels } from '../helm/post-renderer.ts';
import type { ReleaseRecord } from '../helm/release-record.ts';
import { crdPolicyOf, installArgsOf, upgradeArgsOf, waitOf, type ActionEnv, type EventMetadata, type ReleaseRequest } from './action-env.ts';
import { checkReleaseHealth } from './health-check.ts';
import { CONDITIONS, REASONS, installFailure, installSuccess, testPending, upgradeFailure, upgradeSuccess } from './messages.ts';
import { recordInventory } from './inventory.ts';
import { mark, observedSince, recordRelease, type StorageMark } from './observe.ts';
import { clearFailures, countFailure, formatGoDuration, installRemediation, parseGoDuration, strategyOf, upgradeRemediation } from './remediation.ts';
import { hasBeenTested, latest } from './snapshot.ts';
import { summarize } from './summarize.ts';
import { releaseNameOf, releaseNamespaceOf, statusOf, timeoutOf, type Snapshot } from './types.ts';

const GROUP = 'helm.toolkit.fluxcd.io';

/** Flux's event annotations for a release action. */
export function eventMetadata(revision: string, token: string, appVersion?: string, ociDigest?: string): EventMetadata {
  const m: EventMetadata = {};
  if (revision) m[`${GROUP}/revision`] = revision;
  if (token) m[`${GROUP}/token`] = token;
  if (appVersion) m[`${GROUP}/app-version`] = appVersion;
  if (ociDigest) m[`${GROUP}/oci-digest`] = ociDigest;
  return m;
}

/** `spec.healthCheckExprs` failed after helm's wait passed: the action failed as if helm's wait had. */
export class ReleaseHealthCheckError extends Error {
  override readonly name = 'ReleaseHealthCheckError';
  constructor(
    message: string,
    /** The check was cancelled (a new reconciliation), not failed. */
    readonly canceled: boolean,
  ) {
    super(message);
  }
}

/**
 * Runs `spec.healthCheckExprs` on the objects of the release just written (see `health-check.ts`)
 * when the action waited with the `poller` strategy; on failure marks the stored release `failed`
 * like helm's failed wait and returns the error.
 */
async function healthCheck(req: ReleaseRequest, env: ActionEnv, action: 'install' | 'upgrade', observed: ReleaseRecord[], started: number): Promise<ReleaseHealthCheckError | undefined> {
  const { hr } = req;
  if (!req.healthChecks?.size || waitOf(hr, hr.spec[action]?.disableWait) !== 'watcher' || observed.length === 0) return undefined;
  const newest = observed.reduce((a, b) => (b.version > a.version ? b : a));
  const deadline = started + parseGoDuration(timeoutOf(hr, action));
  const r = await checkReleaseHealth(newest, req.healthChecks, env, deadline);
  if (r.ok) return undefined;
  const name = releaseNameOf(hr);
  const description = action === 'install' ? `Release "${name}" failed: ${r.message}` : `Upgrade "${name}" failed: ${r.message}`;
  await env.storage.markFailed(name, newest.version, description, new Date(env.clock.now()));
  return new ReleaseHealthCheckError(r.message, r.canceled);
}

/**
 * The records the action wrote; after a successful helm call, also the outcome of the health
 * checks (a failure rewrote the newest record, so the records are read again).
 */
async function observeChecked(
  req: ReleaseRequest,
  env: ActionEnv,
  action: 'install' | 'upgrade',
  at: { before: StorageMark; started: number; error: unknown },
): Promise<{ observed: ReleaseRecord[]; error: unknown }> {
  const name = releaseNameOf(req.hr);
  const observed = observedSince(at.before, await env.storage.history(name));
  if (at.error !== undefined) return { observed, error: at.error };
  const unhealthy = await healthCheck(req, env, action, observed, at.started);
  if (!unhealthy) return { observed, error: undefined };
  return { observed: observedSince(at.before, await env.storage.history(name)), error: unhealthy };
}

/** The message of a failed helm call: helm's cause, or "New reconciliation triggered" on cancellation. */
function failureOf(err: unknown, reason: string): { reason: string; message: string } {
  if (HelmError.is(err) && err.kind === 'canceled') return { reason: REASONS.HealthCheckCanceled, message: err.message };
  if (err instanceof ReleaseHealthCheckError && err.canceled) return { reason: REASONS.HealthCheckCanceled, message: err.message };
  return { reason, message: err instanceof Error ? err.message : String(err) };
}

function succeeded(req: ReleaseRequest, env: ActionEnv, reason: string, message: (s: Snapshot) => string, action: 'install' | 'upgrade'): void {
  const { hr } = req;
  const cur = latest(hr.status?.history)!;
  const msg = message(cur);
  conditions.markTrue(hr, CONDITIONS.Released, reason, msg, env.clock);
  if (hr.spec.test?.enable && !hasBeenTested(cur)) {
    conditions.markUnknown(hr, CONDITIONS.TestSuccess, REASONS.AwaitingTests, testPending(cur), env.clock);
  }
  if (strategyOf(hr, action).retry) clearFailures(hr);
  env.events.event('Normal', reason, msg, eventMetadata(cur.chartVersion, cur.configDigest, cur.appVersion, cur.ociDigest));
}

async function run(req: ReleaseRequest, env: ActionEnv, action: 'install' | 'upgrade'): Promise<void> {
  const { hr } = req;
  const status = statusOf(hr);
  const name = releaseNameOf(hr);
  const started = env.clock.now();
  status.lastAttemptedReleaseAction = action;
  if (action === 'install') delete status.history;
  conditions.remove(hr, CONDITIONS.TestSuccess);
  conditions.remove(hr, CONDITIONS.Remediated);
  try {
    const before = mark(await env.storage.history(name));
    const input = { chartPath: req.chart.path, values: req.values, postRender: req.postRender };
    const ctx = { kubeconfig: env.kubeconfig, ...(env.signal ? { signal: env.signal } : {}) };
    let error: unknown;
    try {
      await applyChartCRDs(req, env, action);
      if (action === 'install') await env.driver.install(ctx, input, installArgsOf(hr, env.crds !== undefined));
      else await env.driver.upgrade(ctx, input, upgradeArgsOf(hr));
    } catch (e) {
      error = e;
    }
    const checked = await observeChecked(req, env, action, { before, started, error });
    const observed = checked.observed;
    error = checked.error;
    status.lastAttemptedReleaseActionDuration = formatGoDuration(env.clock.now() - started);
    recordRelease(hr, observed, action);
    await recordInventory(hr, observed, env, req.chart.crdFiles?.length ? { chartPath: req.chart.path, files: req.chart.crdFiles } : undefined);
    if (error === undefined) {
      if (action === 'install') succeeded(req, env, REASONS.InstallSucceeded, installSuccess, action);
      else succeeded(req, env, REASONS.UpgradeSucceeded, upgradeSuccess, action);
      return;
    }
    const f = failureOf(error, action === 'install' ? REASONS.InstallFailed : REASONS.UpgradeFailed);
    const fmt = action === 'install' ? installFailure : upgradeFailure;
    const msg = fmt(releaseNamespaceOf(hr), name, req.chart.name, req.chart.version, f.message);
    countFailure(hr);
    conditions.markFalse(hr, CONDITIONS.Released, f.reason, msg, env.clock);
    const helmLog = HelmError.is(error) && error.stderr.trim() ? `\n\nLast Helm logs:\n\n${tail(error.stderr)}` : '';
    env.events.event('Warning', f.reason, msg + helmLog, eventMetadata(req.chart.version, digestValues(req.values), req.chart.appVersion, status.lastAttemptedRevisionDigest));
    // Only failures that wrote a release count towards remediation; others are retried as errors.
    if (observed.length === 0) throw error;
    (action === 'install' ? installRemediation(hr) : upgradeRemediation(hr)).incrementFailureCount();
  } finally {
    summarize(hr, env.clock);
  }
}

/** Applies the chart's CRDs per policy when the controller manages them (Flux's `applyCRDs`). */
async function applyChartCRDs(req: ReleaseRequest, env: ActionEnv, action: 'install' | 'upgrade'): Promise<void> {
  if (!env.crds || !req.chart.crdFiles?.length) return;
  try {
    await applyCRDs({
      client: env.crds.client,
      clock: env.clock,
      chartPath: req.chart.path,
      crdFiles: req.chart.crdFiles,
      policy: crdPolicyOf(req.hr, action),
      labels: originLabels(req.hr.metadata.namespace, req.hr.metadata.name),
      fieldManager: env.crds.fieldManager,
      ...(env.signal ? { signal: env.signal } : {}),
    });
  } catch (e) {
    throw new Error(`failed to apply CustomResourceDefinitions: ${(e as Error).message}`, { cause: e });
  }
}

function tail(s: string, lines = 10): string {
  return s.trim().split('\n').slice(-lines).join('\n');
}

/** Runs `helm install` for the request; see the module doc. */
export function install(req: ReleaseRequest, env: ActionEnv): Promise<void> {
  return run(req, env, 'install');
}

/** Runs `helm upgrade` for the request; see the module doc. */
export function upgrade(req: ReleaseRequest, env: ActionEnv): Promise<void> {
  return run(req, env, 'upgrade');
}
