// SPDX-License-Identifier: Apache-2.0
/**
 * {@link OwnWritesClient} against a real apiserver: reads of the tracked object are answered from
 * its own last write; a write by someone else makes the optimistic lock fail, after which reads go
 * to the apiserver again; other objects always go through.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DynamicClient, type KubeObject } from '../client/index.ts';
import { useControlPlane } from '@eddy/testenv';
import { OwnWritesClient } from './own-writes.ts';

type ConfigMap = KubeObject & { data?: Record<string, string> };

describe('OwnWritesClient', { timeout: 60_000 }, () => {
  let client: DynamicClient;
  const ns = `own-writes-${Math.random().toString(36).slice(2, 8)}`;
  const ref = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name });

  before(async () => {
    const cp = await useControlPlane();
    client = new DynamicClient({ kubeconfig: cp.kubeconfigPath });
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  });
  after(async () => {
    await client.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns }).catch(() => false);
    client.close();
  });

  it('answers reads of the tracked object with its own last write', async () => {
    const created = await client.create<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: ns }, data: { k: '1' } });
    const own = new OwnWritesClient(client, created);
    const first = await own.get<ConfigMap>(ref('a'));
    assert.equal(first?.metadata.resourceVersion, created.metadata.resourceVersion);
    await own.patch(ref('a'), { data: { k: '2' } }, { type: 'merge' });
    const second = await own.get<ConfigMap>(ref('a'));
    const live = await client.get<ConfigMap>(ref('a'));
    assert.equal(own.remembered, 2);
    assert.equal(second?.data?.k, '2');
    assert.equal(second?.metadata.resourceVersion, live?.metadata.resourceVersion, 'what is remembered is what the apiserver holds');
    second!.data!.k = 'mutated';
    assert.equal((await own.get<ConfigMap>(ref('a')))?.data?.k, '2', 'answers are copies');
  });

  it('reads from the apiserver again after a conflicting write by someone else', async () => {
    const created = await client.create<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: ns }, data: { k: '1' } });
    const own = new OwnWritesClient(client, created);
    await client.patch(ref('b'), { data: { k: 'theirs' } }, { type: 'merge' });
    const stale = await own.get<ConfigMap>(ref('b'));
    await assert.rejects(
      own.patch(ref('b'), { metadata: { resourceVersion: stale?.metadata.resourceVersion }, data: { k: 'ours' } }, { type: 'merge' }),
      (err: { code?: number }) => err.code === 409,
    );
    const fresh = await own.get<ConfigMap>(ref('b'));
    assert.equal(fresh?.data?.k, 'theirs');
    assert.equal(own.remembered, 1, 'the read after the conflict went to the apiserver');
    await own.patch(ref('b'), { metadata: { resourceVersion: fresh?.metadata.resourceVersion }, data: { k: 'ours' } }, { type: 'merge' });
    assert.equal((await client.get<ConfigMap>(ref('b')))?.data?.k, 'ours');
  });

  it('passes other objects through', async () => {
    const created = await client.create<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: ns } });
    await client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'd', namespace: ns }, data: { k: 'd' } });
    const own = new OwnWritesClient(client, created);
    await own.patch(ref('d'), { data: { k: 'd2' } }, { type: 'merge' });
    assert.equal((await own.get<ConfigMap>(ref('d')))?.data?.k, 'd2');
    assert.equal(own.remembered, 0);
    assert.equal(await own.get(ref('missing')), undefined);
  });
});
