// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../client/types.ts';
import {
  RECONCILE_REQUEST_ANNOTATION,
  and,
  annotationChanged,
  evaluate,
  filter,
  generationChanged,
  labelChanged,
  not,
  or,
  passesAll,
  reconcileRequested,
  resourceVersionChanged,
  type Predicate,
} from './predicates.ts';

function obj(meta: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', metadata: { name: 'app', namespace: 'ns', ...meta } };
}
const upd = (p: Predicate, a: KubeObject, b: KubeObject): boolean => evaluate(p, 'update', { objectOld: a, objectNew: b });

describe('predicates', () => {
  const cases: Array<{ name: string; p: Predicate; old: KubeObject; new: KubeObject; want: boolean }> = [
    { name: 'generationChanged: spec change', p: generationChanged(), old: obj({ generation: 1 }), new: obj({ generation: 2 }), want: true },
    { name: 'generationChanged: status-only change', p: generationChanged(), old: obj({ generation: 2, resourceVersion: '1' }), new: obj({ generation: 2, resourceVersion: '2' }), want: false },
    { name: 'reconcileRequested: new token', p: reconcileRequested(), old: obj({ annotations: { [RECONCILE_REQUEST_ANNOTATION]: 'a' } }), new: obj({ annotations: { [RECONCILE_REQUEST_ANNOTATION]: 'b' } }), want: true },
    { name: 'reconcileRequested: first token', p: reconcileRequested(), old: obj(), new: obj({ annotations: { [RECONCILE_REQUEST_ANNOTATION]: 'a' } }), want: true },
    { name: 'reconcileRequested: same token', p: reconcileRequested(), old: obj({ annotations: { [RECONCILE_REQUEST_ANNOTATION]: 'a' } }), new: obj({ annotations: { [RECONCILE_REQUEST_ANNOTATION]: 'a' } }), want: false },
    { name: 'reconcileRequested: token removed', p: reconcileRequested(), old: obj({ annotations: { [RECONCILE_REQUEST_ANNOTATION]: 'a' } }), new: obj(), want: false },
    { name: 'annotationChanged(): any key added', p: annotationChanged(), old: obj(), new: obj({ annotations: { x: '1' } }), want: true },
    { name: 'annotationChanged(): same map', p: annotationChanged(), old: obj({ annotations: { x: '1' } }), new: obj({ annotations: { x: '1' } }), want: false },
    { name: 'annotationChanged(key): other key changed', p: annotationChanged('k'), old: obj({ annotations: { x: '1' } }), new: obj({ annotations: { x: '2' } }), want: false },
    { name: 'annotationChanged(key): key changed', p: annotationChanged('k'), old: obj({ annotations: { k: '1' } }), new: obj({ annotations: { k: '2' } }), want: true },
    { name: 'labelChanged(): value changed', p: labelChanged(), old: obj({ labels: { a: '1' } }), new: obj({ labels: { a: '2' } }), want: true },
    { name: 'labelChanged(): removed', p: labelChanged(), old: obj({ labels: { a: '1' } }), new: obj({ labels: {} }), want: true },
    { name: 'labelChanged(key): unrelated', p: labelChanged('b'), old: obj({ labels: { a: '1' } }), new: obj({ labels: { a: '2' } }), want: false },
    { name: 'resourceVersionChanged: same', p: resourceVersionChanged(), old: obj({ resourceVersion: '5' }), new: obj({ resourceVersion: '5' }), want: false },
    { name: 'or(gen, requested): requested only', p: or(generationChanged(), reconcileRequested()), old: obj({ generation: 1 }), new: obj({ generation: 1, annotations: { [RECONCILE_REQUEST_ANNOTATION]: 't' } }), want: true },
    { name: 'or(gen, requested): neither', p: or(generationChanged(), reconcileRequested()), old: obj({ generation: 1 }), new: obj({ generation: 1, labels: { a: 'b' } }), want: false },
    { name: 'and(gen, label): only generation', p: and(generationChanged(), labelChanged()), old: obj({ generation: 1 }), new: obj({ generation: 2 }), want: false },
    { name: 'not(gen): status change', p: not(generationChanged()), old: obj({ generation: 1 }), new: obj({ generation: 1 }), want: true },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(upd(c.p, c.old, c.new), c.want));
  }

  it('lets creates and deletes through the built-in predicates', () => {
    for (const p of [generationChanged(), reconcileRequested(), annotationChanged(), labelChanged(), or(generationChanged(), reconcileRequested())]) {
      assert.equal(evaluate(p, 'create', { object: obj() }), true);
      assert.equal(evaluate(p, 'delete', { object: obj() }), true);
      assert.equal(evaluate(p, 'generic', { object: obj() }), true);
    }
  });

  it('filters every event kind with filter()', () => {
    const p = filter((o) => o.metadata.namespace === 'ns');
    const other = obj({ namespace: 'other' });
    assert.equal(evaluate(p, 'create', { object: obj() }), true);
    assert.equal(evaluate(p, 'delete', { object: other }), false);
    assert.equal(upd(p, obj(), other), false);
  });

  it('requires all predicates in passesAll and passes an empty list', () => {
    assert.equal(passesAll([], 'update', { objectOld: obj(), objectNew: obj() }), true);
    assert.equal(passesAll([generationChanged(), filter(() => true)], 'update', { objectOld: obj({ generation: 1 }), objectNew: obj({ generation: 1 }) }), false);
    assert.equal(evaluate(or(), 'create', { object: obj() }), false);
  });
});
