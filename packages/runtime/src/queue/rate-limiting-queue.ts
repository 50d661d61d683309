// SPDX-License-Identifier: Apache-2.0
/**
 * Delayed and rate-limited adds on top of {@link WorkQueue}.
 *
 * {@link DelayingQueue.addAfter} schedules an add; when the same item is scheduled twice the
 * earlier time wins. Waiting items sit in a min-heap under a single {@link Clock} timer, so ten
 * thousand `RequeueAfter`s cost one timer. {@link RateLimitingQueue.addRateLimited} asks a
 * {@link RateLimiter} for the delay (per-key exponential backoff by default) and
 * {@link RateLimitingQueue.forget} resets it.
 */
import type { Clock, Timer } from '../clock/index.ts';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.ts';
import { WorkQueue, type WorkQueueOptions } from './work-queue.ts';

interface Entry<T> {
  item: T;
  at: number;
}

/** A binary min-heap of entries by time. */
class TimeHeap<T> {
  private readonly a: Entry<T>[] = [];
  get size(): number {
    return this.a.length;
  }
  peek(): Entry<T> | undefined {
    return this.a[0];
  }
  push(e: Entry<T>): void {
    const a = this.a;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]!.at <= a[i]!.at) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  pop(): Entry<T> | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l]!.at < a[m]!.at) m = l;
        if (r < a.length && a[r]!.at < a[m]!.at) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}

/** Options of {@link DelayingQueue}. */
export interface DelayingQueueOptions<T> extends WorkQueueOptions<T> {
  clock: Clock;
}

/** A work queue with delayed adds. */
export class DelayingQueue<T = string> extends WorkQueue<T> {
  protected readonly clock: Clock;
  private readonly heap = new TimeHeap<T>();
  /** The time each waiting item is due; heap entries that disagree are stale. */
  private readonly waiting = new Map<T, number>();
  private timer: Timer | undefined;
  private timerAt = Infinity;

  constructor(opts: DelayingQueueOptions<T>) {
    super(opts);
    this.clock = opts.clock;
  }

  /** Adds `item` after `delayMs`; an earlier pending add of the same item wins over a later one. */
  addAfter(item: T, delayMs: number): void {
    if (this.shuttingDown) return;
    this.metrics.retry();
    if (delayMs <= 0) {
      this.add(item);
      return;
    }
    const at = this.clock.now() + delayMs;
    const current = this.waiting.get(item);
    if (current !== undefined && current <= at) return;
    this.waiting.set(item, at);
    this.heap.push({ item, at });
    this.arm();
  }

  /** Items waiting for their delay to pass. */
  waitingCount(): number {
    return this.waiting.size;
  }

  /** When `item` is due, if it is waiting. */
  dueAt(item: T): number | undefined {
    return this.waiting.get(item);
  }

  protected override onShutdown(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.timerAt = Infinity;
    this.waiting.clear();
  }

  private arm(): void {
    const next = this.peekLive();
    if (!next) return;
    if (this.timer && this.timerAt <= next.at) return;
    this.timer?.cancel();
    this.timerAt = next.at;
    this.timer = this.clock.setTimer(next.at - this.clock.now(), () => this.fire());
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.clock.now();
    for (let e = this.peekLive(); e && e.at <= now; e = this.peekLive()) {
      this.heap.pop();
      this.waiting.delete(e.item);
      this.add(e.item);
    }
    this.arm();
  }

  /** The earliest heap entry that is still current, dropping stale ones. */
  private peekLive(): Entry<T> | undefined {
    for (let e = this.heap.peek(); e; e = this.heap.peek()) {
      if (this.waiting.get(e.item) === e.at) return e;
      this.heap.pop();
    }
    return undefined;
  }
}

/** Options of {@link RateLimitingQueue}. */
export interface RateLimitingQueueOptions<T> extends DelayingQueueOptions<T> {
  /** @default {@link defaultControllerRateLimiter} */
  rateLimiter?: RateLimiter<T>;
}

/** The queue controllers use: dedupe, exclusivity, delays and per-key backoff. */
export class RateLimitingQueue<T = string> extends DelayingQueue<T> {
  private readonly limiter: RateLimiter<T>;

  constructor(opts: RateLimitingQueueOptions<T>) {
    super(opts);
    this.limiter = opts.rateLimiter ?? defaultControllerRateLimiter<T>(opts.clock);
  }

  /** Adds `item` after the rate limiter's delay (a failure counts towards its backoff). */
  addRateLimited(item: T): void {
    this.addAfter(item, this.limiter.when(item));
  }

  /** Resets the backoff of `item` (call on success). It does not remove the item from the queue. */
  forget(item: T): void {
    this.limiter.forget(item);
  }

  /** How many times `item` was rate limited since the last {@link forget}. */
  numRequeues(item: T): number {
    return this.limiter.numRequeues(item);
  }
}
