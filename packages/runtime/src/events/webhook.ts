// SPDX-License-Identifier: Apache-2.0
/**
 * Forwards Flux events to `--events-addr` (notification-controller) as JSON POSTs, with Flux's
 * retry policy (go-retryablehttp): up to 4 retries on connection errors and 5xx answers (not 501),
 * waiting 1 s, 2 s, 4 s, 8 s (capped at 30 s); a 429 means "duplicate" and is not retried; each
 * attempt times out after 5 s. Failures are logged, never thrown.
 */
import type { Clock } from '../clock/index.ts';
import type { EventLogger, FluxEvent } from './types.ts';

/** Options of {@link WebhookForwarder}. */
export interface WebhookForwarderOptions {
  address: string;
  clock: Clock;
  log: EventLogger;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Per-attempt timeout. @default 5000 */
  timeoutMs?: number;
  /** Retries after the first attempt. @default 4 */
  retryMax?: number;
  /** @default 1000 */
  retryWaitMinMs?: number;
  /** @default 30000 */
  retryWaitMaxMs?: number;
}

type Attempt = { done: true } | { done: false; error: string };

/** The webhook client. */
export class WebhookForwarder {
  private readonly fetchFn: typeof fetch;

  constructor(private readonly opts: WebhookForwarderOptions) {
    this.fetchFn = opts.fetch ?? globalThis.fetch;
  }

  /** POSTs `event`, retrying as documented. Resolves true when delivered (or a duplicate). */
  async post(event: FluxEvent): Promise<boolean> {
    const body = JSON.stringify(event);
    const retries = this.opts.retryMax ?? 4;
    let last = '';
    for (let i = 0; i <= retries; i++) {
      if (i > 0) await this.opts.clock.sleep(this.backoff(i - 1));
      const r = await this.attempt(body);
      if (r.done) return true;
      last = r.error;
      if (!r.error.startsWith('retryable:')) break;
    }
    this.opts.log.error('unable to record event', {
      error: last.replace(/^retryable: /, ''),
      address: this.opts.address,
      reason: event.reason,
      involvedObject: event.involvedObject,
    });
    return false;
  }

  private backoff(attempt: number): number {
    const min = this.opts.retryWaitMinMs ?? 1000;
    const max = this.opts.retryWaitMaxMs ?? 30_000;
    return Math.min(max, min * 2 ** attempt);
  }

  private async attempt(body: string): Promise<Attempt> {
    const ac = new AbortController();
    const timer = this.opts.clock.setTimer(this.opts.timeoutMs ?? 5000, () => ac.abort(new Error('request timed out')));
    try {
      const res = await this.fetchFn(this.opts.address, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: ac.signal,
      });
      await res.arrayBuffer().catch(() => undefined);
      if ((res.status >= 200 && res.status < 300) || res.status === 429) return { done: true };
      const msg = `POST ${this.opts.address} answered ${res.status}`;
      return { done: false, error: res.status >= 500 && res.status !== 501 ? `retryable: ${msg}` : msg };
    } catch (err) {
      return { done: false, error: `retryable: ${err instanceof Error ? err.message : String(err)}` };
    } finally {
      timer.cancel();
    }
  }
}
