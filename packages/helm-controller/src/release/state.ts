// SPDX-License-Identifier: Apache-2.0
/**
 * Flux's `DetermineReleaseState` (`internal/reconcile/state.go`), pure: compares the newest release
 * in helm's storage with the HelmRelease's history, the desired chart and values, test results and
 * (when enabled) the drift detection result.
 */
import { isPending, type ReleaseRecord } from '../helm/release-record.ts';
import { verifyValues } from '../values/digest.ts';
import type { Values } from '../values/merge.ts';
import { activeRemediation } from './remediation.ts';
import { hasBeenTested, hasTestInPhase, latest, releaseDigest } from './snapshot.ts';
import type { HelmReleaseObject, Snapshot } from './types.ts';

/** The state of a release as compared with the HelmRelease (Flux's `ReleaseStatus`). */
export type ReleaseStatus =
  | 'Absent'
  | 'Unmanaged'
  | 'OutOfSync'
  | 'Drifted'
  | 'Locked'
  | 'Untested'
  | 'InSync'
  | 'Failed'
  | 'Unknown';

/** A determined state with its reason. */
export interface ReleaseState {
  status: ReleaseStatus;
  reason?: string;
}

/** What {@link determineReleaseState} compares. */
export interface StateInput {
  hr: HelmReleaseObject;
  /** The newest release of the name in storage, if any. */
  latest?: ReleaseRecord;
  /** The desired chart (name and version, the version with `+<digest>` for OCI sources). */
  chart: { name: string; version: string };
  values: Values;
  /** Digest of `spec.postRenderers` + `spec.commonMetadata`, compared with what was last released. */
  postRenderersDigest?: string;
  /** Result of drift detection, when it ran (only relevant while in sync). */
  drift?: { detected: boolean; summary?: string };
}

/**
 * Verifies a snapshot against a stored record (Flux's `VerifyReleaseObject`): `undefined` when the
 * record is what the controller observed, else why not.
 */
export function verifySnapshot(snap: Snapshot, rec: ReleaseRecord): 'digest' | 'not-observed' | undefined {
  if (!/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(snap.digest)) return 'digest';
  return releaseDigest(rec, snap.ociDigest) === snap.digest ? undefined : 'not-observed';
}

/** Determines the release state; see the module doc. */
export function determineReleaseState(input: StateInput): ReleaseState {
  const { hr, latest: rls } = input;
  if (!rls) return { status: 'Absent', reason: 'no release in storage for object' };
  const status = String(rls.info?.status ?? '');
  if (isPending(status)) return { status: 'Locked', reason: `release with status '${status}'` };

  const cur = latest(hr.status?.history);
  if (!cur) {
    if (status === 'uninstalled') return { status: 'Absent', reason: 'found uninstalled release in storage' };
    return { status: 'Unmanaged', reason: 'found existing release in storage' };
  }
  const verified = verifySnapshot(cur, rls);
  if (verified === 'digest') return { status: 'Unmanaged', reason: 'release digest verification error' };
  if (verified === 'not-observed') return { status: 'Unmanaged', reason: 'release not observed to be made for object' };

  switch (status) {
    case 'failed':
      return { status: 'Failed' };
    case 'uninstalled':
      return { status: 'Absent', reason: 'found uninstalled release in storage' };
    case 'deployed':
      return deployedState(input, rls, cur);
    default:
      return { status: 'Unknown', reason: `unable to determine state for release with status '${status}'` };
  }
}

/** Chart, values and post-renderers compared with the latest snapshot; the out-of-sync reason, if any. */
function outOfSync(input: StateInput, rls: ReleaseRecord, cur: Snapshot): string | undefined {
  const md = rls.chart?.metadata;
  if (md?.name !== input.chart.name || md?.version !== input.chart.version) return 'release chart changed';
  if (!verifyValues(cur.configDigest, input.values)) return 'release config values changed';
  const observed = input.hr.status?.observedPostRenderersDigest ?? '';
  if (input.postRenderersDigest !== undefined && observed !== '' && observed !== input.postRenderersDigest) return 'post-renderers digest changed';
  return undefined;
}

/** Test results of the latest snapshot, when tests are enabled. */
function testState(hr: HelmReleaseObject, cur: Snapshot): ReleaseState | undefined {
  const test = hr.spec.test;
  if (!test?.enable) return undefined;
  if (!hasBeenTested(cur)) return { status: 'Untested' };
  const remediation = activeRemediation(hr);
  if (remediation && !remediation.mustIgnoreTestFailures(test.ignoreFailures ?? false) && hasTestInPhase(cur, 'Failed')) {
    return { status: 'Failed', reason: 'release has test in failed phase' };
  }
  return undefined;
}

function deployedState(input: StateInput, rls: ReleaseRecord, cur: Snapshot): ReleaseState {
  const reason = outOfSync(input, rls, cur);
  if (reason) return { status: 'OutOfSync', reason };
  const tested = testState(input.hr, cur);
  if (tested) return tested;
  if (input.drift?.detected) return { status: 'Drifted', reason: input.drift.summary ?? 'cluster state has drifted' };
  return { status: 'InSync' };
}

/** True when drift detection applies (`spec.driftDetection.mode` is `enabled` or `warn`). */
export function mustDetectDrift(hr: HelmReleaseObject): boolean {
  const m = hr.spec.driftDetection?.mode;
  return m === 'enabled' || m === 'warn';
}
