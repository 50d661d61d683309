// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '@eddy/runtime/clock';
import { get, settersFor } from '@eddy/runtime/conditions';
import { TransientError, WaitingError } from '@eddy/runtime/reconcile';
import { scanTimeoutMs } from './registry-auth.ts';
import { goDuration, nextRunResultBuilder, progressive } from './reconcile-support.ts';

describe('nextRunResultBuilder', () => {
  const cases: { name: string; successMs: number; result: 'empty' | 'requeue' | 'success'; error?: unknown; want: object; success: boolean }[] = [
    { name: 'success requeues at the next run', successMs: 60_000, result: 'success', want: { requeueAfterMs: 60_000 }, success: true },
    { name: 'success without a period does not requeue', successMs: 0, result: 'success', want: {}, success: true },
    { name: 'requeue is rate-limited', successMs: 60_000, result: 'requeue', want: { requeue: true }, success: false },
    { name: 'a wait requeues after its delay', successMs: 60_000, result: 'empty', error: new WaitingError('w', 30_000), want: { requeueAfterMs: 30_000 }, success: false },
    { name: 'an error leaves the backoff to the queue', successMs: 60_000, result: 'empty', error: new TransientError('t'), want: {}, success: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const b = nextRunResultBuilder(c.successMs);
      const got = b.build(c.result, c.error);
      assert.deepEqual(got, c.want);
      assert.equal(b.isSuccess(got), c.success);
    });
  }
});

describe('goDuration', () => {
  for (const [ms, want] of [
    [300_000, '5m0s'],
    [3_600_000, '1h0m0s'],
    [90_500, '1m30.5s'],
    [1_000, '1s'],
    [250, '250ms'],
    [0, '0s'],
  ] as const) {
    it(`${ms} → ${want}`, () => assert.equal(goDuration(ms), want));
  }
});

describe('progressive', () => {
  const c = settersFor(new FakeClock());
  it('sets Ready=Unknown only when absent, Unknown, or drifting', () => {
    const obj = { metadata: { generation: 1 }, status: {} };
    progressive(c, obj, false, 'reconciliation in progress');
    assert.equal(get(obj, 'Ready')?.status, 'Unknown');
    c.markTrue(obj, 'Ready', 'Succeeded', 'ok');
    progressive(c, obj, false, 'scanning: triggered by interval');
    assert.equal(get(obj, 'Ready')?.status, 'True');
    assert.equal(get(obj, 'Reconciling')?.message, 'scanning: triggered by interval');
    progressive(c, obj, true, 'scanning: no tags in database');
    assert.equal(get(obj, 'Ready')?.status, 'Unknown');
  });
});

describe('scanTimeoutMs', () => {
  it('is spec.timeout, else interval - 30s, never below 30s', () => {
    assert.equal(scanTimeoutMs(45_000, 600_000), 45_000);
    assert.equal(scanTimeoutMs(undefined, 600_000), 570_000);
    assert.equal(scanTimeoutMs(undefined, 40_000), 30_000);
    assert.equal(scanTimeoutMs(5_000, 600_000), 30_000);
  });
});
