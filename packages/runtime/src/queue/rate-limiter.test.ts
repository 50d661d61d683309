// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../clock/index.ts';
import { BucketRateLimiter, ExponentialFailureRateLimiter, MaxOfRateLimiter, defaultControllerRateLimiter } from './rate-limiter.ts';

describe('ExponentialFailureRateLimiter', () => {
  it('doubles from 5ms per failure up to the 1000s cap by default', () => {
    const l = new ExponentialFailureRateLimiter();
    const delays = Array.from({ length: 30 }, () => l.when('x'));
    assert.deepEqual(delays.slice(0, 4), [5, 10, 20, 40]);
    assert.equal(delays[17], 5 * 2 ** 17);
    assert.equal(Math.max(...delays), 1_000_000);
    assert.equal(delays[29], 1_000_000);
  });

  it('tracks keys independently and starts over after forget', () => {
    const l = new ExponentialFailureRateLimiter({ baseDelayMs: 1, maxDelayMs: 8 });
    l.when('a');
    l.when('a');
    assert.equal(l.when('b'), 1);
    assert.equal(l.when('a'), 4);
    assert.equal(l.numRequeues('a'), 3);
    l.forget('a');
    assert.equal(l.numRequeues('a'), 0);
    assert.equal(l.when('a'), 1);
  });

  it('stays at the cap even after very many failures', () => {
    const l = new ExponentialFailureRateLimiter({ baseDelayMs: 5, maxDelayMs: 1000 });
    let last = 0;
    for (let i = 0; i < 2000; i++) last = l.when('x');
    assert.equal(last, 1000);
  });
});

describe('BucketRateLimiter', () => {
  it('lets a burst through and then spaces calls at 1/qps', async () => {
    const clock = new FakeClock();
    const l = new BucketRateLimiter(clock, { qps: 10, burst: 3 });
    assert.deepEqual([l.when('a'), l.when('b'), l.when('c')], [0, 0, 0]);
    assert.equal(Math.round(l.when('d')), 100);
    assert.equal(Math.round(l.when('e')), 200);
    await clock.advance(1000);
    assert.equal(l.when('f'), 0);
  });
});

describe('defaultControllerRateLimiter', () => {
  it('is the max of per-key backoff and the bucket', () => {
    const clock = new FakeClock();
    const l = defaultControllerRateLimiter(clock);
    assert.equal(l.when('a'), 5);
    assert.equal(l.when('a'), 10);
    assert.equal(l.numRequeues('a'), 2);
    l.forget('a');
    assert.equal(l.when('a'), 5);
    const m = new MaxOfRateLimiter(new ExponentialFailureRateLimiter({ baseDelayMs: 1 }), new BucketRateLimiter(clock, { qps: 1, burst: 1 }));
    assert.equal(m.when('z'), 1);
    assert.equal(Math.round(m.when('z')), 1000);
  });
});
