// SPDX-License-Identifier: Apache-2.0
/** Unit tests of the bounded concurrency that plans a stage's objects ({@link settleLimited}). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { settleLimited } from './resource-manager.ts';

/** A promise with its resolvers, to drive the order of completions by hand. */
function deferred<T>(): { promise: Promise<T>; resolve(v: T): void; reject(e: unknown): void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('settleLimited', () => {
  it('runs at most `limit` at once and keeps the input order', async () => {
    const gates = [0, 1, 2, 3, 4].map(() => deferred<number>());
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const all = settleLimited([0, 1, 2, 3, 4], 2, async (i) => {
      started.push(i);
      peak = Math.max(peak, ++running);
      try {
        return await gates[i]!.promise;
      } finally {
        running--;
      }
    });
    await tick();
    assert.deepEqual(started, [0, 1]);
    gates[1]!.resolve(10);
    await tick();
    assert.deepEqual(started, [0, 1, 2]);
    for (const i of [0, 2, 3, 4]) gates[i]!.resolve(i * 10);
    const out = await all;
    assert.equal(peak, 2);
    assert.deepEqual(out.map((r) => (r.status === 'fulfilled' ? r.value : r.status)), [0, 10, 20, 30, 40]);
  });

  it('starts nothing new after a failure and reports it in place', async () => {
    const started: number[] = [];
    const out = await settleLimited([0, 1, 2, 3], 2, async (i) => {
      started.push(i);
      await tick();
      if (i === 1) throw new Error('dry-run failed');
      await tick();
      return i;
    });
    assert.deepEqual(started, [0, 1]);
    assert.deepEqual(out.map((r) => r.status), ['fulfilled', 'rejected', 'skipped', 'skipped']);
    assert.match(String((out[1] as PromiseRejectedResult).reason), /dry-run failed/);
  });

  it('handles an empty list and a limit above the item count', async () => {
    assert.deepEqual(await settleLimited([], 4, async () => 1), []);
    assert.deepEqual(await settleLimited(['a'], 8, async (s) => s.toUpperCase()), [{ status: 'fulfilled', value: 'A' }]);
  });
});
