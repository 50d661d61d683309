// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../clock/index.ts';
import type { PatchOptions as ClientPatchOptions, KubeObject } from '../client/types.ts';
import * as conditions from '../conditions/index.ts';
import type { ObjectWithConditions } from '../conditions/types.ts';
import { ConflictRetriesExhaustedError, PatchAggregateError } from './errors.ts';
import { FakeApiError, FakeKubeClient } from './fake-client.ts';
import { SerialPatcher, type PatchOptions } from './serial-patcher.ts';

type Obj = KubeObject & ObjectWithConditions;
const REF = { apiVersion: 'example.com/v1', kind: 'Widget', namespace: 'ns', name: 'w' };

function widget(): Obj {
  return {
    apiVersion: REF.apiVersion,
    kind: REF.kind,
    metadata: { name: 'w', namespace: 'ns', generation: 2 },
    spec: { interval: '1m' },
    status: {
      observedGeneration: 1,
      conditions: [
        { type: 'Ready', status: 'True', observedGeneration: 1, lastTransitionTime: '2025-12-31T00:00:00Z', reason: 'Succeeded', message: 'ok' },
      ],
    },
  };
}

function setup(): { client: FakeKubeClient; clock: FakeClock; obj: Obj; patcher: SerialPatcher<Obj> } {
  const client = new FakeKubeClient();
  const clock = new FakeClock();
  const obj = client.seed(widget());
  const patcher = new SerialPatcher(obj, client, { fieldOwner: 'gotk-test-controller', clock, random: () => 0.5 });
  return { client, clock, obj, patcher };
}

describe('SerialPatcher.patch', () => {
  const cases: Array<{
    name: string;
    change: (o: Obj, clock: FakeClock) => void;
    opts?: PatchOptions;
    wantCalls: Array<{ subresource?: string; body: unknown }>;
  }> = [
    { name: 'sends nothing when nothing changed', change: () => {}, wantCalls: [] },
    {
      name: 'merge-patches metadata (finalizers) on the main resource',
      change: (o) => {
        o.metadata.finalizers = ['finalizers.fluxcd.io'];
      },
      wantCalls: [{ body: { metadata: { finalizers: ['finalizers.fluxcd.io'] } } }],
    },
    {
      name: 'merge-patches plain status fields on the status subresource',
      change: (o) => {
        o.status!['lastHandledReconcileAt'] = 'now';
      },
      wantCalls: [{ subresource: 'status', body: { status: { lastHandledReconcileAt: 'now' } } }],
    },
    {
      name: 'sets status.observedGeneration when asked',
      change: () => {},
      opts: { includeStatusObservedGeneration: true },
      wantCalls: [{ subresource: 'status', body: { status: { observedGeneration: 2 } } }],
    },
    {
      name: 'patches conditions first, with an optimistic lock',
      change: (o, clock) => {
        conditions.markFalse(o, 'Ready', 'BuildFailed', 'boom', clock);
        o.metadata.labels = { a: 'b' };
      },
      wantCalls: [
        {
          subresource: 'status',
          body: {
            metadata: { resourceVersion: '101' },
            status: {
              conditions: [
                { type: 'Ready', status: 'False', observedGeneration: 2, lastTransitionTime: '2026-01-01T00:00:00Z', reason: 'BuildFailed', message: 'boom' },
              ],
            },
          },
        },
        { body: { metadata: { labels: { a: 'b' } } } },
      ],
    },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      const { client, clock, obj, patcher } = setup();
      tc.change(obj, clock);
      await patcher.patch(obj, tc.opts);
      assert.deepEqual(
        client.calls.map((c) => ({ ...('subresource' in (c.opts ?? {}) ? { subresource: (c.opts as { subresource: string }).subresource } : {}), body: c.body })),
        tc.wantCalls,
      );
      for (const c of client.calls) assert.equal((c.opts as ClientPatchOptions).fieldManager, 'gotk-test-controller');
    });
  }

  it('mirrors the observedGeneration it sets onto the passed object', async () => {
    const { obj, patcher } = setup();
    await patcher.patch(obj, { includeStatusObservedGeneration: true });
    assert.equal(obj.status?.observedGeneration, 2);
  });

  it('re-bases after a successful patch so the next one sends only later changes', async () => {
    const { client, obj, patcher } = setup();
    obj.metadata.finalizers = ['f'];
    await patcher.patch(obj);
    obj.status!['lastHandledReconcileAt'] = 'x';
    await patcher.patch(obj);
    assert.deepEqual(client.calls.map((c) => c.body), [{ metadata: { finalizers: ['f'] } }, { status: { lastHandledReconcileAt: 'x' } }]);
  });

  it('keeps conditions another controller added concurrently', async () => {
    const { client, clock, obj, patcher } = setup();
    client.mutate(REF, (o) => {
      (o as Obj).status!.conditions!.push({ type: 'Foreign', status: 'True', lastTransitionTime: 'x', reason: 'R', message: '' });
    });
    conditions.markFalse(obj, 'Ready', 'Failed', 'no', clock);
    await patcher.patch(obj, { ownedConditions: ['Ready'] });
    assert.deepEqual(conditions.list(client.peek<Obj>(REF)!).map((c) => `${c.type}=${c.status}`), ['Ready=False', 'Foreign=True']);
  });

  it('fails on a concurrent incompatible change of a non-owned condition', async () => {
    const { client, clock, obj, patcher } = setup();
    client.mutate(REF, (o) => conditions.markFalse(o as Obj, 'Ready', 'Theirs', 'theirs', clock));
    conditions.markUnknown(obj, 'Ready', 'Progressing', 'mine', clock);
    await assert.rejects(patcher.patch(obj), conditions.ConditionsConflictError);
    assert.equal(conditions.getReason(client.peek<Obj>(REF)!, 'Ready'), 'Theirs');
  });

  it('overwrites a concurrent change of an owned condition', async () => {
    const { client, clock, obj, patcher } = setup();
    client.mutate(REF, (o) => conditions.markFalse(o as Obj, 'Ready', 'Theirs', 'theirs', clock));
    conditions.markUnknown(obj, 'Ready', 'Progressing', 'mine', clock);
    await patcher.patch(obj, { ownedConditions: ['Ready'] });
    assert.equal(conditions.getReason(client.peek<Obj>(REF)!, 'Ready'), 'Progressing');
  });

  it('re-reads and retries the conditions patch after a 409', async () => {
    const { client, clock, obj, patcher } = setup();
    let conflicts = 1;
    client.beforeWrite = (call) => {
      if (call.opts && 'subresource' in call.opts && conflicts-- > 0) {
        client.mutate(REF, () => {});
        throw new FakeApiError(409, 'Conflict', 'stale');
      }
    };
    conditions.markFalse(obj, 'Ready', 'Failed', 'no', clock);
    const done = patcher.patch(obj, { ownedConditions: ['Ready'] });
    assert.equal(clock.timerCount, 0);
    await clock.advance(150);
    await done;
    assert.equal(client.calls.length, 2);
    assert.equal(conditions.getReason(client.peek<Obj>(REF)!, 'Ready'), 'Failed');
  });

  it('gives up after 5 conflicting attempts and keeps its snapshot', async () => {
    const { client, clock, obj, patcher } = setup();
    client.beforeWrite = () => {
      throw new FakeApiError(409, 'Conflict', 'stale');
    };
    conditions.markFalse(obj, 'Ready', 'Failed', 'no', clock);
    const done = assert.rejects(patcher.patch(obj), ConflictRetriesExhaustedError);
    await clock.advance(10_000);
    await done;
    assert.equal(client.calls.length, 5);
    assert.equal(conditions.getReason(patcher.snapshot(), 'Ready'), 'Succeeded');
  });

  it('reports the errors of several requests together', async () => {
    const { client, obj, patcher } = setup();
    client.beforeWrite = () => {
      throw new FakeApiError(403, 'Forbidden', 'no');
    };
    obj.metadata.labels = { a: 'b' };
    obj.status!['x'] = 1;
    const err = await patcher.patch(obj).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof PatchAggregateError);
    assert.equal(err.errors.length, 2);
  });

  it('ignores NotFound once the finalizer removal let the object go', async () => {
    const { client } = setup();
    client.mutate(REF, (o) => {
      o.metadata.finalizers = ['finalizers.fluxcd.io'];
      o.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    });
    const deleting = client.peek<Obj>(REF)!;
    const p = new SerialPatcher(deleting, client);
    deleting.metadata.finalizers = [];
    deleting.status!['lastHandledReconcileAt'] = 'x';
    await p.patch(deleting);
    assert.equal(client.peek(REF), undefined);
    assert.deepEqual(
      client.calls.map((c) => (c.opts as ClientPatchOptions).subresource ?? 'main'),
      ['main', 'status'],
      'the status patch was sent and its 404 swallowed',
    );
  });

  it('surfaces NotFound when the object is not being deleted', async () => {
    const { client, clock, obj, patcher } = setup();
    await client.delete(REF);
    conditions.markFalse(obj, 'Ready', 'Failed', 'no', clock);
    await assert.rejects(patcher.patch(obj), (e: unknown) => (e as { code?: number }).code === 404);
  });
});
