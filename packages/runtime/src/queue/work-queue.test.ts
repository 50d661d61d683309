// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { FakeClock } from '../clock/index.ts';
import { WorkQueue } from './work-queue.ts';
import { RateLimitingQueue } from './rate-limiting-queue.ts';
import { ExponentialFailureRateLimiter } from './rate-limiter.ts';
import { prometheusQueueMetrics } from './metrics.ts';

/** Resolves whether a promise settled within the current microtask flush. */
async function settled<T>(p: Promise<T>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  for (let i = 0; i < 10; i++) await Promise.resolve();
  return done;
}

describe('WorkQueue', () => {
  it('hands out an item added several times before a get only once', async () => {
    const q = new WorkQueue();
    q.add('ns/a');
    q.add('ns/b');
    q.add('ns/a');
    assert.equal(q.len(), 2);
    assert.deepEqual(await q.get(), { item: 'ns/a', shutdown: false });
    assert.deepEqual(await q.get(), { item: 'ns/b', shutdown: false });
    assert.equal(q.len(), 0);
  });

  it('does not hand out an item again while a worker holds it, and re-queues it after done', async () => {
    const q = new WorkQueue();
    q.add('ns/a');
    const first = await q.get();
    assert.equal(first.item, 'ns/a');
    q.add('ns/a');
    q.add('ns/a');
    const second = q.get();
    assert.equal(await settled(second), false, 'the re-added key must wait for done');
    q.done('ns/a');
    assert.deepEqual(await second, { item: 'ns/a', shutdown: false });
    q.done('ns/a');
    assert.equal(q.len(), 0);
    assert.equal(q.has('ns/a'), false);
  });

  it('never runs a key on two workers at once under concurrent re-adds', async () => {
    const q = new WorkQueue();
    const active = new Set<string>();
    const runs = new Map<string, number>();
    let overlap = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        const r = await q.get();
        if (r.shutdown) return;
        if (active.has(r.item)) overlap++;
        active.add(r.item);
        runs.set(r.item, (runs.get(r.item) ?? 0) + 1);
        for (let i = 0; i < 3; i++) await Promise.resolve();
        active.delete(r.item);
        q.done(r.item);
      }
    };
    const workers = Array.from({ length: 8 }, () => worker());
    for (let round = 0; round < 50; round++) {
      for (const k of ['a', 'b', 'c']) q.add(k);
      await Promise.resolve();
    }
    await q.shutDownWithDrain();
    await Promise.all(workers);
    assert.equal(overlap, 0);
    for (const k of ['a', 'b', 'c']) assert.ok((runs.get(k) ?? 0) >= 2, `${k} ran ${runs.get(k)} times`);
  });

  it('resolves waiting gets with shutdown and ignores adds after shutdown', async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.shutdown();
    assert.deepEqual(await waiting, { shutdown: true });
    q.add('x');
    assert.equal(q.len(), 0);
    assert.deepEqual(await q.get(), { shutdown: true });
  });

  it('shutDownWithDrain waits until every held item is done', async () => {
    const q = new WorkQueue();
    q.add('a');
    const r = await q.get();
    const drained = q.shutDownWithDrain();
    assert.equal(await settled(drained), false);
    q.done(r.item!);
    assert.equal(await settled(drained), true);
  });
});

describe('RateLimitingQueue', () => {
  it('delays rate-limited adds with growing backoff and resets after forget', async () => {
    const clock = new FakeClock();
    const q = new RateLimitingQueue({ clock, rateLimiter: new ExponentialFailureRateLimiter({ baseDelayMs: 100, maxDelayMs: 1000 }) });
    const expect = [100, 200, 400, 800, 1000, 1000];
    for (const delay of expect) {
      q.addRateLimited('k');
      assert.equal(q.len(), 0);
      await clock.advance(delay - 1);
      assert.equal(q.len(), 0, `not before ${delay}ms`);
      await clock.advance(1);
      assert.equal(q.len(), 1, `due after ${delay}ms`);
      q.done((await q.get()).item!);
    }
    assert.equal(q.numRequeues('k'), expect.length);
    q.forget('k');
    assert.equal(q.numRequeues('k'), 0);
    q.addRateLimited('k');
    await clock.advance(100);
    assert.equal(q.len(), 1);
  });

  it('keeps the earliest of several addAfter calls for the same key', async () => {
    const clock = new FakeClock();
    const q = new RateLimitingQueue({ clock });
    q.addAfter('a', 1000);
    q.addAfter('a', 500);
    q.addAfter('a', 800);
    assert.equal(q.dueAt('a'), clock.now() + 500);
    await clock.advance(499);
    assert.equal(q.len(), 0);
    await clock.advance(1);
    assert.equal(q.len(), 1);
    q.done((await q.get()).item!);
    await clock.advance(1000);
    assert.equal(q.len(), 0, 'the later schedules were dropped');
    assert.equal(clock.timerCount, 0);
  });

  it('fires many delayed keys in due order with one timer', async () => {
    const clock = new FakeClock();
    const q = new RateLimitingQueue({ clock });
    for (let i = 0; i < 100; i++) q.addAfter(`k${i}`, 1000 - i * 10);
    assert.equal(clock.timerCount, 1);
    await clock.advance(1000);
    const order: string[] = [];
    while (q.len() > 0) {
      const r = await q.get();
      order.push(r.item!);
      q.done(r.item!);
    }
    assert.equal(order.length, 100);
    assert.equal(order[0], 'k99');
    assert.equal(order[99], 'k0');
  });

  it('adds immediately for a non-positive delay and cancels timers on shutdown', async () => {
    const clock = new FakeClock();
    const q = new RateLimitingQueue({ clock });
    q.addAfter('now', 0);
    assert.equal(q.len(), 1);
    q.addAfter('later', 5000);
    q.shutdown();
    await clock.advance(10_000);
    assert.equal(q.len(), 1);
  });

  it('reports workqueue metrics from the injected clock', async () => {
    const clock = new FakeClock();
    const registry = new Registry();
    const q = new RateLimitingQueue({ clock, metrics: prometheusQueueMetrics(registry, clock, 'demo') });
    q.add('a');
    q.add('b');
    await clock.advance(2000);
    const r = await q.get();
    await clock.advance(3000);
    const text = await registry.metrics();
    assert.match(text, /workqueue_depth\{name="demo",controller="demo"\} 1/);
    assert.match(text, /workqueue_adds_total\{name="demo",controller="demo"\} 2/);
    assert.match(text, /workqueue_queue_duration_seconds_sum\{name="demo",controller="demo"\} 2/);
    assert.match(text, /workqueue_unfinished_work_seconds\{name="demo",controller="demo"\} 3/);
    assert.match(text, /workqueue_longest_running_processor_seconds\{name="demo",controller="demo"\} 3/);
    q.done(r.item!);
    q.addRateLimited('a');
    const after = await registry.metrics();
    assert.match(after, /workqueue_work_duration_seconds_count\{name="demo",controller="demo"\} 1/);
    assert.match(after, /workqueue_retries_total\{name="demo",controller="demo"\} 1/);
  });
});
