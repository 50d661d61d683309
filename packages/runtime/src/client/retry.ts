// SPDX-License-Identifier: Apache-2.0
/**
 * When the transport sends a request again, after client-go's `WithRetry` / `checkWait`
 * (`rest/with_retry.go`):
 *
 * - **429 or any 5xx with a `Retry-After: <seconds>` header**: the apiserver did not process the
 *   request and says when to come back (priority and fairness, max-in-flight, "please try again
 *   later" storage timeouts), so every verb is retried after that many seconds (capped at
 *   {@link RetryOptions.maxWaitMs}). client-go does the same for all verbs.
 * - **429 without `Retry-After`**: still "not processed", so retried for every verb, with backoff
 *   (0.5 s doubling up to 5 s; ten retries then take about 37 s in all).
 * - **503 / 504 without `Retry-After`**: the request may or may not have reached the handler, so
 *   only requests that are safe to replay are retried, with backoff: reads (`GET`, which also opens
 *   lists and watches) and server-side apply (`PATCH` with `application/apply-patch+yaml`, which is
 *   declarative: applying the same configuration twice yields the same object). Creates, updates,
 *   deletes and merge/JSON/strategic patches are returned to the caller as they are.
 *
 * At most {@link RetryOptions.maxRetries} retries follow the first attempt (client-go's default
 * `maxRetries` is 10); the last answer is then returned as it came. Waits go through the
 * transport's {@link Clock} (`sleep`), so tests inject one that does not sleep, and abort with the
 * request's signal. Bodies are strings, so a retry resends exactly the same bytes.
 */
import type { OutgoingHttpHeader } from 'node:http';

/** Options of the transport's retries. */
export interface RetryOptions {
  /** Retries after the first attempt; 0 disables retries. @default 10 (client-go's `maxRetries`) */
  maxRetries?: number;
  /** Longest wait a `Retry-After` header earns; a longer one is capped to it. @default 30000 */
  maxWaitMs?: number;
  /** First backoff when the answer carries no `Retry-After`; doubles per attempt. @default 500 */
  initialBackoffMs?: number;
  /** Longest backoff when the answer carries no `Retry-After`. @default 5000 */
  maxBackoffMs?: number;
}

/** The request fields that decide whether replaying it is safe. */
export interface RetryRequest {
  method: string;
  contentType?: string | undefined;
}

const APPLY_PATCH = 'application/apply-patch+yaml';

/** Whether `req` may be sent twice with the same effect as once (a read or a server-side apply). */
export function isReplaySafe(req: RetryRequest): boolean {
  return req.method === 'GET' || (req.method === 'PATCH' && req.contentType === APPLY_PATCH);
}

/**
 * The `Retry-After` header in whole seconds, as client-go's `retryAfterSeconds` reads it (an integer;
 * HTTP dates are not sent by the apiserver and are ignored), or undefined.
 */
export function retryAfterSeconds(header: OutgoingHttpHeader | undefined): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (v === undefined) return undefined;
  const s = String(v).trim();
  if (!/^\d+$/.test(s)) return undefined;
  return Number(s);
}

/**
 * How long to wait before attempt `attempt + 1` after answer `status` (with its `Retry-After`
 * header) to attempt `attempt` (1-based), or undefined when the answer is final (see the module doc).
 */
export function retryDelayMs(req: RetryRequest, status: number, retryAfter: OutgoingHttpHeader | undefined, attempt: number, opts: RetryOptions = {}): number | undefined {
  const maxRetries = opts.maxRetries ?? 10;
  const maxWaitMs = opts.maxWaitMs ?? 30_000;
  if (attempt > maxRetries) return undefined;
  if (status !== 429 && status < 500) return undefined;
  const seconds = retryAfterSeconds(retryAfter);
  if (seconds !== undefined) return Math.min(seconds * 1000, maxWaitMs);
  if (status === 429 || ((status === 503 || status === 504) && isReplaySafe(req))) {
    const backoff = (opts.initialBackoffMs ?? 500) * 2 ** Math.min(attempt - 1, 30);
    return Math.min(backoff, opts.maxBackoffMs ?? 5000);
  }
  return undefined;
}
