// SPDX-License-Identifier: Apache-2.0
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as conditions from '@eddy/runtime/conditions';
import { hookRule, setupHarness, startPodPhaseDriver, type Harness } from '../testing/harness.ts';
import { atomicRelease, type AtomicResult } from './atomic-release.ts';
import type { HelmReleaseObject } from './types.ts';

/** Values that make podinfo's pre-upgrade hook Job fail (its Pods are failed by the phase driver). */
const failingPreUpgrade = { replicaCount: 3, hooks: { preUpgrade: { job: { enabled: true, exitCode: 1, hookDeletePolicy: 'before-hook-creation' } } } };

describe('HelmRelease failure handling against the real helm', () => {
  let h: Harness;
  let stopPods: () => Promise<void>;
  before(async () => {
    h = await setupHarness('hc-remed');
    stopPods = startPodPhaseDriver(h.client, h.namespace, hookRule({ 'podinfo-pre-upgrade': 'Failed', 'inst-post-install': 'Failed' }));
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

  it('a template error fails the upgrade without writing a release: retried, not remediated', async () => {
    const hr = h.helmRelease({ releaseName: 'tpl', upgrade: { disableWait: true, remediation: { retries: 3 } } });
    assert.deepEqual(await reconcile(hr, {}), { kind: 'done' });
    const res = await reconcile(hr, { ingress: { enabled: true, hosts: 'not-a-list' } });
    assert.ok(res instanceof Error, 'returned as an error for a backoff retry');
    assert.equal(conditions.getReason(hr, 'Ready'), 'UpgradeFailed');
    assert.equal(conditions.get(hr, 'Ready')?.status, 'False');
    assert.match(conditions.getMessage(hr, 'Released'), /^Helm upgrade failed for release .*\/tpl with chart podinfo@6\.14\.1: .*podinfo\/templates\/ingress\.yaml:\d+:\d+\n.*range can't iterate over not-a-list/s);
    assert.equal(hr.status!.upgradeFailures, undefined, 'no release written: not counted');
    assert.equal(hr.status!.failures, 1);
    assert.deepEqual(hr.status!.history!.map((s) => s.version), [1]);
  });

  it('a failing pre-upgrade hook is rolled back, then retries are exhausted and it stalls', async () => {
    const hr = h.helmRelease({ upgrade: { disableWait: true, timeout: '60s', remediation: { retries: 1 } } });
    assert.deepEqual(await reconcile(hr, {}), { kind: 'done' });

    assert.deepEqual(await reconcile(hr, failingPreUpgrade), { kind: 'requeue' });
    assert.equal(conditions.getReason(hr, 'Released'), 'UpgradeFailed');
    assert.match(conditions.getMessage(hr, 'Released'), /pre-upgrade hooks failed/);
    assert.equal(conditions.getReason(hr, 'Remediated'), 'RollbackSucceeded');
    assert.equal(conditions.getMessage(hr, 'Ready'), `Helm rollback to previous release ${h.namespace}/podinfo.v1 with chart podinfo@6.14.1 succeeded`);
    assert.equal(conditions.get(hr, 'Ready')?.status, 'False');
    assert.equal(conditions.getReason(hr, 'Reconciling'), 'ProgressingWithRetry');
    assert.deepEqual(hr.status!.history!.map((s) => [s.version, s.status]), [[3, 'deployed'], [2, 'failed'], [1, 'superseded']]);
    assert.deepEqual([hr.status!.upgradeFailures, hr.status!.failures], [1, 1]);

    const res = await reconcile(hr, failingPreUpgrade);
    assert.deepEqual(res, { kind: 'stalled', reason: 'RetriesExceeded', message: 'Failed to upgrade after 2 attempt(s)' });
    assert.equal(conditions.getReason(hr, 'Stalled'), 'RetriesExceeded');
    assert.equal(conditions.get(hr, 'Reconciling'), undefined);
    assert.equal(hr.status!.history![0]!.status, 'deployed', 'the last failure was remediated too');
  });

  it('a failed install is uninstalled and installed again (install remediation)', async () => {
    const hr = h.helmRelease({ releaseName: 'inst', install: { disableWait: true, timeout: '60s', remediation: { retries: 1 } } });
    const res = await reconcile(hr, { hooks: { postInstall: { job: { enabled: true, exitCode: 1, hookDeletePolicy: 'before-hook-creation' } } }, fullnameOverride: 'inst' });
    // The post-install hook Job of release "inst" is inst-post-install; the phase driver fails its Pods.
    assert.ok(!(res instanceof Error), String(res));
    assert.equal(conditions.getReason(hr, 'Released'), 'InstallFailed');
    assert.equal(conditions.getReason(hr, 'Remediated'), 'UninstallSucceeded');
    assert.equal(hr.status!.installFailures, 1);
    assert.equal(hr.status!.history![0]!.status, 'uninstalled');
  });

  it('unlocks a release stuck in pending-upgrade and carries on', async () => {
    const hr = h.helmRelease({ releaseName: 'locked' });
    assert.deepEqual(await reconcile(hr, {}), { kind: 'done' });
    const { env, chart } = await h.request(hr, {});
    await chart.dispose();
    // Simulate a controller killed mid-upgrade: the newest record is left pending.
    const stored = await env.storage.last('locked');
    const secretName = `sh.helm.release.v1.locked.v${stored!.record.version}`;
    const { decodeRelease, encodeRelease } = await import('../helm/release-record.ts');
    const secret = (await h.client.get({ apiVersion: 'v1', kind: 'Secret', namespace: h.namespace, name: secretName }))!;
    const full = decodeRelease((secret as unknown as { data: { release: string } }).data.release, true);
    full.info = { ...full.info, status: 'pending-upgrade' };
    await h.client.update({ ...secret, metadata: { ...secret.metadata, labels: { ...secret.metadata.labels, status: 'pending-upgrade' } }, data: { release: encodeRelease(full) } });

    const res = await reconcile(hr, { replicaCount: 2 });
    assert.ok(!(res instanceof Error), String(res));
    assert.ok(h.events.some((e) => e.reason === 'PendingRelease' && /Unlocked Helm release .*locked\.v1 .* in pending-upgrade state/.test(e.message)));
    const history = await h.driver.history({ kubeconfig: h.kubeconfig }, { releaseName: 'locked', namespace: h.namespace });
    const unlocked = history.find((r) => r.revision === 1)!;
    assert.match(unlocked.description, /Release unlocked from stale 'pending-upgrade' state/);
    assert.notEqual(unlocked.status, 'pending-upgrade');
    assert.equal(history.at(-1)!.status, 'deployed', 'the upgrade ran after unlocking');
  });
});
