// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../client/types.ts';
import { parseSelector } from './store.ts';
import { NAMESPACE_INDEX, Store, objectKey, splitKey } from './store.ts';

function ks(ns: string, name: string, source: string, rv = '1'): KubeObject {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { namespace: ns, name, resourceVersion: rv },
    spec: { sourceRef: { kind: 'GitRepository', name: source } },
  };
}
const bySource = (o: KubeObject): string[] => {
  const ref = (o.spec as { sourceRef?: { kind: string; name: string } }).sourceRef;
  return ref ? [`${ref.kind}/${o.metadata.namespace}/${ref.name}`] : [];
};

describe('Store', () => {
  it('keys namespaced objects as namespace/name and cluster-scoped ones by name', () => {
    assert.equal(objectKey({ metadata: { namespace: 'ns', name: 'a' } }), 'ns/a');
    assert.equal(objectKey({ metadata: { name: 'node-1' } }), 'node-1');
    assert.deepEqual(splitKey('ns/a'), { namespace: 'ns', name: 'a' });
    assert.deepEqual(splitKey('node-1'), { namespace: '', name: 'node-1' });
  });

  it('answers index queries and keeps indexes current on update and delete', () => {
    const s = new Store();
    s.addIndexer('source', bySource);
    s.upsert(ks('ns', 'a', 'repo1'));
    s.upsert(ks('ns', 'b', 'repo1'));
    s.upsert(ks('other', 'c', 'repo1'));
    assert.deepEqual(s.byIndex('source', 'GitRepository/ns/repo1').map(objectKey).sort(), ['ns/a', 'ns/b']);
    s.upsert(ks('ns', 'b', 'repo2', '2'));
    assert.deepEqual(s.indexKeys('source', 'GitRepository/ns/repo1'), ['ns/a']);
    assert.deepEqual(s.indexKeys('source', 'GitRepository/ns/repo2'), ['ns/b']);
    s.delete('ns/a');
    assert.deepEqual(s.indexKeys('source', 'GitRepository/ns/repo1'), []);
    assert.deepEqual(s.indexKeys(NAMESPACE_INDEX, 'ns'), ['ns/b']);
    assert.throws(() => s.byIndex('nope', 'x'), /no index named "nope"/);
  });

  it('builds an index added after objects are cached', () => {
    const s = new Store();
    s.upsert(ks('ns', 'a', 'repo1'));
    s.addIndexer('source', bySource);
    assert.equal(s.byIndex('source', 'GitRepository/ns/repo1').length, 1);
  });

  it('treats an index function that throws as no values', () => {
    const s = new Store();
    s.addIndexer('bad', () => {
      throw new Error('boom');
    });
    s.upsert(ks('ns', 'a', 'r'));
    assert.equal(s.size, 1);
  });
});

describe('parseSelector', () => {
  const cases: Array<[string, Record<string, string> | undefined, boolean]> = [
    ['', undefined, true],
    ['app=web', { app: 'web' }, true],
    ['app==web', { app: 'db' }, false],
    ['app!=web', {}, true],
    ['app!=web', { app: 'web' }, false],
    ['env in (a, b),tier', { env: 'b', tier: 'x' }, true],
    ['env notin (a,b)', { env: 'a' }, false],
    ['!legacy', { legacy: 'true' }, false],
    ['sharding.fluxcd.io/key', { 'sharding.fluxcd.io/key': 'shard1' }, true],
  ];
  for (const [sel, labels, want] of cases) {
    it(`"${sel}" on ${JSON.stringify(labels)} is ${want}`, () => assert.equal(parseSelector(sel).matches(labels), want));
  }
  it('rejects malformed terms', () => assert.throws(() => parseSelector('a b c'), /invalid label selector/));
});
