// SPDX-License-Identifier: Apache-2.0
/**
 * Rate limiters decide how long a failed key waits before its next try. They mirror client-go's
 * `workqueue` limiters: per-item exponential backoff, an overall token bucket, and the max of
 * several; {@link defaultControllerRateLimiter} is controller-runtime's default (5 ms doubling to
 * 1000 s per key, and 10 qps with a burst of 100 overall).
 */
import type { Clock } from '../clock/index.ts';

/** Decides the delay of the next retry of an item. */
export interface RateLimiter<T = string> {
  /** The delay, in milliseconds, before `item` may be retried; counts a failure. */
  when(item: T): number;
  /** Stops tracking `item` (it succeeded): its backoff starts again from the base. */
  forget(item: T): void;
  /** How many times `item` was rate limited since the last forget. */
  numRequeues(item: T): number;
}

/** Options of {@link ExponentialFailureRateLimiter}. */
export interface ExponentialBackoffOptions {
  /** Delay after the first failure. @default 5 */
  baseDelayMs?: number;
  /** Upper bound of the delay. @default 1_000_000 (1000 s) */
  maxDelayMs?: number;
}

/** Per-item exponential backoff: `base * 2^failures`, capped at `max`. */
export class ExponentialFailureRateLimiter<T = string> implements RateLimiter<T> {
  private readonly failures = new Map<T, number>();
  private readonly base: number;
  private readonly max: number;

  constructor(opts: ExponentialBackoffOptions = {}) {
    this.base = opts.baseDelayMs ?? 5;
    this.max = opts.maxDelayMs ?? 1_000_000;
  }
  when(item: T): number {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    const delay = this.base * 2 ** n;
    return !Number.isFinite(delay) || delay > this.max ? this.max : delay;
  }
  forget(item: T): void {
    this.failures.delete(item);
  }
  numRequeues(item: T): number {
    return this.failures.get(item) ?? 0;
  }
}

/** Options of {@link BucketRateLimiter}. */
export interface BucketOptions {
  /** Sustained rate, tokens per second. @default 10 */
  qps?: number;
  /** Bucket size. @default 100 */
  burst?: number;
}

/**
 * An overall token bucket (like `golang.org/x/time/rate` reservations): each call takes a token,
 * and when none is left the delay is the time until one will be.
 */
export class BucketRateLimiter<T = string> implements RateLimiter<T> {
  private readonly qps: number;
  private readonly burst: number;
  private tokens: number;
  private last: number;

  constructor(
    private readonly clock: Clock,
    opts: BucketOptions = {},
  ) {
    this.qps = opts.qps ?? 10;
    this.burst = opts.burst ?? 100;
    this.tokens = this.burst;
    this.last = clock.now();
  }
  when(_item: T): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.qps) / 1000);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.qps;
  }
  forget(_item: T): void {}
  numRequeues(_item: T): number {
    return 0;
  }
}

/** The longest delay of several limiters. */
export class MaxOfRateLimiter<T = string> implements RateLimiter<T> {
  private readonly limiters: RateLimiter<T>[];
  constructor(...limiters: RateLimiter<T>[]) {
    this.limiters = limiters;
  }
  when(item: T): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.when(item));
    return max;
  }
  forget(item: T): void {
    for (const l of this.limiters) l.forget(item);
  }
  numRequeues(item: T): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.numRequeues(item));
    return max;
  }
}

/** controller-runtime's default: max of per-item exponential (5 ms → 1000 s) and a 10 qps / 100 burst bucket. */
export function defaultControllerRateLimiter<T = string>(
  clock: Clock,
  opts: ExponentialBackoffOptions & BucketOptions = {},
): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(new ExponentialFailureRateLimiter<T>(opts), new BucketRateLimiter<T>(clock, opts));
}
