// SPDX-License-Identifier: Apache-2.0
/** Unit tests of {@link StepTimer}. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StepTimer } from './step-timer.ts';

function fakeClock(): { now(): number; advance(ms: number): void } {
  let t = 1000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('StepTimer', () => {
  it('sums wall time per step, also of steps that throw', async () => {
    const clock = fakeClock();
    const timer = new StepTimer(clock);
    await timer.time('patch', async () => clock.advance(5));
    await timer.time('patch', async () => clock.advance(7));
    await assert.rejects(
      timer.time('fetch', async () => {
        clock.advance(30);
        throw new Error('boom');
      }),
      /boom/,
    );
    timer.add('build', 3);
    assert.equal(timer.get('patch'), 12);
    assert.equal(timer.get('apply'), 0);
    assert.deepEqual(timer.fields(), { patchMs: 12, fetchMs: 30, buildMs: 3, totalMs: 42 });
  });

  it('returns what the timed step returns', async () => {
    const timer = new StepTimer(fakeClock());
    assert.equal(await timer.time('get', async () => 'value'), 'value');
  });
});
