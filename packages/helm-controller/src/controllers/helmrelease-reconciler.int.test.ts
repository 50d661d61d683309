// SPDX-License-Identifier: Apache-2.0
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@eddy/runtime/client';
import { realClock } from '@eddy/runtime/clock';
import * as conditions from '@eddy/runtime/conditions';
import { assertConformant } from '@eddy/runtime/conformance';
import { createLogger } from '@eddy/runtime/log';
import type { ReconcileContext, Result } from '@eddy/runtime/reconcile';
import { setupHarness, type Harness } from '../testing/harness.ts';
import type { HelmReleaseObject } from '../release/types.ts';
import { HelmReleaseReconciler } from './helmrelease-reconciler.ts';

const HR_API = 'helm.toolkit.fluxcd.io/v2';
const SRC_API = 'source.toolkit.fluxcd.io/v1';
type HR = HelmReleaseObject & KubeObject;

describe('HelmReleaseReconciler', () => {
  let h: Harness;
  let r: HelmReleaseReconciler;
  const ctx: ReconcileContext = { signal: new AbortController().signal, log: createLogger({ level: 'error' }), reconcileId: 't' };

  before(async () => {
    h = await setupHarness('hc-rec');
    r = new HelmReleaseReconciler({ client: h.client, driver: h.driver, access: { kind: 'file', path: h.kubeconfigPath }, workDir: h.workDir, clock: realClock, dependencyRequeueMs: 2000 });
  });
  after(() => h.teardown());

  const get = async (name: string): Promise<HR> => (await h.client.get<HR>({ apiVersion: HR_API, kind: 'HelmRelease', namespace: h.namespace, name }))!;

  /** Plays source-controller: gives a HelmChart a Ready status with the artifact of `version`. */
  const serveChart = async (name: string, version: string): Promise<void> => {
    const chart = (await h.client.get({ apiVersion: SRC_API, kind: 'HelmChart', namespace: h.namespace, name }))!;
    const artifact = { ...(await h.artifact(version)), path: `helmchart/${h.namespace}/${name}/podinfo-${version}.tgz`, lastUpdateTime: '2026-01-01T00:00:00Z' };
    const status = {
      observedGeneration: chart.metadata.generation,
      artifact,
      conditions: [{ type: 'Ready', status: 'True', reason: 'ChartPullSucceeded', message: `pulled 'podinfo' chart with version '${version}'`, lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: chart.metadata.generation }],
    };
    await h.client.patch({ apiVersion: SRC_API, kind: 'HelmChart', namespace: h.namespace, name }, { status }, { type: 'merge', subresource: 'status' });
  };

  /** Reconciles until no immediate requeue is asked, checking status conformance after each run. */
  const reconcile = async (name: string, max = 6): Promise<{ hr: HR; result: Result | Error }> => {
    let result: Result | Error = {};
    for (let i = 0; i < max; i++) {
      try {
        result = await r.reconcile({ namespace: h.namespace, name }, ctx);
      } catch (e) {
        result = e as Error;
      }
      const hr = await get(name);
      if (!hr) return { hr: hr as unknown as HR, result };
      if (hr.status?.conditions?.length) assertConformant(hr, { negativePolarity: ['Stalled', 'Reconciling'] });
      if (result instanceof Error || !(result as Result).requeue) return { hr, result };
    }
    return { hr: await get(name), result };
  };

  it('creates the HelmChart <ns>-<name> from spec.chart, waits for its artifact, then installs', async () => {
    await h.client.create({
      apiVersion: HR_API,
      kind: 'HelmRelease',
      metadata: { name: 'podinfo', namespace: h.namespace },
      spec: {
        interval: '5m',
        chart: { spec: { chart: 'podinfo', version: '6.14.x', sourceRef: { kind: 'HelmRepository', name: 'podinfo' } } },
        install: { disableWait: true },
        upgrade: { disableWait: true },
        values: { replicaCount: 1 },
      },
    });
    let { hr, result } = await reconcile('podinfo');
    const chartName = `${h.namespace}-podinfo`;
    assert.equal(hr.metadata.finalizers?.[0], 'finalizers.fluxcd.io');
    assert.equal(hr.status!.helmChart, `${h.namespace}/${chartName}`);
    const chart = (await h.client.get({ apiVersion: SRC_API, kind: 'HelmChart', namespace: h.namespace, name: chartName }))!;
    assert.deepEqual((chart as KubeObject & { spec: unknown }).spec, { chart: 'podinfo', version: '6.14.x', sourceRef: { kind: 'HelmRepository', name: 'podinfo' }, interval: '5m', reconcileStrategy: 'ChartVersion' });
    assert.equal(chart.metadata.labels?.['helm.toolkit.fluxcd.io/name'], 'podinfo');
    assert.equal(conditions.getReason(hr, 'Ready'), 'SourceNotReady');
    assert.equal((result as Result).requeueAfterMs, 300_000);
    assert.notEqual(hr.status!.observedGeneration, hr.metadata.generation, 'waiting does not observe the generation');

    await serveChart(chartName, '6.14.1');
    ({ hr, result } = await reconcile('podinfo'));
    assert.equal(conditions.get(hr, 'Ready')?.status, 'True');
    assert.equal(conditions.getReason(hr, 'Ready'), 'InstallSucceeded');
    assert.equal(hr.status!.observedGeneration, hr.metadata.generation);
    assert.equal(hr.status!.lastAttemptedRevision, '6.14.1');
    assert.match(hr.status!.lastAttemptedConfigDigest!, /^sha256:/);
    assert.equal(hr.status!.storageNamespace, h.namespace);
    assert.equal(hr.status!.history![0]!.configDigest, hr.status!.lastAttemptedConfigDigest);
    assert.equal((result as Result).requeueAfterMs, 300_000);
  });

  it('upgrades on a new chart artifact and on a values change', async () => {
    await h.repo.addChart((await import('@eddy/testenv')).podinfoChartDir()!, '6.14.2');
    await serveChart(`${h.namespace}-podinfo`, '6.14.2');
    let { hr } = await reconcile('podinfo');
    assert.equal(conditions.getMessage(hr, 'Ready'), `Helm upgrade succeeded for release ${h.namespace}/podinfo.v2 with chart podinfo@6.14.2`);
    await h.client.patch({ apiVersion: HR_API, kind: 'HelmRelease', namespace: h.namespace, name: 'podinfo' }, { spec: { values: { replicaCount: 2 } } }, { type: 'merge' });
    ({ hr } = await reconcile('podinfo'));
    assert.equal(hr.status!.history![0]!.version, 3);
    assert.equal(hr.status!.observedGeneration, 2);
  });

  it('reports bad values references with ValuesError and recovers', async () => {
    await h.client.patch({ apiVersion: HR_API, kind: 'HelmRelease', namespace: h.namespace, name: 'podinfo' }, { spec: { valuesFrom: [{ kind: 'ConfigMap', name: 'extra' }] } }, { type: 'merge' });
    const { hr, result } = await reconcile('podinfo');
    assert.ok(result instanceof Error);
    assert.equal(conditions.getReason(hr, 'Ready'), 'ValuesError');
    assert.match(conditions.getMessage(hr, 'Ready'), /could not resolve ConfigMap chart values reference '.*\/extra' with key 'values.yaml': configmaps "extra" not found/);
    await h.client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'extra', namespace: h.namespace }, data: { 'values.yaml': 'podAnnotations: {team: a}\n' } });
    const recovered = await reconcile('podinfo');
    assert.equal(conditions.getReason(recovered.hr, 'Ready'), 'UpgradeSucceeded');
  });

  it('forces an upgrade with reconcile.fluxcd.io/forceAt and records lastHandledForceAt', async () => {
    const before = (await get('podinfo')).status!.history![0]!.version;
    await h.client.patch({ apiVersion: HR_API, kind: 'HelmRelease', namespace: h.namespace, name: 'podinfo' }, { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 't1', 'reconcile.fluxcd.io/forceAt': 't1' } } }, { type: 'merge' });
    const { hr } = await reconcile('podinfo');
    assert.equal(hr.status!.history![0]!.version, before + 1);
    assert.equal(hr.status!.lastHandledForceAt, 't1');
    assert.equal(hr.status!.lastHandledReconcileAt, 't1');
    const again = await reconcile('podinfo');
    assert.equal(again.hr.status!.history![0]!.version, before + 1, 'a handled force is not repeated');
  });

  it('waits for dependencies with DependencyNotReady', async () => {
    await h.client.create({
      apiVersion: HR_API,
      kind: 'HelmRelease',
      metadata: { name: 'frontend', namespace: h.namespace },
      spec: { interval: '5m', dependsOn: [{ name: 'backend' }], chartRef: { kind: 'HelmChart', name: `${h.namespace}-podinfo` }, install: { disableWait: true } },
    });
    const { hr, result } = await reconcile('frontend');
    assert.equal(conditions.getReason(hr, 'Ready'), 'DependencyNotReady');
    assert.match(conditions.getMessage(hr, 'Ready'), /unable to get '.*\/backend' dependency/);
    assert.equal((result as Result).requeueAfterMs, 2000);
  });

  it('suspended objects are left alone', async () => {
    await h.client.patch({ apiVersion: HR_API, kind: 'HelmRelease', namespace: h.namespace, name: 'frontend' }, { spec: { suspend: true, dependsOn: [] } }, { type: 'merge' });
    const { hr } = await reconcile('frontend');
    assert.equal(conditions.getReason(hr, 'Ready'), 'DependencyNotReady', 'unchanged while suspended');
    await h.client.delete({ apiVersion: HR_API, kind: 'HelmRelease', namespace: h.namespace, name: 'frontend' });
    await reconcile('frontend');
  });

  it('uninstalls on deletion, deletes the HelmChart and releases the finalizer', async () => {
    await h.client.delete({ apiVersion: HR_API, kind: 'HelmRelease', namespace: h.namespace, name: 'podinfo' });
    await r.reconcile({ namespace: h.namespace, name: 'podinfo' }, ctx);
    assert.equal(await h.client.get({ apiVersion: HR_API, kind: 'HelmRelease', namespace: h.namespace, name: 'podinfo' }), undefined);
    assert.equal(await h.client.get({ apiVersion: SRC_API, kind: 'HelmChart', namespace: h.namespace, name: `${h.namespace}-podinfo` }), undefined);
    assert.equal(await h.client.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: h.namespace, name: 'podinfo' }), undefined);
    const history = await h.driver.history({ kubeconfig: h.kubeconfig }, { releaseName: 'podinfo', namespace: h.namespace }).catch((e: Error) => e);
    assert.ok(history instanceof Error && /not found/.test(history.message), 'helm has no record of it');
  });
});
