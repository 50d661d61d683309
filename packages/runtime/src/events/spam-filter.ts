// SPDX-License-Identifier: Apache-2.0
/**
 * Per-key token buckets, as client-go's event spam filter: each key may burst `burst` events and
 * then earns one token every `refillMs` (defaults 25 and 5 minutes). Time comes from the caller.
 */

interface Bucket {
  tokens: number;
  at: number;
}

/** Options of {@link SpamFilter}. */
export interface SpamFilterOptions {
  /** Tokens a new key starts with. @default 25 */
  burst?: number;
  /** Milliseconds per earned token. @default 300000 */
  refillMs?: number;
  /** Keys remembered; the least recently used is forgotten first. @default 4096 */
  maxKeys?: number;
}

/** Rate limiter of event keys. */
export class SpamFilter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly burst: number;
  private readonly refillMs: number;
  private readonly maxKeys: number;

  constructor(opts: SpamFilterOptions = {}) {
    this.burst = opts.burst ?? 25;
    this.refillMs = opts.refillMs ?? 300_000;
    this.maxKeys = opts.maxKeys ?? 4096;
  }

  /** Takes a token for `key` at time `nowMs`; false when the key is over its budget. */
  allow(key: string, nowMs: number): boolean {
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: nowMs };
    this.buckets.delete(key);
    const earned = Math.floor((nowMs - b.at) / this.refillMs);
    if (earned > 0) {
      b.tokens = Math.min(this.burst, b.tokens + earned);
      b.at += earned * this.refillMs;
    }
    if (b.tokens >= this.burst) b.at = nowMs;
    const ok = b.tokens > 0;
    if (ok) b.tokens -= 1;
    this.buckets.set(key, b);
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
    return ok;
  }
}
