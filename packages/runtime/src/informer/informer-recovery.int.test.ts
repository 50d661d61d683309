// SPDX-License-Identifier: Apache-2.0
/**
 * The informer survives what kills client-node's: the apiserver process going away and coming
 * back, a 410 after etcd compaction (with an object deleted meanwhile), and a silent watch.
 * Uses a control plane of its own, because it stops the apiserver.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, type ControlPlane } from '@eddy/testenv';
import { DynamicClient } from '../client/dynamic-client.ts';
import type { KubeObject } from '../client/types.ts';
import { realClock } from '../clock/index.ts';
import { SharedInformer } from './shared-informer.ts';

async function eventually(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function etcdDelete(etcdUrl: string, key: string): Promise<void> {
  const res = await fetch(`${etcdUrl}/v3/kv/deleterange`, {
    method: 'POST',
    body: JSON.stringify({ key: Buffer.from(key).toString('base64') }),
  });
  const body = (await res.json()) as { deleted?: string };
  assert.equal(body.deleted, '1', `etcd deleted ${key}`);
}

describe('informer recovery', { timeout: 300_000 }, () => {
  let cp: ControlPlane;
  let client: DynamicClient;
  let informer: SharedInformer;
  const ns = 'recovery';
  const seen = { adds: [] as string[], updates: [] as string[], deletes: [] as string[] };
  const cm = (name: string, v = '1'): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: ns, labels: { app: 'recovery' } },
    data: { v },
  });

  before(async () => {
    cp = await startControlPlane({ name: 'informer-recovery', controllerManager: false });
    client = new DynamicClient({ kubeconfig: cp.kubeconfigPath });
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    for (const n of ['a', 'b', 'c']) await client.create(cm(n));
    informer = new SharedInformer({
      client,
      clock: realClock,
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: ns,
      labelSelector: 'app=recovery',
      backoff: { initialMs: 100, maxMs: 1000 },
    });
    informer.addEventHandler({
      onAdd: (o) => seen.adds.push(o.metadata.name!),
      onUpdate: (_o, n) => seen.updates.push(`${n.metadata.name}=${(n.data as Record<string, string>).v}`),
      onDelete: (o) => seen.deletes.push(o.metadata.name!),
    });
    informer.start();
    assert.equal(await informer.waitForSync(), true);
  });

  after(async () => {
    await informer?.stop();
    client?.close();
    await cp?.stop();
  });

  it('lists the initial objects', () => {
    assert.deepEqual(informer.list().map((o) => o.metadata.name).sort(), ['a', 'b', 'c']);
    assert.deepEqual(seen.adds.sort(), ['a', 'b', 'c']);
  });

  it('keeps watching after the apiserver process is stopped and started', async () => {
    const errorsBefore = informer.stats.errors;
    await cp.stopApiServer();
    await eventually(() => informer.stats.errors > errorsBefore + 1, 'reconnect attempts to fail');
    await cp.startApiServer();
    await client.create(cm('d'));
    await client.patch({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'a' }, { data: { v: '2' } }, { type: 'merge' });
    await eventually(() => seen.adds.includes('d') && seen.updates.includes('a=2'), 'events after the restart');
    assert.equal((informer.get(ns, 'a')?.data as Record<string, string>).v, '2');
  });

  it('relists on 410 Gone and reports objects deleted while it was not watching', async () => {
    const relists = informer.stats.relistsOnGone;
    const lists = informer.stats.lists;
    await cp.stopApiServer();
    // Delete behind the informer's back, then compact etcd past its resourceVersion.
    await etcdDelete(cp.etcdUrl, `/registry/configmaps/${ns}/b`);
    await cp.compactEtcd();
    await cp.startApiServer();
    await eventually(() => seen.deletes.includes('b'), 'the delete of b found by the relist');
    assert.ok(informer.stats.relistsOnGone > relists, 'a 410 caused the relist');
    assert.ok(informer.stats.lists > lists);
    assert.equal(informer.get(ns, 'b'), undefined);
    await client.create(cm('e'));
    await eventually(() => seen.adds.includes('e'), 'watch resumed after the relist');
    assert.deepEqual(informer.list().map((o) => o.metadata.name).sort(), ['a', 'c', 'd', 'e']);
  });

  it('restarts a watch that stays silent past the watchdog, without losing events', async () => {
    const quiet = new SharedInformer({
      client,
      clock: realClock,
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: ns,
      labelSelector: 'app=quiet',
      idleTimeoutMs: 500,
      backoff: { initialMs: 50, maxMs: 200 },
    });
    const adds: string[] = [];
    quiet.addEventHandler({ onAdd: (o) => adds.push(o.metadata.name!) });
    quiet.start();
    try {
      assert.equal(await quiet.waitForSync(), true);
      await eventually(() => quiet.stats.watchdogFired >= 2, 'the watchdog to fire twice', 20_000);
      await client.create({ ...cm('q'), metadata: { name: 'q', namespace: ns, labels: { app: 'quiet' } } });
      await eventually(() => adds.includes('q'), 'an event after watchdog restarts', 20_000);
    } finally {
      await quiet.stop();
    }
  });

  it('stops quietly and resolves waitForSync of a stopped informer with false', async () => {
    const i = new SharedInformer({ client, clock: realClock, apiVersion: 'v1', kind: 'Secret', namespace: ns });
    const sync = i.waitForSync();
    await i.stop();
    assert.equal(await sync, false);
    assert.equal(i.stats.errors, 0);
  });
});
