// SPDX-License-Identifier: Apache-2.0
/**
 * The reconcile contract between the manager and a controller's reconciler.
 *
 * A reconciler returns a {@link Result} on success (optionally asking to run again after a delay)
 * or throws. What a thrown error means is decided by its type:
 * - {@link StallingError}: the object cannot progress until its spec changes; no retry.
 * - {@link WaitingError}: expected wait (a dependency, a source not ready); retry after `requeueAfterMs`, no backoff.
 * - anything else (including {@link TransientError}): retry with per-key exponential backoff.
 */
import type { Logger } from 'winston';

/** The key of one object: the queue never holds objects, only keys. */
export interface Request {
  namespace: string;
  name: string;
}

/** What a successful reconcile asks of the queue. */
export interface Result {
  /** Run again after this many milliseconds (jitter is the caller's choice). */
  requeueAfterMs?: number;
  /** Run again soon, with the key's rate-limited backoff (ignored when `requeueAfterMs` is set). */
  requeue?: boolean;
}

/** What a reconciler gets besides the key. */
export interface ReconcileContext {
  /** Aborted on shutdown or when the manager loses leadership. */
  signal: AbortSignal;
  /** A child logger carrying controller, kind, namespace, name and a reconcile id. */
  log: Logger;
  /** Unique id of this reconcile run. */
  reconcileId: string;
}

/** A controller's reconciler for one kind. */
export interface Reconciler {
  reconcile(req: Request, ctx: ReconcileContext): Promise<Result>;
}

/** Options common to the typed errors. */
export interface ReconcileErrorOptions {
  /** The condition/event reason (PascalCase), e.g. `AuthenticationFailed`. */
  reason?: string;
  cause?: unknown;
  /** Record a Kubernetes event for this error. @default true */
  event?: boolean;
  /** Log this error. @default true */
  log?: boolean;
}

const BRAND = Symbol.for('eddy.runtime.ReconcileError');

/** Base of the typed reconcile errors; recognised across package copies by a brand, not `instanceof`. */
export abstract class ReconcileError extends Error {
  readonly [BRAND] = true;
  abstract readonly intent: 'stalling' | 'waiting' | 'transient';
  readonly reason: string | undefined;
  readonly event: boolean;
  readonly logged: boolean;

  constructor(message: string, opts: ReconcileErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.reason = opts.reason;
    this.event = opts.event ?? true;
    this.logged = opts.log ?? true;
  }

  /** True for any ReconcileError, from any copy of this package. */
  static is(err: unknown): err is ReconcileError {
    return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** No retry until the object's spec changes (invalid spec, unsupported feature). */
export class StallingError extends ReconcileError {
  readonly intent = 'stalling' as const;
  override readonly name = 'StallingError';
}

/** An expected wait: retry after `requeueAfterMs` without backoff. */
export class WaitingError extends ReconcileError {
  readonly intent = 'waiting' as const;
  override readonly name = 'WaitingError';
  constructor(
    message: string,
    readonly requeueAfterMs: number,
    opts: ReconcileErrorOptions = {},
  ) {
    super(message, opts);
  }
}

/** A failure that may pass: retry with exponential backoff. */
export class TransientError extends ReconcileError {
  readonly intent = 'transient' as const;
  override readonly name = 'TransientError';
}

/** How the manager treats the outcome of one reconcile. */
export type Outcome =
  | { kind: 'success'; requeueAfterMs?: number; requeue?: true }
  | { kind: 'requeue-after'; requeueAfterMs: number; error: unknown }
  | { kind: 'backoff'; error: unknown }
  | { kind: 'terminal'; error: unknown };

/** Maps a reconcile's result or error to what the queue does next. */
export function outcomeOf(result: Result | undefined, error?: unknown): Outcome {
  if (error === undefined) {
    if (result?.requeueAfterMs !== undefined && result.requeueAfterMs > 0) {
      return { kind: 'success', requeueAfterMs: result.requeueAfterMs };
    }
    return result?.requeue ? { kind: 'success', requeue: true } : { kind: 'success' };
  }
  if (ReconcileError.is(error)) {
    if (error.intent === 'stalling') return { kind: 'terminal', error };
    if (error.intent === 'waiting') {
      return { kind: 'requeue-after', requeueAfterMs: (error as WaitingError).requeueAfterMs, error };
    }
  }
  return { kind: 'backoff', error };
}
