// SPDX-License-Identifier: Apache-2.0
/**
 * `spec.storageNamespace` apart from `spec.targetNamespace`, against the real apiserver and helm:
 * the chart's objects (hooks included, which podinfo places in `.Release.Namespace`) land in the
 * target namespace, helm's records in the storage namespace (`helm list`/`helm history -n
 * <storage>`), none stay behind in the target namespace, and upgrade and uninstall work. Then the
 * recovery of records a crashed call left staged in the release namespace.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '@eddy/runtime/client';
import { realClock } from '@eddy/runtime/clock';
import * as conditions from '@eddy/runtime/conditions';
import { createLogger } from '@eddy/runtime/log';
import type { ReconcileContext } from '@eddy/runtime/reconcile';
import { podinfoChartDir, randomNamespaceName } from '@eddy/testenv';
import { StagedReleaseStorage } from '../helm/storage-staging.ts';
import type { HelmReleaseObject } from '../release/types.ts';
import { hookRule, setupHarness, startPodPhaseDriver, type Harness } from '../testing/harness.ts';
import { HelmReleaseReconciler } from './helmrelease-reconciler.ts';

const HR_API = 'helm.toolkit.fluxcd.io/v2';
const HC = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmChart' } as const;
type HR = HelmReleaseObject & KubeObject;

describe('spec.storageNamespace', { timeout: 240_000 }, () => {
  let h: Harness;
  let r: HelmReleaseReconciler;
  let target: string;
  let storage: string;
  const ctx: ReconcileContext = { signal: new AbortController().signal, log: createLogger({ level: 'error' }), reconcileId: 't' };

  before(async () => {
    h = await setupHarness('hc-stor');
    target = randomNamespaceName('hc-stor-target');
    storage = randomNamespaceName('hc-stor-store');
    for (const name of [target, storage]) await h.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    r = new HelmReleaseReconciler({ client: h.client, driver: h.driver, access: { kind: 'file', path: h.kubeconfigPath }, workDir: h.workDir, clock: realClock });
  });
  after(async () => {
    for (const name of [target, storage]) await h?.client.delete({ apiVersion: 'v1', kind: 'Namespace', name }).catch(() => undefined);
    await h?.teardown();
  });

  const get = async (): Promise<HR | undefined> => h.client.get<HR>({ apiVersion: HR_API, kind: 'HelmRelease', namespace: h.namespace, name: 'podinfo' });
  const reconcile = async (): Promise<HR> => {
    for (let i = 0; i < 6; i++) {
      const res = await r.reconcile({ namespace: h.namespace, name: 'podinfo' }, ctx).catch((e: Error) => e);
      if (res instanceof Error || !res.requeue) break;
    }
    return (await get())!;
  };
  const serveChart = async (version: string): Promise<void> => {
    const chart = (await h.client.get<KubeObject>({ ...HC, namespace: h.namespace, name: 'podinfo' })) ??
      (await h.client.create<KubeObject>({ ...HC, metadata: { name: 'podinfo', namespace: h.namespace }, spec: { chart: 'podinfo', interval: '10m', sourceRef: { kind: 'HelmRepository', name: 'podinfo' } } } as KubeObject));
    const artifact = { ...(await h.artifact(version)), path: `helmchart/x/podinfo-${version}.tgz`, lastUpdateTime: '2026-01-01T00:00:00Z' };
    const ready = { type: 'Ready', status: 'True', reason: 'ChartPullSucceeded', message: 'pulled', lastTransitionTime: '2026-01-01T00:00:00Z' };
    await h.client.patch({ ...HC, namespace: h.namespace, name: 'podinfo' }, { status: { observedGeneration: chart.metadata.generation, artifact, conditions: [ready] } }, { type: 'merge', subresource: 'status' });
  };
  const records = async (namespace: string): Promise<string[]> =>
    (await h.client.list('v1', 'Secret', { namespace, labelSelector: 'owner=helm,name=podinfo' })).items.map((s) => s.metadata.name!).sort();
  const helmHistory = (namespace: string): Promise<Array<{ revision: number; status: string; chart: string }> | Error> =>
    h.driver.history({ kubeconfig: h.kubeconfig }, { releaseName: 'podinfo', namespace }).catch((e: Error) => e);

  it('installs into the target namespace and stores the release in the storage namespace', async () => {
    await serveChart('6.14.1');
    await h.client.create({
      apiVersion: HR_API,
      kind: 'HelmRelease',
      metadata: { name: 'podinfo', namespace: h.namespace },
      spec: {
        interval: '10m',
        releaseName: 'podinfo',
        targetNamespace: target,
        storageNamespace: storage,
        chartRef: { kind: 'HelmChart', name: 'podinfo' },
        install: { disableWait: true },
        upgrade: { disableWait: true },
        values: { replicaCount: 1, hooks: { postInstall: { job: { enabled: true, hookDeletePolicy: 'before-hook-creation' } } } },
      },
    } as KubeObject);
    const stopPods = startPodPhaseDriver(h.client, target, hookRule());
    const hr = await reconcile().finally(stopPods);
    assert.equal(conditions.getReason(hr, 'Ready'), 'InstallSucceeded', conditions.getMessage(hr, 'Ready'));
    assert.ok(await h.client.get({ apiVersion: 'batch/v1', kind: 'Job', namespace: target, name: 'podinfo-post-install' }), 'the hook rendered .Release.Namespace as the target namespace');
    assert.equal(hr.status!.storageNamespace, storage);
    assert.equal(hr.status!.history![0]!.namespace, target, 'the release namespace is the target namespace');
    assert.ok(await h.client.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: target, name: 'podinfo' }), 'objects in the target namespace');
    assert.equal(await h.client.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: storage, name: 'podinfo' }), undefined);
    assert.deepEqual(await records(storage), ['sh.helm.release.v1.podinfo.v1']);
    assert.deepEqual(await records(target), [], 'no record stays in the target namespace');
    const listed = await helmHistory(storage);
    assert.ok(!(listed instanceof Error), String(listed));
    assert.deepEqual(listed.map((e) => [e.revision, e.status]), [[1, 'deployed']]);
  });

  it('upgrades through the records in the storage namespace', async () => {
    await h.repo.addChart(podinfoChartDir()!, '6.14.2');
    await serveChart('6.14.2');
    const hr = await reconcile();
    assert.equal(conditions.getReason(hr, 'Ready'), 'UpgradeSucceeded', conditions.getMessage(hr, 'Ready'));
    assert.equal(hr.status!.history![0]!.version, 2);
    const listed = await helmHistory(storage);
    assert.ok(!(listed instanceof Error), String(listed));
    assert.deepEqual(listed.map((e) => [e.revision, e.status, e.chart]), [[1, 'superseded', 'podinfo-6.14.1'], [2, 'deployed', 'podinfo-6.14.2']]);
    assert.deepEqual(await records(target), []);
    assert.ok(await helmHistory(target) instanceof Error, 'helm finds nothing in the target namespace');
  });

  it('uninstalls on deletion and leaves no records anywhere', async () => {
    await h.client.delete({ apiVersion: HR_API, kind: 'HelmRelease', namespace: h.namespace, name: 'podinfo' });
    await r.reconcile({ namespace: h.namespace, name: 'podinfo' }, ctx);
    assert.equal(await get(), undefined);
    assert.equal(await h.client.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: target, name: 'podinfo' }), undefined);
    assert.deepEqual(await records(storage), []);
    assert.deepEqual(await records(target), []);
  });

  it('uninstalls when the target namespace is deleted with the HelmRelease', async () => {
    const gone = randomNamespaceName('hc-stor-gone');
    await h.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: gone } });
    await h.client.create({
      apiVersion: HR_API,
      kind: 'HelmRelease',
      metadata: { name: 'podinfo', namespace: h.namespace },
      spec: { interval: '10m', releaseName: 'podinfo', targetNamespace: gone, storageNamespace: storage, chartRef: { kind: 'HelmChart', name: 'podinfo' }, install: { disableWait: true } },
    } as KubeObject);
    const hr = await reconcile();
    assert.equal(conditions.getReason(hr, 'Ready'), 'InstallSucceeded', conditions.getMessage(hr, 'Ready'));
    assert.deepEqual(await records(storage), ['sh.helm.release.v1.podinfo.v1']);
    await h.client.delete({ apiVersion: 'v1', kind: 'Namespace', name: gone });
    await h.client.delete({ apiVersion: HR_API, kind: 'HelmRelease', namespace: h.namespace, name: 'podinfo' });
    const err = await r.reconcile({ namespace: h.namespace, name: 'podinfo' }, ctx).then(() => undefined, (e: Error) => e);
    assert.equal(err, undefined, String(err));
    assert.equal(await get(), undefined, 'the finalizer was released');
    assert.deepEqual(await records(storage), []);
  });

  it('recovers records a crashed call left staged in the release namespace', async () => {
    const secret = (ns: string, version: number, status: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `sh.helm.release.v1.podinfo.v${version}`, namespace: ns, labels: { owner: 'helm', name: 'podinfo', status, version: String(version) } },
      type: 'helm.sh/release.v1',
      data: { release: Buffer.from(`${status}-${version}`).toString('base64') },
    } as KubeObject);
    await h.client.create(secret(storage, 1, 'deployed'));
    await h.client.create(secret(target, 1, 'superseded'));
    await h.client.create(secret(target, 2, 'pending-upgrade'));
    const staging = new StagedReleaseStorage(h.client, 'podinfo', storage, target);
    const seen = await staging.around(async () => ({ target: await records(target), storage: await records(storage) }));
    assert.deepEqual(seen.target, ['sh.helm.release.v1.podinfo.v1', 'sh.helm.release.v1.podinfo.v2'], 'the leftovers were merged, then staged again');
    assert.deepEqual(await records(target), []);
    assert.deepEqual(await records(storage), ['sh.helm.release.v1.podinfo.v1', 'sh.helm.release.v1.podinfo.v2']);
    const v1 = await h.client.get<KubeObject & { metadata: { labels: Record<string, string> } }>({ apiVersion: 'v1', kind: 'Secret', namespace: storage, name: 'sh.helm.release.v1.podinfo.v1' });
    assert.equal(v1?.metadata.labels['status'], 'superseded', 'the staged copy is newer than the stored one');
  });
});
