// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as conditions from '@eddy/runtime/conditions';
import { ActionPlanError, nextAction, type NextAction } from './next-action.ts';
import type { ReleaseState } from './state.ts';
import { helmRelease, record, snap, testClock } from './test-fixtures.ts';
import type { HelmReleaseObject } from './types.ts';

const v1 = record(1, 'superseded');
const v2 = record(2, 'failed', { config: { replicaCount: 2 } });
const failedHistory = [snap(v2), snap(v1)];

interface Case {
  name: string;
  hr: HelmReleaseObject;
  state: ReleaseState;
  stored?: typeof v1[];
  force?: boolean;
  want?: NextAction['kind'];
  wantError?: ActionPlanError['code'];
  check?: (hr: HelmReleaseObject, got?: NextAction) => void;
}

const cases: Case[] = [
  { name: 'in sync: nothing to do', hr: helmRelease({}, { history: [snap(record(1, 'deployed'))] }), state: { status: 'InSync' }, want: 'none' },
  { name: 'in sync with force: upgrade', hr: helmRelease({}, { history: [snap(record(1, 'deployed'))] }), state: { status: 'InSync' }, force: true, want: 'upgrade' },
  {
    name: 'in sync truncates history to the previous deployed release',
    hr: helmRelease({}, { history: [snap(record(4, 'deployed')), snap(record(3, 'failed')), snap(record(2, 'superseded')), snap(record(1, 'superseded'))] }),
    state: { status: 'InSync' },
    want: 'none',
    check: (hr) => assert.deepEqual(hr.status!.history!.map((s) => s.version), [4, 3, 2]),
  },
  { name: 'locked: unlock', hr: helmRelease(), state: { status: 'Locked' }, want: 'unlock' },
  { name: 'absent: install', hr: helmRelease(), state: { status: 'Absent' }, want: 'install' },
  { name: 'absent, install retries exhausted', hr: helmRelease({}, { installFailures: 1 }), state: { status: 'Absent' }, wantError: 'ExceededMaxRetries' },
  { name: 'absent, retries exhausted but forced', hr: helmRelease({}, { installFailures: 1 }), state: { status: 'Absent' }, force: true, want: 'install' },
  { name: 'absent, RetryOnFailure never exhausts', hr: helmRelease({ install: { strategy: { name: 'RetryOnFailure' } } }, { installFailures: 9 }), state: { status: 'Absent' }, want: 'install' },
  {
    name: 'unmanaged: upgrade and forget the history',
    hr: helmRelease({}, { history: failedHistory }),
    state: { status: 'Unmanaged' },
    want: 'upgrade',
    check: (hr) => assert.equal(hr.status!.history, undefined),
  },
  { name: 'out of sync: upgrade', hr: helmRelease(), state: { status: 'OutOfSync' }, want: 'upgrade' },
  { name: 'out of sync, upgrade retries exhausted', hr: helmRelease({ upgrade: { remediation: { retries: 2 } } }, { upgradeFailures: 3 }), state: { status: 'OutOfSync' }, wantError: 'ExceededMaxRetries' },
  { name: 'drifted, correction enabled', hr: helmRelease({ driftDetection: { mode: 'enabled' } }), state: { status: 'Drifted' }, want: 'correct-drift' },
  { name: 'drifted, warn only', hr: helmRelease({ driftDetection: { mode: 'warn' } }), state: { status: 'Drifted' }, want: 'warn-drift' },
  { name: 'untested: test', hr: helmRelease({ test: { enable: true } }), state: { status: 'Untested' }, want: 'test' },
  { name: 'failed without prior attempt: upgrade', hr: helmRelease({}, { history: failedHistory }), state: { status: 'Failed' }, want: 'upgrade' },
  {
    name: 'failed, failures reset by a spec change: upgrade',
    hr: helmRelease({}, { history: failedHistory, lastAttemptedReleaseAction: 'upgrade' }),
    state: { status: 'Failed' },
    want: 'upgrade',
  },
  {
    name: 'failed upgrade, retries left: roll back to the previous release',
    hr: helmRelease({ upgrade: { remediation: { retries: 3 } } }, { history: failedHistory, lastAttemptedReleaseAction: 'upgrade', upgradeFailures: 1 }),
    state: { status: 'Failed' },
    stored: [v2, v1],
    want: 'rollback',
    check: (_hr, got) => assert.equal(got?.kind === 'rollback' && got.target.version, 1),
  },
  {
    name: 'failed upgrade, rollback target gone from storage: upgrade again',
    hr: helmRelease({ upgrade: { remediation: { retries: 3 } } }, { history: failedHistory, lastAttemptedReleaseAction: 'upgrade', upgradeFailures: 1 }),
    state: { status: 'Failed' },
    stored: [v2],
    want: 'upgrade',
  },
  {
    name: 'failed upgrade without a deployed predecessor',
    hr: helmRelease({ upgrade: { remediation: { retries: 3 } } }, { history: [snap(v2)], lastAttemptedReleaseAction: 'upgrade', upgradeFailures: 1 }),
    state: { status: 'Failed' },
    wantError: 'MissingRollbackTarget',
  },
  {
    name: 'failed upgrade, retries exhausted, no last-failure remediation',
    hr: helmRelease({ upgrade: { remediation: { retries: 1, remediateLastFailure: false } } }, { history: failedHistory, lastAttemptedReleaseAction: 'upgrade', upgradeFailures: 2 }),
    state: { status: 'Failed' },
    wantError: 'ExceededMaxRetries',
  },
  {
    name: 'failed upgrade, retries exhausted, remediate the last failure (default with retries)',
    hr: helmRelease({ upgrade: { remediation: { retries: 1 } } }, { history: failedHistory, lastAttemptedReleaseAction: 'upgrade', upgradeFailures: 2 }),
    state: { status: 'Failed' },
    stored: [v2, v1],
    want: 'rollback',
  },
  {
    name: 'failed upgrade with uninstall strategy',
    hr: helmRelease({ upgrade: { remediation: { retries: 1, strategy: 'uninstall' } } }, { history: failedHistory, lastAttemptedReleaseAction: 'upgrade', upgradeFailures: 1 }),
    state: { status: 'Failed' },
    want: 'uninstall-remediation',
  },
  {
    name: 'failed install: uninstall remediation',
    hr: helmRelease({ install: { remediation: { retries: 1 } } }, { history: [snap(record(1, 'failed'))], lastAttemptedReleaseAction: 'install', installFailures: 1 }),
    state: { status: 'Failed' },
    want: 'uninstall-remediation',
  },
  {
    name: 'failed upgrade under RetryOnFailure: upgrade again, no remediation',
    hr: helmRelease({ upgrade: { strategy: { name: 'RetryOnFailure', retryInterval: '1m' } } }, { history: failedHistory, lastAttemptedReleaseAction: 'upgrade', upgradeFailures: 5 }),
    state: { status: 'Failed' },
    want: 'upgrade',
  },
  {
    name: 'failed, forced: upgrade',
    hr: helmRelease({ upgrade: { remediation: { retries: 0 } } }, { history: failedHistory, lastAttemptedReleaseAction: 'upgrade', upgradeFailures: 3 }),
    state: { status: 'Failed' },
    force: true,
    want: 'upgrade',
  },
  { name: 'unknown status', hr: helmRelease(), state: { status: 'Unknown' }, wantError: 'UnknownReleaseStatus' },
];

describe('nextAction', () => {
  for (const c of cases) {
    it(c.name, () => {
      const run = (): NextAction => nextAction({ hr: c.hr, state: c.state, stored: c.stored ?? [], forceRequested: c.force ?? false, clock: testClock() });
      if (c.wantError) {
        assert.throws(run, (e: unknown) => e instanceof ActionPlanError && e.code === c.wantError);
        return;
      }
      const got = run();
      assert.equal(got.kind, c.want);
      c.check?.(c.hr, got);
    });
  }

  it('turns a stale Remediated into Released=True/UpgradeSucceeded when already in sync', () => {
    const clock = testClock();
    const hr = helmRelease({}, { history: [snap(record(3, 'deployed'))] });
    conditions.markTrue(hr, 'Remediated', 'RollbackSucceeded', 'rolled back', clock);
    const ltt = conditions.get(hr, 'Remediated')!.lastTransitionTime;
    nextAction({ hr, state: { status: 'InSync' }, stored: [], forceRequested: false, clock });
    assert.equal(conditions.get(hr, 'Remediated'), undefined);
    const released = conditions.get(hr, 'Released')!;
    assert.equal(released.reason, 'UpgradeSucceeded');
    assert.equal(released.message, 'Helm upgrade succeeded for release apps/podinfo.v3 with chart podinfo@6.14.1');
    assert.equal(released.lastTransitionTime, ltt);
  });
});
