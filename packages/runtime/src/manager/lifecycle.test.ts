// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { FakeClock } from '../clock/index.ts';
import { createLogger } from '../log/logger.ts';
import { ManagerLifecycle } from './lifecycle.ts';

const quiet = createLogger({ level: 'error', stream: new Writable({ write: (_c, _e, cb) => cb() }) });

describe('ManagerLifecycle', () => {
  it('turns SIGTERM into one graceful stop and uninstalls its handlers', async () => {
    const life = new ManagerLifecycle(quiet, new FakeClock());
    let stops = 0;
    const before = process.listenerCount('SIGTERM');
    const beforeInt = process.listenerCount('SIGINT');
    const uninstall = life.handleSignals(async () => {
      stops++;
    });
    assert.equal(process.listenerCount('SIGTERM'), before + 1);
    process.emit('SIGTERM', 'SIGTERM');
    await Promise.resolve();
    assert.equal(stops, 1);
    uninstall();
    assert.equal(process.listenerCount('SIGTERM'), before);
    assert.equal(process.listenerCount('SIGINT'), beforeInt);
  });

  it('starts leader and non-leader runnables with their signals and records the first failure', async () => {
    const life = new ManagerLifecycle(quiet, new FakeClock());
    const started: string[] = [];
    life.add({ needLeaderElection: false, start: () => void started.push('always') });
    life.add({ start: () => void started.push('leader') });
    life.add({
      start: () => {
        throw new Error('runnable broke');
      },
    });
    life.begin();
    assert.throws(() => life.begin(), /already started/);
    life.startRunnables(false, life.signal);
    await Promise.resolve();
    assert.deepEqual(started, ['always']);
    const leader = new AbortController();
    life.startRunnables(true, leader.signal);
    await life.stopped;
    assert.deepEqual(started, ['always', 'leader']);
    assert.throws(() => life.throwIfFailed(), /runnable broke/);
  });

  it('runs shutdown once and resolves finished', async () => {
    const life = new ManagerLifecycle(quiet, new FakeClock());
    let runs = 0;
    life.begin();
    life.requestStop();
    await life.stopped;
    await Promise.all([life.shutdownOnce(async () => void runs++), life.shutdownOnce(async () => void runs++)]);
    await life.finished;
    assert.equal(runs, 1);
    life.abortAll();
    assert.equal(life.signal.aborted, true);
  });
});
