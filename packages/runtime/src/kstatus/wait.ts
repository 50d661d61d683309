// SPDX-License-Identifier: Apache-2.0
/**
 * Polling a set of objects until they are all Current (fluxcd/pkg `ssa.WaitForSetWithContext`):
 * read each object at an interval, compute its status (a custom rule first, such as a CEL health
 * check, else kstatus), succeed when all are Current, give up at the deadline listing the objects
 * that are not, optionally stop early when one is Failed, and stop when cancelled. The outcome is
 * returned, not thrown, so that each controller maps it onto its own errors and messages.
 */
import { realClock, type Clock } from '../clock/index.ts';
import { computeStatus } from './index.ts';
import type { KStatus, KStatusResult } from './types.ts';

/** An object to wait for. */
export interface WaitObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/**
 * Reads the live object; `undefined` when it does not exist. `R` is what the caller waits for: a
 * {@link WaitObjectRef} or anything carrying one (such as the built object itself).
 */
export type WaitObjectReader<R extends WaitObjectRef = WaitObjectRef> = (ref: R, signal: AbortSignal | undefined) => Promise<object | undefined>;

/** Options of {@link waitForObjects}. */
export interface WaitForObjectsOptions<R extends WaitObjectRef = WaitObjectRef> {
  /** Give up after this long (at least one poll is made). */
  timeoutMs: number;
  /** Poll interval. @default 5000 */
  intervalMs?: number;
  /** Stop as soon as an object is Failed. @default false */
  failFast?: boolean;
  /** A custom status for an object (e.g. CEL health checks); `undefined` falls back to kstatus. */
  statusOf?: (ref: R, live: object | undefined) => KStatusResult | undefined;
  /** List every status message in the outcome's message, not only those of Unknown objects. @default false */
  verbose?: boolean;
  /** Cancels the wait. */
  signal?: AbortSignal;
  /** Time source. @default realClock */
  clock?: Clock;
}

/** The last status of one object. */
export interface WaitObjectStatus {
  /** `Kind/namespace/name` (`Kind/name` for cluster-scoped objects). */
  subject: string;
  status: KStatus;
  message: string;
}

/** How {@link waitForObjects} ended. */
export type WaitOutcome =
  | { result: 'Current'; statuses: WaitObjectStatus[] }
  /** `Failed`: fail-fast on a Failed object; `Timeout`: the deadline passed. */
  | { result: 'Failed' | 'Timeout'; message: string; statuses: WaitObjectStatus[] }
  | { result: 'Canceled'; statuses: WaitObjectStatus[] };

/** `Kind/namespace/name`, or `Kind/name` without a namespace. */
export function waitSubject(ref: WaitObjectRef): string {
  return ref.namespace ? `${ref.kind}/${ref.namespace}/${ref.name}` : `${ref.kind}/${ref.name}`;
}

async function pollOnce<R extends WaitObjectRef>(refs: readonly R[], read: WaitObjectReader<R>, opts: WaitForObjectsOptions<R>, clock: Clock): Promise<WaitObjectStatus[]> {
  return Promise.all(
    refs.map(async (ref) => {
      const subject = waitSubject(ref);
      try {
        const live = await read(ref, opts.signal);
        const r = opts.statusOf?.(ref, live) ?? computeStatus(live as never, { clock });
        return { subject, status: r.status, message: r.message };
      } catch (err) {
        if (opts.signal?.aborted) throw err;
        return { subject, status: 'Unknown' as const, message: err instanceof Error ? err.message : String(err) };
      }
    }),
  );
}

/** Flux's listing of objects: `<subject> status: '<status>'`, with the message of Unknown ones (all with `verbose`). */
export function describeStatuses(statuses: readonly WaitObjectStatus[], pick: (s: KStatus) => boolean, verbose = false): string {
  return statuses
    .filter((s) => pick(s.status))
    .map((s) => `${s.subject} status: '${s.status}'${(verbose || s.status === 'Unknown') && s.message ? `: ${s.message}` : ''}`)
    .join(', ');
}

/** Waits until every object is Current; see the module doc. Never throws for a read error (Unknown). */
export async function waitForObjects<R extends WaitObjectRef>(refs: readonly R[], read: WaitObjectReader<R>, opts: WaitForObjectsOptions<R>): Promise<WaitOutcome> {
  const clock = opts.clock ?? realClock;
  const interval = opts.intervalMs ?? 5000;
  const deadline = clock.now() + opts.timeoutMs;
  let statuses: WaitObjectStatus[] = [];
  for (;;) {
    if (opts.signal?.aborted) return { result: 'Canceled', statuses };
    try {
      statuses = await pollOnce(refs, read, opts, clock);
    } catch {
      return { result: 'Canceled', statuses };
    }
    if (statuses.every((s) => s.status === 'Current')) return { result: 'Current', statuses };
    if (opts.failFast && statuses.some((s) => s.status === 'Failed')) {
      return { result: 'Failed', message: `failed early due to stalled resources: [${describeStatuses(statuses, (s) => s === 'Failed', opts.verbose)}]`, statuses };
    }
    if (clock.now() >= deadline) {
      return { result: 'Timeout', message: `timeout waiting for: [${describeStatuses(statuses, (s) => s !== 'Current', opts.verbose)}]`, statuses };
    }
    try {
      await clock.sleep(Math.min(interval, Math.max(0, deadline - clock.now())), opts.signal);
    } catch {
      return { result: 'Canceled', statuses };
    }
  }
}
