// SPDX-License-Identifier: Apache-2.0
/**
 * The Kustomization controller running in a manager against a real apiserver: reconciles on
 * creation, on a new source revision (source watch), and when a dependency becomes ready
 * (dependents watch), without waiting for requeue intervals.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '@eddy/runtime/log';
import { Manager } from '@eddy/runtime/manager';
import { toolPath, useControlPlane } from '@eddy/testenv';
import { KustomizationEnv, type KsObj } from '../testing/kustomization-env.ts';
import { KustomizationReconciler } from './kustomization-reconciler.ts';
import { setupKustomizationController } from './setup.ts';

const cond = KustomizationEnv.condition;

describe('Kustomization: manager', { timeout: 180_000 }, () => {
  const env = new KustomizationEnv();
  let mgr: Manager;
  let running: Promise<void>;

  before(async () => {
    await env.start();
    const cp = await useControlPlane();
    mgr = new Manager({
      kubeconfig: cp.kubeconfigPath,
      namespace: env.ns,
      metricsAddr: '0',
      healthAddr: '0',
      logger: createLogger({ level: 'error', stream: new PassThrough() }),
    });
    const reconciler = new KustomizationReconciler({
      client: mgr.client,
      kustomizePath: toolPath('kustomize'),
      artifactFetchRetries: 0,
      dependencyRequeueMs: 120_000,
      intervalJitter: 0,
    });
    setupKustomizationController(mgr, reconciler, { helmReleaseDependencies: false });
    running = mgr.start();
  });

  after(async () => {
    await mgr?.stop();
    await running?.catch(() => undefined);
    await env.stop();
  });

  const waitFor = async (name: string, ok: (o: KsObj) => boolean, what: string): Promise<KsObj> => {
    const deadline = Date.now() + 60_000;
    let last: KsObj | undefined;
    while (Date.now() < deadline) {
      last = await env.get(name);
      if (last && ok(last)) return last;
      await sleep(200);
    }
    throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last?.status)}`);
  };

  it('reconciles on creation and on new source revisions', async () => {
    const art1 = await env.publish('app', { 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata: {v: "1"}\n' });
    await env.create('app', { path: './', targetNamespace: env.ns });
    await waitFor('app', (o) => o.status?.lastAppliedRevision === art1.revision, 'first revision applied');

    const art2 = await env.publish('app', { 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata: {v: "2"}\n' });
    const obj = await waitFor('app', (o) => o.status?.lastAppliedRevision === art2.revision, 'second revision applied');
    assert.equal(cond(obj, 'Ready')?.message, `Applied revision: ${art2.revision}`);
    const cm = await env.client.get<{ apiVersion: string; kind: string; metadata: Record<string, unknown>; data?: Record<string, string> }>({ apiVersion: 'v1', kind: 'ConfigMap', namespace: env.ns, name: 'app' });
    assert.deepEqual(cm?.data, { v: '2' });
  });

  it('requeues dependents when a dependency becomes ready', async () => {
    await env.publish('child', { 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: child\n' });
    await env.create('child', { path: './', targetNamespace: env.ns, dependsOn: [{ name: 'parent' }] });
    await waitFor('child', (o) => cond(o, 'Ready')?.reason === 'DependencyNotReady', 'child waiting');

    await env.publish('parent', { 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: parent\n' });
    await env.create('parent', { path: './', targetNamespace: env.ns });
    const child = await waitFor('child', (o) => cond(o, 'Ready')?.status === 'True', 'child ready after parent (well before the 120s requeue)');
    assert.match(cond(child, 'Ready')?.message ?? '', /^Applied revision: /);
  });
});
