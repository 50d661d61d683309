// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { FakeClock } from '../clock/index.ts';
import { createLogger } from '../log/logger.ts';
import { StallingError, TransientError, WaitingError, type ReconcileContext, type Request, type Result } from '../reconcile/contract.ts';
import { Controller } from './controller.ts';

const quiet = createLogger({ level: 'error', stream: new Writable({ write: (_c, _e, cb) => cb() }) });
/** Lets promise chains and handed-out queue items run; no wall-clock time passes. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

function setup(fn: (req: Request, ctx: ReconcileContext, attempt: number) => Promise<Result> | Result, workers = 1) {
  const clock = new FakeClock();
  const registry = new Registry();
  const calls: Array<{ name: string; at: number }> = [];
  const attempts = new Map<string, number>();
  const c = new Controller({
    name: 'test',
    clock,
    registry,
    logger: quiet,
    maxConcurrentReconciles: workers,
    reconciler: {
      reconcile: async (req, ctx) => {
        const n = (attempts.get(req.name) ?? 0) + 1;
        attempts.set(req.name, n);
        calls.push({ name: req.name, at: clock.now() });
        return fn(req, ctx, n);
      },
    },
  });
  c.start();
  const t0 = clock.now();
  const times = (name: string): number[] => calls.filter((x) => x.name === name).map((x) => x.at - t0);
  const total = async (result: string): Promise<number> => {
    const m = await registry.getSingleMetric('controller_runtime_reconcile_total')!.get();
    return m.values.find((v) => v.labels.result === result)?.value ?? 0;
  };
  return { clock, c, calls, times, total };
}

async function advance(clock: FakeClock, ms: number, step = 1): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    await clock.advance(step);
    await settle();
  }
}

describe('Controller reconcile loop', () => {
  it('forgets and re-adds after requeueAfterMs on success', async () => {
    const { clock, c, times, total } = setup((_r, _c, n) => (n < 3 ? { requeueAfterMs: 1000 } : {}));
    c.enqueue({ namespace: 'ns', name: 'a' });
    await settle();
    await advance(clock, 3000, 100);
    assert.deepEqual(times('a'), [0, 1000, 2000]);
    assert.equal(await total('requeue_after'), 2);
    assert.equal(await total('success'), 1);
    assert.equal(c.queue.numRequeues('ns/a'), 0);
    await c.stop(0);
  });

  it('retries plain errors with growing per-key backoff', async () => {
    const { clock, c, times, total } = setup((_r, _c, n) => {
      if (n <= 4) throw new Error('boom');
      return {};
    });
    c.enqueue({ namespace: 'ns', name: 'b' });
    await settle();
    await advance(clock, 100);
    assert.deepEqual(times('b'), [0, 5, 15, 35, 75]);
    assert.equal(await total('error'), 4);
    assert.equal(c.queue.numRequeues('ns/b'), 0, 'success forgets the backoff');
    await c.stop(0);
  });

  it('requeues a WaitingError after its delay without backoff, and never retries a StallingError', async () => {
    const { clock, c, times, total } = setup((req, _c, n) => {
      if (req.name === 'wait' && n <= 2) throw new WaitingError('source not ready', 500);
      if (req.name === 'stall') throw new StallingError('invalid spec');
      return {};
    });
    c.enqueue({ namespace: 'ns', name: 'wait' });
    c.enqueue({ namespace: 'ns', name: 'stall' });
    await settle();
    await advance(clock, 2000, 50);
    assert.deepEqual(times('wait'), [0, 500, 1000]);
    assert.deepEqual(times('stall'), [0]);
    assert.equal(await total('requeue_after'), 2);
    assert.equal(await total('error'), 1);
    await c.stop(0);
  });

  it('runs a key re-added during its reconcile again afterwards, never concurrently', async () => {
    let release!: () => void;
    let running = 0;
    let overlap = false;
    const { c, calls } = setup(async (_r, _c, n) => {
      running++;
      if (running > 1) overlap = true;
      if (n === 1) await new Promise<void>((r) => (release = r));
      running--;
      return {};
    }, 4);
    c.enqueue({ namespace: 'ns', name: 'k' });
    await settle();
    c.enqueue({ namespace: 'ns', name: 'k' });
    c.enqueue({ namespace: 'ns', name: 'k' });
    await settle();
    assert.equal(calls.length, 1, 'not handed to a second worker while the first holds it');
    release();
    await settle();
    assert.equal(calls.length, 2, 'processed once more after done');
    assert.equal(overlap, false);
    await c.stop(0);
  });

  it('aborts the signal of in-flight reconciles on stop and waits for them', async () => {
    let sawAbort = false;
    const { c } = setup(async (_r, ctx) => {
      await new Promise<void>((r) => ctx.signal.addEventListener('abort', () => r(), { once: true }));
      sawAbort = true;
      return {};
    });
    c.enqueue({ namespace: 'ns', name: 'slow' });
    await settle();
    assert.equal(await c.stop(10_000), true);
    assert.equal(sawAbort, true);
    c.enqueue({ namespace: 'ns', name: 'after' });
    assert.equal(c.queue.len(), 0, 'a stopped controller takes no work');
  });

  it('gives each reconcile its own id and a logger', async () => {
    const ids: string[] = [];
    const { c } = setup((_r, ctx) => {
      ids.push(ctx.reconcileId);
      assert.equal(typeof ctx.log.info, 'function');
      return {};
    });
    c.enqueue({ namespace: 'ns', name: 'x' });
    c.enqueue({ namespace: '', name: 'cluster-scoped' });
    await settle();
    assert.equal(new Set(ids).size, 2);
    await c.stop(0);
  });

  it('maps thrown TransientErrors like plain errors', async () => {
    const { clock, c, times } = setup((_r, _c, n) => {
      if (n === 1) throw new TransientError('flaky', { reason: 'Flaky' });
      return {};
    });
    c.enqueue({ namespace: 'ns', name: 't' });
    await settle();
    await advance(clock, 10);
    assert.deepEqual(times('t'), [0, 5]);
    await c.stop(0);
  });
});
