// SPDX-License-Identifier: Apache-2.0
/**
 * `setupSourceController` under a real manager (informers, queues, watches) against the shared
 * control plane: a HelmRepository and its HelmChart become Ready on their own, and a new chart
 * version, picked up by a requested HelmRepository reconcile, reaches the HelmChart through the
 * source watch (no request on the HelmChart). Readers wait for the artifact too: conditions are
 * patched before the rest of the status, as Flux's patch helper does.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { HelmChart, HelmRepository } from '@eddy/api/source/v1';
import type { DynamicClient } from '@eddy/runtime/client';
import { createLogger } from '@eddy/runtime/log';
import { Manager } from '@eddy/runtime/manager';
import type { ChartRepo } from '@eddy/testenv';
import { podinfoChartDir, startChartRepo, useControlPlane } from '@eddy/testenv';
import type { Harness } from './testing/harness.ts';
import { cond, startHarness } from './testing/harness.ts';
import { setupSourceController } from './setup.ts';

const HR = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository' } as const;
const HC = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmChart' } as const;

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('setupSourceController', { timeout: 180_000 }, () => {
  let h: Harness;
  let repo: ChartRepo;
  let mgr: Manager;
  let running: Promise<void>;

  before(async () => {
    h = await startHarness('sc-setup');
    repo = await startChartRepo();
    const cp = await useControlPlane();
    mgr = new Manager({
      kubeconfig: cp.kubeconfigPath,
      namespace: h.ns,
      metricsAddr: '127.0.0.1:0',
      healthAddr: '127.0.0.1:0',
      logger: createLogger({ level: 'error', stream: new PassThrough() }),
      gracefulShutdownTimeoutMs: 5_000,
    });
    setupSourceController(mgr, { storage: h.storage, concurrent: 2 });
    running = mgr.start();
  });

  after(async () => {
    await mgr?.stop();
    await running?.catch(() => undefined);
    await repo?.stop();
    await h?.stop();
  });

  it('reconciles a HelmRepository and its HelmChart, and follows new chart versions through the watch', async () => {
    const client: DynamicClient = h.client;
    await client.create({ ...HR, metadata: { name: 'podinfo', namespace: h.ns }, spec: { interval: '10m', url: repo.url } } as never);
    await client.create({ ...HC, metadata: { name: 'podinfo', namespace: h.ns }, spec: { interval: '10m', chart: 'podinfo', sourceRef: { kind: 'HelmRepository', name: 'podinfo' } } } as never);
    const first = await until('the HelmChart to be Ready', async () => {
      const hc = await h.fetch<HelmChart>(HC, 'podinfo');
      return cond(hc, 'Ready')?.status === 'True' && hc.status?.artifact ? hc : undefined;
    });
    assert.equal(first.status?.artifact?.revision, repo.charts[0]!.version);
    await repo.addChart(podinfoChartDir()!, '9.9.9');
    const hr = await h.fetch<HelmRepository>(HR, 'podinfo');
    await client.patch({ ...HR, namespace: h.ns, name: 'podinfo' }, { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'now-1' } } }, { type: 'merge' });
    await until('the HelmRepository to handle the request', async () => {
      const cur = await h.fetch<HelmRepository>(HR, 'podinfo');
      return cur.status?.lastHandledReconcileAt === 'now-1' && cur.status.artifact?.revision !== hr.status?.artifact?.revision ? cur : undefined;
    });
    const moved = await until('the HelmChart to move to 9.9.9', async () => {
      const hc = await h.fetch<HelmChart>(HC, 'podinfo');
      return hc.status?.artifact?.revision === '9.9.9' ? hc : undefined;
    });
    assert.equal(cond(moved, 'Ready')?.message, "pulled 'podinfo' chart with version '9.9.9'");
  });
});
