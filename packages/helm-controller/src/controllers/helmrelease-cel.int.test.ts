// SPDX-License-Identifier: Apache-2.0
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '@eddy/runtime/client';
import { realClock } from '@eddy/runtime/clock';
import * as conditions from '@eddy/runtime/conditions';
import { assertConformant } from '@eddy/runtime/conformance';
import { createLogger } from '@eddy/runtime/log';
import type { ReconcileContext, Result } from '@eddy/runtime/reconcile';
import { setupHarness, type Harness } from '../testing/harness.ts';
import type { HelmReleaseObject } from '../release/types.ts';
import { HelmReleaseReconciler } from './helmrelease-reconciler.ts';
import { crdYaml } from '@eddy/testenv';

const HR_API = 'helm.toolkit.fluxcd.io/v2';
const SRC_API = 'source.toolkit.fluxcd.io/v1';
type HR = HelmReleaseObject & KubeObject;

/**
 * A chart that needs no kubelet: a ConfigMap and a Widget (a CRD of the chart without a status
 * subresource, so the manifest sets its status) whose `data.state` / `status.phase` come from the
 * values. kstatus sees both as Current at once, so helm's own (poller) wait passes and only the
 * CEL health checks decide.
 */
async function writeWidgetChart(dir: string, group: string): Promise<void> {
  await mkdir(join(dir, 'crds'), { recursive: true });
  await mkdir(join(dir, 'templates'), { recursive: true });
  await writeFile(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: widgets\nversion: 0.1.0\n');
  await writeFile(join(dir, 'values.yaml'), 'state: ok\nphase: Ready\n');
  await writeFile(join(dir, 'crds', 'widgets.yaml'), crdYaml(group));
  await writeFile(join(dir, 'templates', 'configmap.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cfg\ndata:\n  state: {{ .Values.state | quote }}\n');
  await writeFile(join(dir, 'templates', 'widget.yaml'), `apiVersion: ${group}/v1\nkind: Widget\nmetadata:\n  name: {{ .Release.Name }}-w\nstatus:\n  phase: {{ .Values.phase | quote }}\n`);
}

describe('HelmRelease CEL: dependsOn readyExpr and healthCheckExprs', () => {
  let h: Harness;
  let chartDir: string;
  let group: string;
  const ctx: ReconcileContext = { signal: new AbortController().signal, log: createLogger({ level: 'error' }), reconcileId: 't' };
  const reconciler = (additive = false): HelmReleaseReconciler =>
    new HelmReleaseReconciler({
      client: h.client,
      driver: h.driver,
      access: { kind: 'file', path: h.kubeconfigPath },
      workDir: h.workDir,
      clock: realClock,
      dependencyRequeueMs: 2000,
      healthCheckIntervalMs: 200,
      additiveCELDependencyCheck: additive,
    });

  before(async () => {
    h = await setupHarness('hc-cel');
    group = `${h.namespace}.eddy.test`;
    chartDir = await mkdtemp(join(tmpdir(), 'eddy-widgets-'));
    await writeWidgetChart(chartDir, group);
    await h.repo.addChart(chartDir);
    // Plays source-controller: a Ready HelmChart with the widgets artifact.
    await h.client.create({ apiVersion: SRC_API, kind: 'HelmChart', metadata: { name: 'widgets', namespace: h.namespace }, spec: { chart: 'widgets', sourceRef: { kind: 'HelmRepository', name: 'local' }, interval: '5m' } });
    const chart = (await h.client.get({ apiVersion: SRC_API, kind: 'HelmChart', namespace: h.namespace, name: 'widgets' }))!;
    const artifact = { ...(await h.artifact('0.1.0', 'widgets')), path: `helmchart/${h.namespace}/widgets/widgets-0.1.0.tgz`, lastUpdateTime: '2026-01-01T00:00:00Z' };
    const status = {
      observedGeneration: chart.metadata.generation,
      artifact,
      conditions: [{ type: 'Ready', status: 'True', reason: 'ChartPullSucceeded', message: 'pulled', lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: chart.metadata.generation }],
    };
    await h.client.patch({ apiVersion: SRC_API, kind: 'HelmChart', namespace: h.namespace, name: 'widgets' }, { status }, { type: 'merge', subresource: 'status' });
  });
  after(async () => {
    await h.teardown();
    await h.client.delete({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: `widgets.${group}` }).catch(() => undefined);
    await rm(chartDir, { recursive: true, force: true });
  });

  const get = async (name: string): Promise<HR> => (await h.client.get<HR>({ apiVersion: HR_API, kind: 'HelmRelease', namespace: h.namespace, name }))!;
  const patchSpec = (name: string, spec: Record<string, unknown>): Promise<unknown> =>
    h.client.patch({ apiVersion: HR_API, kind: 'HelmRelease', namespace: h.namespace, name }, { spec }, { type: 'merge' });

  /** Reconciles until no immediate requeue is asked, checking status conformance after each run. */
  const reconcile = async (name: string, r = reconciler(), max = 6): Promise<{ hr: HR; result: Result | Error }> => {
    let result: Result | Error = {};
    for (let i = 0; i < max; i++) {
      try {
        result = await r.reconcile({ namespace: h.namespace, name }, ctx);
      } catch (e) {
        result = e as Error;
      }
      const hr = await get(name);
      if (hr.status?.conditions?.length) assertConformant(hr, { negativePolarity: ['Stalled', 'Reconciling'] });
      if (result instanceof Error || !(result as Result).requeue) return { hr, result };
    }
    return { hr: await get(name), result };
  };

  const create = (name: string, spec: Record<string, unknown>): Promise<unknown> =>
    h.client.create({
      apiVersion: HR_API,
      kind: 'HelmRelease',
      metadata: { name, namespace: h.namespace },
      spec: { interval: '5m', chartRef: { kind: 'HelmChart', name: 'widgets' }, ...spec },
    });

  describe('dependsOn[].readyExpr', () => {
    const LOCKSTEP = "dep.spec.values.state == self.spec.values.state && dep.metadata.name == 'backend'";

    it('blocks while the expression is false, replacing the built-in check', async () => {
      // The dependency is never reconciled: the built-in check (Ready=True) would never pass.
      await create('backend', { suspend: true, values: { state: 'v2' } });
      await create('frontend', { values: { state: 'v1' }, dependsOn: [{ name: 'backend', readyExpr: LOCKSTEP }], install: { disableWait: true } });
      const { hr, result } = await reconcile('frontend');
      assert.equal(conditions.get(hr, 'Ready')?.status, 'False');
      assert.equal(conditions.getReason(hr, 'Ready'), 'DependencyNotReady');
      assert.equal(conditions.getMessage(hr, 'Ready'), `dependency '${h.namespace}/backend' is not ready according to readyExpr eval`);
      assert.equal((result as Result).requeueAfterMs, 2000);
      assert.equal(hr.status!.history, undefined, 'nothing released');
    });

    it('releases once the expression is true, though the dependency is not Ready', async () => {
      await patchSpec('frontend', { values: { state: 'v2' } });
      const { hr } = await reconcile('frontend');
      assert.equal(conditions.getReason(hr, 'Ready'), 'InstallSucceeded', conditions.getMessage(hr, 'Ready'));
      assert.equal(conditions.get(hr, 'Ready')?.status, 'True');
      assert.equal(conditions.get(await get('backend'), 'Ready'), undefined, 'the dependency itself is not Ready');
    });

    it('with AdditiveCELDependencyCheck, the built-in check applies as well', async () => {
      await patchSpec('frontend', { values: { state: 'v2', bump: '1' } });
      const { hr } = await reconcile('frontend', reconciler(true));
      assert.equal(conditions.getReason(hr, 'Ready'), 'DependencyNotReady');
      assert.equal(conditions.getMessage(hr, 'Ready'), `dependency '${h.namespace}/backend' is not ready`);
    });

    it('an evaluation error keeps waiting; an expression that does not parse stalls', async () => {
      await patchSpec('frontend', { dependsOn: [{ name: 'backend', readyExpr: 'dep.status.nothing.here' }] });
      let { hr } = await reconcile('frontend');
      assert.equal(conditions.getReason(hr, 'Ready'), 'DependencyNotReady');
      assert.match(conditions.getMessage(hr, 'Ready'), /failed to evaluate the CEL expression 'dep.status.nothing.here'/);
      assert.equal(conditions.get(hr, 'Stalled'), undefined);

      await patchSpec('frontend', { dependsOn: [{ name: 'backend', readyExpr: 'dep.status.(' }] });
      const out = await reconcile('frontend');
      hr = out.hr;
      assert.deepEqual(out.result, {}, 'terminal: not retried');
      assert.equal(conditions.getReason(hr, 'Stalled'), 'InvalidCELExpression');
      assert.equal(conditions.getReason(hr, 'Ready'), 'InvalidCELExpression');
      assert.match(conditions.getMessage(hr, 'Ready'), /^Reconciliation failed terminally due to configuration error: failed to evaluate dependency backend: failed to parse the CEL expression 'dep.status.\('/);
      assert.equal(hr.status!.observedGeneration, hr.metadata.generation);
    });
  });

  describe('healthCheckExprs', () => {
    const exprs = (): unknown[] => [
      { apiVersion: `${group}/v1`, kind: 'Widget', current: "status.phase == 'Ready'", failed: "status.phase == 'Failed'" },
      { apiVersion: 'v1', kind: 'ConfigMap', current: "data.state == 'ok'", failed: "data.state == 'broken'" },
    ];

    it('a Failed custom resource fails the install (the helm wait), naming the object and expression', async () => {
      await create('health', { healthCheckExprs: exprs(), values: { phase: 'Failed' }, install: { timeout: '60s' } });
      const { hr } = await reconcile('health');
      assert.equal(conditions.get(hr, 'Ready')?.status, 'False');
      assert.equal(conditions.getReason(hr, 'Released'), 'InstallFailed');
      const message = conditions.getMessage(hr, 'Released');
      assert.match(message, new RegExp(`^Helm install failed for release ${h.namespace}/health with chart widgets@0\\.1\\.0: health check failed: failed early due to stalled resources: \\[Widget/${h.namespace}/health-w status: 'Failed': failed expression is true: status\\.phase == 'Failed'\\]$`));
      assert.deepEqual(hr.status!.history!.map((s) => [s.version, s.status]), [[1, 'failed']], 'the release is failed as after a failed helm wait');
      assert.equal(hr.status!.installFailures, 1);
      const stored = await h.driver.history({ kubeconfig: h.kubeconfig }, { releaseName: 'health', namespace: h.namespace });
      assert.equal(stored.at(-1)?.status, 'failed');
    });

    it('passes once every checked object is Current: Ready', async () => {
      await patchSpec('health', { values: { phase: 'Ready' } });
      const { hr } = await reconcile('health');
      assert.equal(conditions.get(hr, 'Ready')?.status, 'True', conditions.getMessage(hr, 'Ready'));
      assert.equal(conditions.getReason(hr, 'Released'), 'UpgradeSucceeded');
      assert.equal(hr.status!.history![0]!.status, 'deployed');
    });

    it('a ConfigMap that never turns healthy times out the upgrade and is rolled back', async () => {
      await patchSpec('health', { values: { phase: 'Ready', state: 'pending' }, upgrade: { timeout: '3s', remediation: { retries: 1 } } });
      const { hr, result } = await reconcile('health', reconciler(), 1);
      assert.deepEqual(result, { requeue: true }, 'a retry is left');
      assert.equal(conditions.getReason(hr, 'Released'), 'UpgradeFailed');
      assert.match(
        conditions.getMessage(hr, 'Released'),
        new RegExp(`health check failed: timeout waiting for: \\[ConfigMap/${h.namespace}/health-cfg status: 'InProgress': no health check expression is true \\(current: data\\.state == 'ok'\\)\\]$`),
      );
      assert.equal(conditions.getReason(hr, 'Remediated'), 'RollbackSucceeded');
      assert.deepEqual(hr.status!.history!.slice(0, 2).map((s) => s.status), ['deployed', 'failed']);
      const cm = await h.client.get<KubeObject & { data: Record<string, string> }>({ apiVersion: 'v1', kind: 'ConfigMap', namespace: h.namespace, name: 'health-cfg' });
      assert.equal(cm?.data.state, 'ok', 'rolled back to the healthy release');
    });

    it('without the poller wait, the expressions are not evaluated', async () => {
      await create('nowait', { releaseName: 'nowait', healthCheckExprs: exprs(), values: { phase: 'Failed' }, install: { disableWait: true } });
      const { hr } = await reconcile('nowait');
      assert.equal(conditions.getReason(hr, 'Ready'), 'InstallSucceeded');
    });

    it('an invalid expression stalls with InvalidCELExpression before any action', async () => {
      await create('invalid', { healthCheckExprs: [{ apiVersion: 'v1', kind: 'ConfigMap', current: 'data.(' }] });
      const { hr, result } = await reconcile('invalid');
      assert.deepEqual(result, {});
      assert.equal(conditions.getReason(hr, 'Stalled'), 'InvalidCELExpression');
      assert.match(conditions.getMessage(hr, 'Ready'), /failed to parse the expression Current/);
      assert.equal(hr.status!.history, undefined);
    });
  });
});
