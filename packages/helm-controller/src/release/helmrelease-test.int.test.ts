// SPDX-License-Identifier: Apache-2.0
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as conditions from '@eddy/runtime/conditions';
import { hookRule, setupHarness, startPodPhaseDriver, type Harness } from '../testing/harness.ts';
import { atomicRelease, type AtomicResult } from './atomic-release.ts';
import type { HelmReleaseObject } from './types.ts';

describe('HelmRelease tests (helm test hooks)', () => {
  let h: Harness;
  let stopPods: () => Promise<void>;
  before(async () => {
    h = await setupHarness('hc-test');
    stopPods = startPodPhaseDriver(h.client, h.namespace, hookRule());
  });
  after(async () => {
    await stopPods();
    await h.teardown();
  });

  const reconcile = async (hr: HelmReleaseObject, values: Record<string, unknown>): Promise<AtomicResult | Error> => {
    const { req, env, chart } = await h.request(hr, values);
    try {
      return await atomicRelease(req, env, { patch: async () => undefined, forceRequested: false });
    } catch (e) {
      return e as Error;
    } finally {
      await chart.dispose();
    }
  };

  it('runs the tests after install and records every test hook in the snapshot', async () => {
    const hr = h.helmRelease({ releaseName: 'ok', test: { enable: true, timeout: '60s' } });
    assert.deepEqual(await reconcile(hr, {}), { kind: 'done' });
    assert.equal(conditions.getReason(hr, 'Ready'), 'TestSucceeded');
    assert.equal(conditions.getMessage(hr, 'TestSuccess'), `Helm test succeeded for release ${h.namespace}/ok.v1 with chart podinfo@6.14.1: 3 test hooks completed successfully`);
    const hooks = hr.status!.history![0]!.testHooks!;
    assert.equal(Object.keys(hooks).length, 3);
    for (const [name, s] of Object.entries(hooks)) {
      assert.match(name, /^ok-podinfo-(grpc|jwt|service)-test-/);
      assert.equal(s.phase, 'Succeeded');
      assert.ok(s.lastStarted && s.lastCompleted);
    }
    assert.deepEqual(h.events.filter((e) => e.reason.startsWith('Test')).map((e) => e.reason), ['TestSucceeded']);
  });

  it('does not re-run tests for a tested release', async () => {
    const hr = h.helmRelease({ releaseName: 'ok', test: { enable: true, timeout: '60s' } });
    hr.status = { history: [] };
    const first = h.events.length;
    // A fresh object without history sees the release as unmanaged: it upgrades and tests once.
    await reconcile(hr, {});
    await reconcile(hr, {});
    assert.equal(h.events.slice(first).filter((e) => e.reason === 'TestSucceeded').length, 1);
  });

  it('a failing test fails the release and is remediated like Flux (uninstall after install)', async () => {
    const hr = h.helmRelease({ releaseName: 'bad', test: { enable: true, timeout: '60s', filters: [{ name: 'bad-podinfo-jwt-test', exclude: true }] }, install: { disableWait: true, remediation: { retries: 0, remediateLastFailure: true } } });
    const res = await reconcile(hr, { faults: { testFail: true } });
    assert.ok(!(res instanceof Error), String(res));
    assert.equal(conditions.getReason(hr, 'TestSuccess'), 'TestFailed');
    assert.match(conditions.getMessage(hr, 'TestSuccess'), /^Helm test failed for release .*\/bad\.v1 with chart podinfo@6\.14\.1: .*bad-podinfo-fault-test-/s);
    assert.equal(conditions.get(hr, 'Ready')?.status, 'False');
    assert.equal(hr.status!.installFailures, 1);
    assert.equal(conditions.getReason(hr, 'Remediated'), 'UninstallSucceeded');
    assert.equal(conditions.getReason(hr, 'Stalled'), 'RetriesExceeded');
  });

  it('ignored test failures leave the release Ready', async () => {
    const hr = h.helmRelease({ releaseName: 'ign', test: { enable: true, timeout: '60s', ignoreFailures: true } });
    const res = await reconcile(hr, { faults: { testFail: true } });
    assert.deepEqual(res, { kind: 'done' });
    assert.equal(conditions.getReason(hr, 'TestSuccess'), 'TestFailed');
    assert.equal(conditions.get(hr, 'Ready')?.status, 'True');
    assert.equal(conditions.getReason(hr, 'Ready'), 'InstallSucceeded');
  });
});
