// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../client/types.ts';
import { FakeKubeClient } from '../patch/fake-client.ts';
import { SerialPatcher } from '../patch/serial-patcher.ts';
import { addFinalizer, ensureFinalizer, FLUX_FINALIZER, hasFinalizer, isDeleting, removeFinalizer, type ObjectWithFinalizers } from './index.ts';

describe('finalizer helpers', () => {
  const cases: Array<{ name: string; before?: string[]; run: (o: ObjectWithFinalizers) => boolean; want?: string[]; changed: boolean }> = [
    { name: 'add to none', run: (o) => addFinalizer(o), want: [FLUX_FINALIZER], changed: true },
    { name: 'add keeps others', before: ['x'], run: (o) => addFinalizer(o), want: ['x', FLUX_FINALIZER], changed: true },
    { name: 'add is idempotent', before: [FLUX_FINALIZER], run: (o) => addFinalizer(o), want: [FLUX_FINALIZER], changed: false },
    { name: 'remove the last drops the list', before: [FLUX_FINALIZER], run: (o) => removeFinalizer(o), changed: true },
    { name: 'remove keeps others', before: ['x', FLUX_FINALIZER], run: (o) => removeFinalizer(o), want: ['x'], changed: true },
    { name: 'remove of a missing one', before: ['x'], run: (o) => removeFinalizer(o, 'y'), want: ['x'], changed: false },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const o: ObjectWithFinalizers = { metadata: tc.before ? { finalizers: [...tc.before] } : {} };
      assert.equal(tc.run(o), tc.changed);
      assert.deepEqual(o.metadata.finalizers, tc.want);
    });
  }
  it('hasFinalizer and isDeleting', () => {
    assert.equal(hasFinalizer({ metadata: { finalizers: ['a'] } }, 'a'), true);
    assert.equal(isDeleting({ metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' } }), true);
    assert.equal(isDeleting({ metadata: {} }), false);
  });
});

describe('ensureFinalizer', () => {
  it('patches once and re-bases the patcher', async () => {
    const client = new FakeKubeClient();
    const obj = client.seed<KubeObject>({ apiVersion: 'v1', kind: 'Thing', metadata: { name: 'a', namespace: 'n' } });
    const patcher = new SerialPatcher(obj, client);
    assert.equal(await ensureFinalizer(patcher, obj), true);
    assert.equal(await ensureFinalizer(patcher, obj), false);
    await patcher.patch(obj);
    assert.deepEqual(client.calls.map((c) => c.body), [{ metadata: { finalizers: [FLUX_FINALIZER] } }]);
  });
});
