// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../clock/index.ts';
import type { KubeObject } from '../client/types.ts';
import * as conditions from '../conditions/index.ts';
import type { ObjectWithConditions } from '../conditions/types.ts';
import { FakeKubeClient } from '../patch/fake-client.ts';
import { SerialPatcher } from '../patch/serial-patcher.ts';
import { StallingError, TransientError, WaitingError } from '../reconcile/contract.ts';
import { STEP_READY_CONDITIONS, beginRun, progressiveStatus } from './progressive.ts';
import { nextRunResultBuilder, type StepResult } from './result.ts';

type Obj = KubeObject & ObjectWithConditions;

const ref = { apiVersion: 'example.io/v1', kind: 'Widget', namespace: 'ns', name: 'w' };
const summaryOf = (o: ObjectWithConditions): string[] => conditions.list(o).map((x) => `${x.type}=${x.status}/${x.reason}/${x.message}`);

function widget(opts: { generation?: number; observed?: number; requested?: string; handled?: string } = {}): Obj {
  return {
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    metadata: {
      name: ref.name,
      namespace: ref.namespace,
      generation: opts.generation ?? 1,
      ...(opts.requested !== undefined ? { annotations: { 'reconcile.fluxcd.io/requestedAt': opts.requested } } : {}),
    },
    status: {
      ...(opts.observed !== undefined ? { observedGeneration: opts.observed } : {}),
      ...(opts.handled !== undefined ? { lastHandledReconcileAt: opts.handled } : {}),
    },
  };
}

describe('progressiveStatus', () => {
  it('marks Reconciling and an absent Ready Unknown, stamped by the clock', () => {
    const clock = new FakeClock();
    const obj = widget();
    progressiveStatus(obj, false, 'reconciliation in progress', clock);
    assert.deepEqual(summaryOf(obj), ['Reconciling=True/Progressing/reconciliation in progress', 'Ready=Unknown/Progressing/reconciliation in progress']);
    assert.equal(conditions.get(obj, 'Ready')?.lastTransitionTime, '2026-01-01T00:00:00Z');
  });

  it('keeps a known Ready unless negative, and refreshes an Unknown one', async () => {
    const clock = new FakeClock();
    const obj = widget();
    conditions.markTrue(obj, 'Ready', 'Succeeded', 'ok', clock);
    progressiveStatus(obj, false, 'scanning: triggered by interval', clock);
    assert.deepEqual(summaryOf(obj), ['Reconciling=True/Progressing/scanning: triggered by interval', 'Ready=True/Succeeded/ok']);
    await clock.advance(5_000);
    progressiveStatus(obj, true, 'scanning: no tags in database', clock);
    assert.deepEqual(summaryOf(obj), ['Reconciling=True/Progressing/scanning: no tags in database', 'Ready=Unknown/Progressing/scanning: no tags in database']);
    assert.equal(conditions.get(obj, 'Ready')?.lastTransitionTime, '2026-01-01T00:00:05Z');
    progressiveStatus(obj, false, 'again', clock);
    assert.equal(conditions.get(obj, 'Ready')?.message, 'again');
  });
});

describe('beginRun', () => {
  const cases: Array<{ name: string; obj: Obj; wantPatch: boolean; wantReconciling: string }> = [
    { name: 'a new generation is patched at once', obj: widget({ generation: 2, observed: 1 }), wantPatch: true, wantReconciling: 'processing object: new generation 1 -> 2' },
    { name: 'a first run reads observedGeneration as -1', obj: widget({ generation: 1 }), wantPatch: true, wantReconciling: 'processing object: new generation -1 -> 1' },
    { name: 'an unhandled reconcile request is patched', obj: widget({ observed: 1, requested: 't2', handled: 't1' }), wantPatch: true, wantReconciling: 'reconciliation in progress' },
    { name: 'a handled request on an observed generation waits for the end', obj: widget({ observed: 1, requested: 't1', handled: 't1' }), wantPatch: false, wantReconciling: 'reconciliation in progress' },
    { name: 'no request on an observed generation waits for the end', obj: widget({ observed: 1 }), wantPatch: false, wantReconciling: 'reconciliation in progress' },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      const clock = new FakeClock();
      const client = new FakeKubeClient();
      const obj = client.seed(tc.obj);
      const patcher = new SerialPatcher(obj, client, { clock });
      await beginRun(patcher, obj, { ownedConditions: STEP_READY_CONDITIONS.owned, clock });
      assert.equal(conditions.get(obj, 'Reconciling')?.message, tc.wantReconciling);
      assert.equal(client.calls.length > 0, tc.wantPatch);
      const stored = client.peek<Obj>(ref)!;
      assert.equal(conditions.get(stored, 'Reconciling')?.message, tc.wantPatch ? tc.wantReconciling : undefined);
      assert.equal(stored.status?.observedGeneration, tc.obj.status?.observedGeneration);
    });
  }
});

describe('nextRunResultBuilder', () => {
  const cases: Array<{ name: string; successMs: number; result: StepResult; error?: unknown; want: object; success: boolean }> = [
    { name: 'success requeues at the next run', successMs: 60_000, result: 'success', want: { requeueAfterMs: 60_000 }, success: true },
    { name: 'success without a period does not requeue', successMs: 0, result: 'success', want: {}, success: true },
    { name: 'requeue is rate-limited', successMs: 60_000, result: 'requeue', want: { requeue: true }, success: false },
    { name: 'a wait requeues after its delay', successMs: 60_000, result: 'empty', error: new WaitingError('w', 30_000), want: { requeueAfterMs: 30_000 }, success: false },
    { name: 'a wait without a delay does not requeue', successMs: 60_000, result: 'empty', error: new WaitingError('w', 0), want: {}, success: false },
    { name: 'an error leaves the backoff to the queue', successMs: 60_000, result: 'empty', error: new TransientError('t'), want: {}, success: false },
    { name: 'a stall does not requeue', successMs: 0, result: 'empty', error: new StallingError('s'), want: {}, success: true },
    { name: 'an empty result does not requeue', successMs: 60_000, result: 'empty', want: {}, success: false },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const b = nextRunResultBuilder(tc.successMs);
      const got = b.build(tc.result, tc.error);
      assert.deepEqual(got, tc.want);
      assert.equal(b.isSuccess(got), tc.success);
    });
  }
});
