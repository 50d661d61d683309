// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from './reflector.ts';

describe('Backoff', () => {
  it('doubles from 1s to a 30s cap and starts over after reset', () => {
    const b = new Backoff();
    assert.deepEqual(Array.from({ length: 7 }, () => b.next()), [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    assert.equal(b.attempts, 7);
    b.reset();
    assert.equal(b.next(), 1000);
  });

  it('adds bounded jitter', () => {
    const b = new Backoff({ jitter: 0.5, random: () => 0.999 });
    assert.ok(b.next() > 1400 && b.next() <= 3000);
    for (let i = 0; i < 10; i++) assert.ok(b.next() <= 30000);
  });
});
