// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SpamFilter } from './spam-filter.ts';

describe('SpamFilter', () => {
  const cases: Array<{ name: string; steps: Array<[key: string, atMs: number]>; want: boolean[] }> = [
    { name: 'allows the burst, then drops', steps: [['a', 0], ['a', 1], ['a', 2], ['a', 3]], want: [true, true, true, false] },
    { name: 'keys are independent', steps: [['a', 0], ['a', 0], ['a', 0], ['b', 0]], want: [true, true, true, true] },
    { name: 'earns one token per refill period', steps: [['a', 0], ['a', 0], ['a', 0], ['a', 999], ['a', 1000], ['a', 1001]], want: [true, true, true, false, true, false] },
    { name: 'a full bucket does not bank time', steps: [['a', 0], ['a', 10_000], ['a', 10_000], ['a', 10_000], ['a', 10_000]], want: [true, true, true, true, false] },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const f = new SpamFilter({ burst: 3, refillMs: 1000 });
      assert.deepEqual(tc.steps.map(([k, at]) => f.allow(k, at)), tc.want);
    });
  }
  it('forgets the least recently used key beyond maxKeys', () => {
    const f = new SpamFilter({ burst: 1, refillMs: 1000, maxKeys: 1 });
    assert.equal(f.allow('a', 0), true);
    assert.equal(f.allow('b', 0), true);
    assert.equal(f.allow('a', 0), true, 'a was forgotten, so it starts with a full bucket');
  });
});
