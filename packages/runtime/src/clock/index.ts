// SPDX-License-Identifier: Apache-2.0
/**
 * Time, injected. Everything in Eddy that waits, schedules or stamps takes a {@link Clock}, so that
 * tests drive time with {@link FakeClock} and never sleep.
 */

/** A cancellable timer. */
export interface Timer {
  cancel(): void;
}

/** The source of time for controllers and the runtime. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` after `ms` milliseconds (clamped to [0, 2^31-1]); the timer never keeps the process alive. */
  setTimer(ms: number, fn: () => void): Timer;
  /** Resolves after `ms` milliseconds, or rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

const MAX_DELAY = 2 ** 31 - 1;
const clamp = (ms: number): number => Math.min(Math.max(0, Number.isFinite(ms) ? ms : 0), MAX_DELAY);

function sleepWith(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      timer.cancel();
      reject(signal?.reason);
    };
    const timer = clock.setTimer(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The wall clock. */
export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }
  setTimer(ms: number, fn: () => void): Timer {
    const t = setTimeout(fn, clamp(ms));
    t.unref();
    return { cancel: () => clearTimeout(t) };
  }
  /** Unlike {@link RealClock.setTimer}, an awaited sleep keeps the process alive: someone waits on it. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    const refTimer: Clock = {
      now: () => this.now(),
      setTimer: (delay, fn) => {
        const t = setTimeout(fn, clamp(delay));
        return { cancel: () => clearTimeout(t) };
      },
      sleep: () => Promise.reject(new Error('unreachable')),
    };
    return sleepWith(refTimer, ms, signal);
  }
}

/** The shared wall clock. */
export const realClock: Clock = new RealClock();

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that moves only when told to. Timers fire in due order during {@link FakeClock.advance}.
 */
export class FakeClock implements Clock {
  private current: number;
  private seq = 0;
  private pending: Pending[] = [];

  constructor(start = Date.parse('2026-01-01T00:00:00Z')) {
    this.current = start;
  }
  now(): number {
    return this.current;
  }
  setTimer(ms: number, fn: () => void): Timer {
    const p: Pending = { at: this.current + clamp(ms), seq: this.seq++, fn, cancelled: false };
    this.pending.push(p);
    return {
      cancel: () => {
        p.cancelled = true;
      },
    };
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }
  /** Number of timers not yet fired or cancelled. */
  get timerCount(): number {
    return this.pending.filter((p) => !p.cancelled).length;
  }
  /** The time of the next due timer, if any. */
  nextTimerAt(): number | undefined {
    const live = this.pending.filter((p) => !p.cancelled);
    return live.length === 0 ? undefined : Math.min(...live.map((p) => p.at));
  }
  /**
   * Moves time forward by `ms`, firing every timer that falls due, in order. Awaits microtasks
   * between timers so promise chains they start can schedule further timers.
   */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await flushMicrotasks();
      const due = this.pending
        .filter((p) => !p.cancelled && p.at <= target)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.current = Math.max(this.current, due.at);
      due.cancelled = true;
      due.fn();
    }
    this.pending = this.pending.filter((p) => !p.cancelled);
    this.current = target;
    await flushMicrotasks();
  }
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
