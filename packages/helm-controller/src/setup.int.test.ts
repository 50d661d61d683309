// SPDX-License-Identifier: Apache-2.0
/**
 * `setupHelmController` under a real manager (informers, queues, watches) with the values the CLI's
 * one-process mode hands it (runtime flags only, helm flags left to their defaults but the helm
 * binary): a HelmRelease installs from its HelmChart; a new artifact on the HelmChart reaches the
 * release through the source watch; a dependent HelmRelease is released when its dependency turns
 * Ready, through the dependency watch (no reconcile request on either).
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '@eddy/runtime/client';
import { realClock } from '@eddy/runtime/clock';
import { EventRecorder } from '@eddy/runtime/events';
import { flagDefaults, runtimeFlags } from '@eddy/runtime/flags';
import { createLogger } from '@eddy/runtime/log';
import { Manager } from '@eddy/runtime/manager';
import { podinfoChartDir, toolPath } from '@eddy/testenv';
import type { HelmReleaseObject } from './release/types.ts';
import { setupHarness, type Harness } from './testing/harness.ts';
import { setupHelmController, type HelmControllerHandle } from './setup.ts';

const HR_API = 'helm.toolkit.fluxcd.io/v2';
const HC = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmChart' } as const;
type HR = HelmReleaseObject & KubeObject;

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = realClock.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (realClock.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await realClock.sleep(200);
  }
}

describe('setupHelmController', { timeout: 240_000 }, () => {
  let h: Harness;
  let mgr: Manager;
  let events: EventRecorder;
  let handle: HelmControllerHandle;
  let running: Promise<void>;

  before(async () => {
    h = await setupHarness('hc-setup');
    mgr = new Manager({ kubeconfig: h.kubeconfigPath, namespace: h.namespace, metricsAddr: '127.0.0.1:0', healthAddr: '127.0.0.1:0', logger: createLogger({ level: 'error', stream: new PassThrough() }), gracefulShutdownTimeoutMs: 5_000 });
    events = new EventRecorder({ reportingController: 'helm-controller', client: mgr.client, clock: mgr.clock });
    const cliValues = flagDefaults(runtimeFlags);
    handle = await setupHelmController(mgr, { ...cliValues, kubeconfig: h.kubeconfigPath, concurrent: 2, requeueDependency: 1_000, helmPath: toolPath('helm'), events });
    running = mgr.start();
  });

  after(async () => {
    await mgr?.stop();
    await running?.catch(() => undefined);
    await events?.stop();
    await handle?.stop();
    await h?.teardown();
  });

  const get = async (name: string): Promise<HR | undefined> => h.client.get<HR>({ apiVersion: HR_API, kind: 'HelmRelease', namespace: h.namespace, name });
  const readyAt = (name: string, version: string): Promise<HR> =>
    until(`${name} Ready at ${version}`, async () => {
      const hr = await get(name);
      const ready = hr?.status?.conditions?.find((c) => c.type === 'Ready');
      return ready?.status === 'True' && hr?.status?.history?.[0]?.chartVersion === version ? hr : undefined;
    });

  /** Plays source-controller: a Ready HelmChart with the artifact of `version`. */
  const serveChart = async (name: string, version: string): Promise<void> => {
    let chart = await h.client.get<KubeObject>({ ...HC, namespace: h.namespace, name });
    chart ??= await h.client.create<KubeObject>({ ...HC, metadata: { name, namespace: h.namespace }, spec: { chart: 'podinfo', interval: '10m', sourceRef: { kind: 'HelmRepository', name: 'podinfo' } } } as KubeObject);
    const artifact = { ...(await h.artifact(version)), path: `helmchart/${h.namespace}/${name}/podinfo-${version}.tgz`, lastUpdateTime: new Date(realClock.now()).toISOString() };
    const ready = { type: 'Ready', status: 'True', reason: 'ChartPullSucceeded', message: `pulled 'podinfo' chart with version '${version}'`, lastTransitionTime: '2026-01-01T00:00:00Z' };
    await h.client.patch({ ...HC, namespace: h.namespace, name }, { status: { observedGeneration: chart.metadata.generation, artifact, conditions: [ready] } }, { type: 'merge', subresource: 'status' });
  };

  const createRelease = (name: string, spec: Record<string, unknown>): Promise<KubeObject> =>
    h.client.create({
      apiVersion: HR_API,
      kind: 'HelmRelease',
      metadata: { name, namespace: h.namespace },
      spec: { interval: '1h', chartRef: { kind: 'HelmChart', name: 'podinfo' }, install: { disableWait: true }, upgrade: { disableWait: true }, ...spec },
    } as KubeObject);

  it('installs, follows a new chart artifact through the source watch, and releases dependents through the dependency watch', async () => {
    await createRelease('backend', { values: { replicaCount: 1 } });
    await createRelease('frontend', { dependsOn: [{ name: 'backend' }], values: { replicaCount: 1 } });
    let frontend = await until('frontend to wait for its dependency', async () => {
      const hr = await get('frontend');
      return hr?.status?.conditions?.find((c) => c.type === 'Ready' && c.reason === 'DependencyNotReady') ? hr : undefined;
    });
    assert.match(frontend.status!.conditions!.find((c) => c.type === 'Ready')!.message, /backend/);
    await serveChart('podinfo', '6.14.1');
    const backend = await readyAt('backend', '6.14.1');
    assert.equal(backend.status?.storageNamespace, h.namespace);
    frontend = await readyAt('frontend', '6.14.1');
    assert.equal(frontend.status?.history?.length, 1);

    await h.repo.addChart(podinfoChartDir()!, '6.14.2');
    await serveChart('podinfo', '6.14.2');
    const upgraded = await readyAt('backend', '6.14.2');
    assert.equal(upgraded.status?.history?.length, 2);
    assert.equal(upgraded.status?.lastAttemptedRevision, '6.14.2');
    assert.equal((await readyAt('frontend', '6.14.2')).status?.history?.[1]?.chartVersion, '6.14.1');
  });
});
