// SPDX-License-Identifier: Apache-2.0
/**
 * Flux's `actionForState` (`internal/reconcile/atomic_release.go`), pure: given the determined
 * {@link ReleaseState}, the HelmRelease and helm's stored history, picks the next action. Like Flux
 * it also tidies the status on the way (truncating or clearing the history, turning a stale
 * `Remediated` into `Released` when the current release already matches the spec).
 */
import type { Clock } from '@eddy/runtime/clock';
import * as conditions from '@eddy/runtime/conditions';
import type { ReleaseRecord } from '../helm/release-record.ts';
import { REASONS } from './messages.ts';
import { activeRemediation, installRemediation, strategyOf, upgradeRemediation } from './remediation.ts';
import { fullName, latest, previous, truncate, versionedChartName } from './snapshot.ts';
import { verifySnapshot, type ReleaseState } from './state.ts';
import { statusOf, type HelmReleaseObject, type Snapshot } from './types.ts';

/** The next step of an atomic release. */
export type NextAction =
  | { kind: 'none' }
  | { kind: 'install' }
  | { kind: 'upgrade'; reason?: string }
  | { kind: 'test' }
  | { kind: 'unlock' }
  | { kind: 'rollback'; target: Snapshot }
  | { kind: 'uninstall-remediation' }
  | { kind: 'correct-drift' }
  /** Drift found in `warn` mode: report it, change nothing. */
  | { kind: 'warn-drift' };

/** Why no action can be taken (Flux's sentinel errors). */
export class ActionPlanError extends Error {
  override readonly name = 'ActionPlanError';
  constructor(
    readonly code: 'ExceededMaxRetries' | 'MissingRollbackTarget' | 'UnknownReleaseStatus' | 'UnknownRemediationStrategy',
    message: string,
  ) {
    super(message);
  }
}

/** What {@link nextAction} reads besides the state. */
export interface NextActionInput {
  hr: HelmReleaseObject;
  state: ReleaseState;
  /** Helm's stored versions of the release, newest first (to verify rollback targets). */
  stored: ReleaseRecord[];
  /** A `reconcile.fluxcd.io/forceAt` request is pending. */
  forceRequested: boolean;
  clock: Clock;
}

const UPGRADE_SUCCESS = (s: Snapshot): string => `Helm upgrade succeeded for release ${fullName(s)} with chart ${versionedChartName(s)}`;

/** Replaces `Remediated` with `Released=True/UpgradeSucceeded`, keeping its transition time (Flux's `replaceCondition`). */
function remediatedToReleased(hr: HelmReleaseObject, clock: Clock): void {
  const rem = conditions.get(hr, 'Remediated');
  const cur = latest(hr.status?.history);
  if (rem?.status !== 'True' || !cur) return;
  conditions.remove(hr, 'Released');
  conditions.remove(hr, 'Remediated');
  conditions.set(hr, { type: 'Released', status: 'True', reason: REASONS.UpgradeSucceeded, message: UPGRADE_SUCCESS(cur), lastTransitionTime: rem.lastTransitionTime }, clock);
}

function ignoreTestFailures(hr: HelmReleaseObject): boolean {
  const def = hr.spec.test?.ignoreFailures ?? false;
  return activeRemediation(hr)?.mustIgnoreTestFailures(def) ?? def;
}

/** Throws ExceededMaxRetries when the action's remediation retries are used up (RetryOnFailure never is). */
function assertRetriesLeft(hr: HelmReleaseObject, action: 'install' | 'upgrade', force: boolean): void {
  const remediation = action === 'install' ? installRemediation(hr) : upgradeRemediation(hr);
  if (!force && !strategyOf(hr, action).retry && remediation.retriesExhausted()) {
    throw new ActionPlanError('ExceededMaxRetries', `exceeded maximum retries: cannot ${action} release`);
  }
}

/** Picks the next action; throws {@link ActionPlanError} when none is possible. */
export function nextAction(input: NextActionInput): NextAction {
  const { hr, state, forceRequested, clock } = input;
  const status = statusOf(hr);
  switch (state.status) {
    case 'InSync':
      status.history = truncate(status.history, ignoreTestFailures(hr));
      if (forceRequested) return { kind: 'upgrade', reason: 'force requested through annotation' };
      remediatedToReleased(hr, clock);
      return { kind: 'none' };
    case 'Locked':
      return { kind: 'unlock' };
    case 'Absent':
      assertRetriesLeft(hr, 'install', forceRequested);
      return { kind: 'install' };
    case 'Unmanaged':
      delete status.history;
      return { kind: 'upgrade', reason: state.reason };
    case 'OutOfSync':
      assertRetriesLeft(hr, 'upgrade', forceRequested);
      return { kind: 'upgrade', reason: state.reason };
    case 'Drifted':
      return hr.spec.driftDetection?.mode === 'enabled' ? { kind: 'correct-drift' } : { kind: 'warn-drift' };
    case 'Untested':
      remediatedToReleased(hr, clock);
      return { kind: 'test' };
    case 'Failed':
      return failedAction(input);
    default:
      throw new ActionPlanError('UnknownReleaseStatus', `unknown release status: ${state.status}`);
  }
}

function failedAction({ hr, stored, forceRequested }: NextActionInput): NextAction {
  const status = statusOf(hr);
  const remediation = activeRemediation(hr);
  // Without a remediation strategy (nothing attempted yet), or under RetryOnFailure, or when the
  // conditions of the failure changed (failures were reset), the only way forward is an upgrade.
  if (!remediation || strategyOf(hr, remediation.action).retry) return { kind: 'upgrade', reason: 'release is in a failed state' };
  if (remediation.failureCount() <= 0) return { kind: 'upgrade', reason: 'release conditions have changed since last failure' };
  if (forceRequested) return { kind: 'upgrade', reason: 'force requested through annotation' };
  if (remediation.retriesExhausted() && !remediation.mustRemediateLastFailure()) {
    throw new ActionPlanError('ExceededMaxRetries', 'exceeded maximum retries: cannot remediate failed release');
  }
  const ignore = remediation.mustIgnoreTestFailures(hr.spec.test?.ignoreFailures ?? false);
  status.history = truncate(status.history, ignore);
  if (remediation.strategy === 'uninstall') return { kind: 'uninstall-remediation' };
  const prev = previous(status.history, ignore);
  if (!prev) throw new ActionPlanError('MissingRollbackTarget', 'missing target release for rollback: cannot remediate failed release');
  const rec = stored.find((r) => r.name === prev.name && r.version === prev.version);
  // A missing or modified rollback target cannot be trusted: re-attempt the upgrade instead.
  if (!rec || verifySnapshot(prev, rec) !== undefined) return { kind: 'upgrade', reason: 'unable to verify previous release in storage to roll back to' };
  return { kind: 'rollback', target: prev };
}
