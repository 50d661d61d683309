// SPDX-License-Identifier: Apache-2.0
/**
 * Flux's `AtomicRelease` (`internal/reconcile/atomic_release.go`): determine the state of the
 * release, pick the next action, run it, and repeat — each kind of action at most once per
 * reconcile, stopping after a remediation — until nothing is left to do.
 *
 * Before each action the object is marked `Reconciling=True` (`Progressing`, "Running '<action>'
 * action with timeout of <t>"; for install/upgrade also `Ready=Unknown`) and patched, so long helm
 * runs are visible. When it must stop with work left it marks `Reconciling=True/ProgressingWithRetry`
 * and asks to be requeued; when retries are exhausted it marks `Stalled=True/RetriesExceeded`.
 */
import * as conditions from '@eddy/runtime/conditions';
import type { ActionEnv, ReleaseRequest } from './action-env.ts';
import { CONDITIONS, REASONS, runningAction } from './messages.ts';
import { ActionPlanError, nextAction, type NextAction } from './next-action.ts';
import { install, upgrade } from './release-actions.ts';
import { rollback, test, uninstallRemediation, unlock } from './other-actions.ts';
import { activeRemediation, strategyOf } from './remediation.ts';
import { fullName, latest } from './snapshot.ts';
import { determineReleaseState, mustDetectDrift, type ReleaseState } from './state.ts';
import { summarize } from './summarize.ts';
import { releaseNameOf, statusOf, timeoutOf } from './types.ts';

/** How an atomic release ended. */
export type AtomicResult =
  /** Nothing left to do; requeue at the interval. */
  | { kind: 'done' }
  /** Work is left (e.g. retry after remediation); requeue soon, or after `afterMs`. */
  | { kind: 'requeue'; afterMs?: number }
  /** No progress possible without a spec change or a reset/force request. */
  | { kind: 'stalled'; reason: string; message: string };

type ActionType = 'release' | 'test' | 'remediate' | 'unlock' | 'drift';

const TYPE: Record<Exclude<NextAction['kind'], 'none' | 'warn-drift'>, ActionType> = {
  install: 'release',
  upgrade: 'release',
  test: 'test',
  rollback: 'remediate',
  'uninstall-remediation': 'remediate',
  unlock: 'unlock',
  'correct-drift': 'drift',
};

/** Options of {@link atomicRelease}. */
export interface AtomicOptions {
  /** Persists the object's status (called before each action and after each step). */
  patch(): Promise<void>;
  /**
   * A `reconcile.fluxcd.io/forceAt` request is pending. Like Flux's `ShouldHandleForceRequest`, it
   * is consumed by the first state evaluation of the loop.
   */
  forceRequested: boolean;
}

function timeoutFor(req: ReleaseRequest, next: NextAction): string {
  switch (next.kind) {
    case 'install':
    case 'upgrade':
    case 'test':
    case 'rollback':
      return timeoutOf(req.hr, next.kind);
    case 'uninstall-remediation':
      return timeoutOf(req.hr, 'uninstall');
    default:
      return req.hr.spec.timeout ?? '5m0s';
  }
}

const nameOf = (next: NextAction): string =>
  next.kind === 'uninstall-remediation' ? 'uninstall' : next.kind === 'correct-drift' ? 'correct cluster drift' : next.kind;

async function determine(req: ReleaseRequest, env: ActionEnv): Promise<{ state: ReleaseState; stored: Awaited<ReturnType<ActionEnv['storage']['history']>> }> {
  const stored = await env.storage.history(releaseNameOf(req.hr));
  const input = { hr: req.hr, ...(stored[0] ? { latest: stored[0].record } : {}), chart: req.chart, values: req.values, ...(req.postRenderersDigest !== undefined ? { postRenderersDigest: req.postRenderersDigest } : {}) };
  let state = determineReleaseState(input);
  if (state.status === 'InSync' && mustDetectDrift(req.hr) && env.drift && stored[0]) {
    const d = await env.drift.detect(stored[0].record.manifest ?? '');
    driftDetails.set(req, d.details);
    if (d.detected) state = determineReleaseState({ ...input, drift: { detected: true, summary: d.summary } });
    else conditions.markFalse(req.hr, CONDITIONS.Drifted, REASONS.NoDriftDetected, 'No drift detected', env.clock);
  }
  return { state, stored: stored };
}

const driftDetails = new WeakMap<ReleaseRequest, unknown>();

async function runAction(req: ReleaseRequest, env: ActionEnv, next: NextAction): Promise<void> {
  switch (next.kind) {
    case 'install':
      return install(req, env);
    case 'upgrade':
      return upgrade(req, env);
    case 'test':
      return test(req, env);
    case 'rollback':
      return rollback(req, env, next.target);
    case 'uninstall-remediation':
      return uninstallRemediation(req, env);
    case 'unlock':
      return unlock(req, env);
    case 'correct-drift': {
      const cur = latest(req.hr.status?.history);
      const name = cur ? fullName(cur) : releaseNameOf(req.hr);
      conditions.markUnknown(req.hr, CONDITIONS.Ready, REASONS.Progressing, 'correcting cluster drift', env.clock);
      const { changed, errors } = await env.drift!.correct(driftDetails.get(req));
      if (errors.length > 0) {
        let m = `Failed to ${changed.length ? 'partially ' : ''}correct cluster state of release ${name}:\n${errors.join('\n')}`;
        if (changed.length) m += `\n\nSuccessful corrections:\n${changed.join('\n')}`;
        env.events.event('Warning', 'DriftCorrectionFailed', m);
      } else if (changed.length) {
        env.events.event('Normal', 'DriftCorrected', `Cluster state of release ${name} has been corrected:\n${changed.join('\n')}`);
      }
      summarize(req.hr, env.clock);
      return;
    }
    default:
      return;
  }
}

function stalled(req: ReleaseRequest, env: ActionEnv): AtomicResult {
  const { hr } = req;
  const count = activeRemediation(hr)?.failureCount() ?? 0;
  const message = `Failed to ${statusOf(hr).lastAttemptedReleaseAction ?? 'release'} after ${count} attempt(s)`;
  conditions.markStalled(hr, REASONS.RetriesExceeded, message, env.clock);
  return { kind: 'stalled', reason: REASONS.RetriesExceeded, message };
}

function retryLater(req: ReleaseRequest, env: ActionEnv): AtomicResult {
  const { hr } = req;
  conditions.markReconciling(hr, REASONS.ProgressingWithRetry, conditions.getMessage(hr, CONDITIONS.Ready), env.clock);
  const action = statusOf(hr).lastAttemptedReleaseAction;
  const s = action ? strategyOf(hr, action) : undefined;
  const failed = conditions.isFalse(hr, CONDITIONS.Released);
  return s?.retry && failed ? { kind: 'requeue', afterMs: s.retryIntervalMs } : { kind: 'requeue' };
}

/** Determines the state and the next action; plan errors become results. */
async function plan(req: ReleaseRequest, env: ActionEnv, force: boolean): Promise<{ state: ReleaseState; next: NextAction } | AtomicResult> {
  const { hr } = req;
  try {
    const d = await determine(req, env);
    const next = nextAction({ hr, state: d.state, stored: d.stored.map((s) => s.record), forceRequested: force, clock: env.clock });
    return { state: d.state, next };
  } catch (e) {
    if (e instanceof ActionPlanError && e.code === 'ExceededMaxRetries') return stalled(req, env);
    if (e instanceof ActionPlanError && e.code === 'MissingRollbackTarget') {
      const message = `Failed to perform remediation: ${e.message}`;
      conditions.markStalled(hr, REASONS.MissingRollbackTarget, message, env.clock);
      return { kind: 'stalled', reason: REASONS.MissingRollbackTarget, message };
    }
    conditions.markFalse(hr, CONDITIONS.Ready, REASONS.StateError, `Could not determine release state: ${(e as Error).message}`, env.clock);
    throw e;
  }
}

function reportDrift(req: ReleaseRequest, env: ActionEnv, state: ReleaseState): void {
  const cur = latest(req.hr.status?.history);
  const m = `Cluster state of release ${cur ? fullName(cur) : releaseNameOf(req.hr)} has drifted from the desired state:\n${state.reason ?? ''}`;
  conditions.markTrue(req.hr, CONDITIONS.Drifted, REASONS.DriftDetected, m, env.clock);
  env.events.event('Warning', REASONS.DriftDetected, m);
}

/** Nothing left to do: summarise Ready and remember the post-renderers of a ready release. */
function finish(req: ReleaseRequest, env: ActionEnv): AtomicResult {
  const { hr } = req;
  conditions.remove(hr, CONDITIONS.Reconciling);
  summarize(hr, env.clock);
  if (conditions.isReady(hr)) {
    const s = statusOf(hr);
    if (req.postRenderersDigest) s.observedPostRenderersDigest = req.postRenderersDigest;
    else delete s.observedPostRenderersDigest;
  }
  return { kind: 'done' };
}

/** Marks progress and runs one action; errors mark Ready=False (if it was True) and propagate. */
async function step(req: ReleaseRequest, env: ActionEnv, opts: AtomicOptions, next: NextAction, type: ActionType): Promise<void> {
  const { hr } = req;
  const reconciling = runningAction(nameOf(next), timeoutFor(req, next));
  conditions.markReconciling(hr, REASONS.Progressing, reconciling, env.clock);
  if (type === 'release') conditions.markUnknown(hr, CONDITIONS.Ready, REASONS.Progressing, reconciling, env.clock);
  await opts.patch();
  try {
    await runAction(req, env, next);
  } catch (e) {
    if (conditions.isReady(hr)) conditions.markFalse(hr, CONDITIONS.Ready, REASONS.ReconcileError, (e as Error).message, env.clock);
    throw e;
  }
}

/** An action of a kind already run this reconcile is next: requeue unless retries are exhausted. */
function stopBefore(req: ReleaseRequest, env: ActionEnv): AtomicResult {
  if (!activeRemediation(req.hr)?.retriesExhausted()) return retryLater(req, env);
  conditions.remove(req.hr, CONDITIONS.Reconciling);
  return { kind: 'done' };
}

/** Runs the atomic release loop; see the module doc. Transient failures throw. */
export async function atomicRelease(req: ReleaseRequest, env: ActionEnv, opts: AtomicOptions): Promise<AtomicResult> {
  const done: ActionType[] = [];
  let force = opts.forceRequested;
  for (;;) {
    if (env.signal?.aborted) throw env.signal.reason ?? new Error('atomic release canceled');
    const p = await plan(req, env, force);
    force = false;
    if ('kind' in p) return p;
    const { state, next } = p;
    if (next.kind === 'warn-drift') reportDrift(req, env, state);
    if (next.kind === 'none' || next.kind === 'warn-drift') return finish(req, env);
    const type = TYPE[next.kind];
    if (done.includes(type)) return stopBefore(req, env);
    if (next.kind === 'correct-drift') reportDrift(req, env, state);
    await step(req, env, opts, next, type);
    if (type === 'remediate') return activeRemediation(req.hr)?.retriesExhausted() ? stalled(req, env) : retryLater(req, env);
    done.push(type);
    await opts.patch();
  }
}
