// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeClient, KubeObject } from '../client/types.ts';
import { FakeClock } from '../clock/index.ts';
import { SharedInformer } from './shared-informer.ts';

/** The informer's cache side only: list/watch results are fed through its sink methods. */
function informer(): { inf: SharedInformer; log: string[] } {
  const inf = new SharedInformer({ client: {} as KubeClient, clock: new FakeClock(), apiVersion: 'v1', kind: 'ConfigMap' });
  const log: string[] = [];
  inf.addEventHandler({
    onAdd: (o, initial) => log.push(`add ${o.metadata.name}${initial ? ' (initial)' : ''}`),
    onUpdate: (a, b) => log.push(`update ${b.metadata.name} ${a.metadata.resourceVersion}->${b.metadata.resourceVersion}`),
    onDelete: (o) => log.push(`delete ${o.metadata.name}`),
  });
  return { inf, log };
}
const cm = (name: string, rv: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: name.startsWith('x') ? 'other' : 'ns', resourceVersion: rv, labels },
});

describe('SharedInformer cache', () => {
  it('marks the first list as initial, then syncs', async () => {
    const { inf, log } = informer();
    assert.equal(inf.hasSynced(), false);
    const sync = inf.waitForSync();
    inf.replace([cm('a', '1'), cm('b', '1')], '10');
    assert.equal(await sync, true);
    assert.deepEqual(log, ['add a (initial)', 'add b (initial)']);
  });

  it('diffs a relist: new objects are added, changed ones updated, vanished ones deleted', () => {
    const { inf, log } = informer();
    inf.replace([cm('a', '1'), cm('b', '1'), cm('c', '1')], '10');
    log.length = 0;
    inf.replace([cm('a', '1'), cm('b', '2'), cm('d', '1')], '20');
    assert.deepEqual(log.sort(), ['add d', 'delete c', 'update b 1->2']);
    assert.deepEqual(inf.list().map((o) => o.metadata.name).sort(), ['a', 'b', 'd']);
  });

  it('ignores watch events that repeat a known resourceVersion', () => {
    const { inf, log } = informer();
    inf.replace([], '1');
    inf.upsert(cm('a', '5'));
    inf.upsert(cm('a', '5'));
    inf.upsert(cm('a', '6'));
    inf.remove(cm('a', '7'));
    assert.deepEqual(log, ['add a', 'update a 5->6', 'delete a']);
    assert.equal(inf.size, 0);
  });

  it('replays the cache to handlers added after sync, and survives a throwing handler', () => {
    const { inf } = informer();
    inf.replace([cm('a', '1'), cm('b', '1')], '1');
    const replay: string[] = [];
    inf.addEventHandler({
      onAdd: (o, initial) => {
        replay.push(`${o.metadata.name}:${initial}`);
        throw new Error('handler bug');
      },
    });
    assert.deepEqual(replay.sort(), ['a:true', 'b:true']);
    inf.upsert(cm('c', '1'));
    assert.equal(inf.size, 3);
    const reg = inf.addEventHandler({ onDelete: () => replay.push('deleted') });
    reg.remove();
    inf.remove(cm('c', '2'));
    assert.ok(!replay.includes('deleted'));
  });

  it('reads by namespace, label selector and index', () => {
    const { inf } = informer();
    inf.addIndexer('app', (o) => (o.metadata.labels?.app ? [o.metadata.labels.app] : []));
    inf.replace([cm('a', '1', { app: 'web' }), cm('b', '1', { app: 'db' }), cm('x1', '1', { app: 'web' })], '1');
    assert.deepEqual(inf.list({ namespace: 'ns' }).map((o) => o.metadata.name).sort(), ['a', 'b']);
    assert.deepEqual(inf.list({ labelSelector: 'app=web' }).map((o) => o.metadata.name).sort(), ['a', 'x1']);
    assert.deepEqual(inf.byIndex('app', 'db').map((o) => o.metadata.name), ['b']);
    assert.equal(inf.get('other', 'x1')?.metadata.name, 'x1');
    assert.equal(inf.getByKey('ns/a')?.metadata.name, 'a');
  });
});
