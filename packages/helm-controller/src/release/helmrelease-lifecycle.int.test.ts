// SPDX-License-Identifier: Apache-2.0
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@eddy/runtime/client';
import * as conditions from '@eddy/runtime/conditions';
import { podinfoChartDir } from '@eddy/testenv';
import { setupHarness, type Harness } from '../testing/harness.ts';
import { atomicRelease } from './atomic-release.ts';
import { uninstallRelease } from './uninstall.ts';
import type { HelmReleaseObject } from './types.ts';

describe('HelmRelease lifecycle against a real apiserver and the real helm', () => {
  let h: Harness;
  let hr: HelmReleaseObject;
  before(async () => {
    h = await setupHarness('hc-life');
    await h.repo.addChart(podinfoChartDir()!, '6.14.2');
    hr = h.helmRelease();
  });
  after(() => h.teardown());

  const reconcile = async (values: Record<string, unknown>, version = '6.14.1') => {
    const { req, env, chart } = await h.request(hr, values, version);
    try {
      return await atomicRelease(req, env, { patch: async () => undefined, forceRequested: false });
    } finally {
      await chart.dispose();
    }
  };
  const helmHistory = () => h.driver.history({ kubeconfig: h.kubeconfig }, { releaseName: 'podinfo', namespace: h.namespace });

  it('installs podinfo: Released and Ready with Flux reasons, one snapshot, origin labels on objects', async () => {
    assert.deepEqual(await reconcile({ replicaCount: 1 }), { kind: 'done' });
    assert.equal(conditions.getReason(hr, 'Ready'), 'InstallSucceeded');
    assert.equal(conditions.get(hr, 'Ready')?.status, 'True');
    assert.equal(conditions.getMessage(hr, 'Released'), `Helm install succeeded for release ${h.namespace}/podinfo.v1 with chart podinfo@6.14.1`);
    assert.equal(conditions.get(hr, 'Reconciling'), undefined);
    const [snap] = hr.status!.history!;
    assert.deepEqual([snap!.version, snap!.status, snap!.chartVersion, snap!.action], [1, 'deployed', '6.14.1', 'install']);
    assert.equal(hr.status!.lastAttemptedReleaseAction, 'install');
    assert.match(hr.status!.lastAttemptedReleaseActionDuration!, /^[\d.]+(ms|s)$|m/);
    const svc = await h.client.get({ apiVersion: 'v1', kind: 'Service', namespace: h.namespace, name: 'podinfo' });
    assert.equal(svc?.metadata.labels?.['helm.toolkit.fluxcd.io/name'], 'podinfo');
    assert.equal(svc?.metadata.labels?.['helm.toolkit.fluxcd.io/namespace'], h.namespace);
    const deploy = await h.client.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: h.namespace, name: 'podinfo' });
    assert.ok(deploy, 'the Deployment exists');
    assert.deepEqual(h.events.map((e) => e.reason), ['InstallSucceeded']);
    assert.equal(h.events[0]!.metadata?.['helm.toolkit.fluxcd.io/revision'], '6.14.1');
  });

  it('does nothing when the release is in sync', async () => {
    const before = structuredClone(hr.status!.history);
    assert.deepEqual(await reconcile({ replicaCount: 1 }), { kind: 'done' });
    assert.deepEqual(hr.status!.history, before);
    assert.equal((await helmHistory()).length, 1);
  });

  it('upgrades when the values change', async () => {
    await reconcile({ replicaCount: 2 });
    assert.equal(conditions.getReason(hr, 'Ready'), 'UpgradeSucceeded');
    assert.deepEqual(hr.status!.history!.map((s) => [s.version, s.status]), [[2, 'deployed'], [1, 'superseded']]);
    const deploy = await h.client.get<KubeObject & { spec: { replicas: number } }>({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: h.namespace, name: 'podinfo' });
    assert.equal(deploy?.spec.replicas, 2);
  });

  it('upgrades to a new chart version and keeps history in step with `helm history`', async () => {
    await reconcile({ replicaCount: 2 }, '6.14.2');
    assert.equal(conditions.getMessage(hr, 'Ready'), `Helm upgrade succeeded for release ${h.namespace}/podinfo.v3 with chart podinfo@6.14.2`);
    const history = await helmHistory();
    assert.deepEqual(history.map((r) => [r.revision, r.status, r.chart]), [[1, 'superseded', 'podinfo-6.14.1'], [2, 'superseded', 'podinfo-6.14.1'], [3, 'deployed', 'podinfo-6.14.2']]);
    // Flux keeps history up to the previous deployed release (truncated on the next in-sync pass).
    await reconcile({ replicaCount: 2 }, '6.14.2');
    assert.deepEqual(hr.status!.history!.map((s) => [s.version, s.status, s.chartVersion]), [[3, 'deployed', '6.14.2'], [2, 'superseded', '6.14.1']]);
    for (const s of hr.status!.history!) {
      const row = history.find((r) => r.revision === s.version)!;
      assert.equal(row.status, s.status);
      assert.equal(row.chart, `${s.chartName}-${s.chartVersion}`);
    }
  });

  it('uninstalls: Released=False/UninstallSucceeded, objects and storage gone', async () => {
    const { env, chart } = await h.request(hr, {});
    await chart.dispose();
    await uninstallRelease(hr, env);
    assert.equal(conditions.get(hr, 'Released')?.status, 'False');
    assert.equal(conditions.getReason(hr, 'Released'), 'UninstallSucceeded');
    assert.equal(hr.status!.history![0]!.status, 'uninstalled');
    assert.equal(await h.client.get({ apiVersion: 'v1', kind: 'Service', namespace: h.namespace, name: 'podinfo' }), undefined);
    assert.deepEqual(await env.storage.history('podinfo'), []);
  });
});
