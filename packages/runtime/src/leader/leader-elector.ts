// SPDX-License-Identifier: Apache-2.0
/**
 * Leader election over a Lease, with client-go's algorithm and Flux's defaults (lease 35 s,
 * renew deadline 30 s, retry period 5 s):
 * - a candidate takes the lease when it does not exist, has no holder, or its record has not
 *   changed for `leaseDurationSeconds` as measured on **our** clock since we first saw that record
 *   (no trust in the holder's clock);
 * - the leader renews every retry period; if it cannot renew for the renew deadline, or sees
 *   another holder, it has lost: the leader signal aborts and `onStoppedLeading` runs;
 * - on cancel with `releaseOnCancel` the leader clears `holderIdentity` so a standby takes over
 *   at its next retry instead of after a full lease duration.
 */
import type { Logger } from 'winston';
import type { KubeClient, KubeObject } from '../client/types.ts';
import { isAlreadyExists, isConflict } from '../client/errors.ts';
import type { Clock } from '../clock/index.ts';

/** The leader election record, as stored in a Lease's spec. */
export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  /** RFC 3339 with microseconds (MicroTime). */
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** A Lease object. */
export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

/** The Lease kind. */
export const LEASE_GVK = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' } as const;

/** Formats epoch milliseconds as a Kubernetes MicroTime (`2026-01-01T00:00:00.000000Z`). */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Reads and writes one Lease. */
export class LeaseLock {
  constructor(
    private readonly client: KubeClient,
    readonly namespace: string,
    readonly name: string,
  ) {}

  /** The current Lease, or undefined when it does not exist. */
  get(): Promise<Lease | undefined> {
    return this.client.get<Lease>({ ...LEASE_GVK, namespace: this.namespace, name: this.name });
  }

  /** Creates the Lease; false when someone else created it first. */
  async create(spec: LeaseSpec): Promise<Lease | undefined> {
    try {
      return await this.client.create<Lease>({
        ...LEASE_GVK,
        metadata: { namespace: this.namespace, name: this.name },
        spec,
      });
    } catch (err) {
      if (isAlreadyExists(err)) return undefined;
      throw err;
    }
  }

  /**
   * Replaces the spec of `current` (as read). Resolves undefined when the Lease changed since it
   * was read (409 Conflict): another candidate wrote first.
   */
  async update(current: Lease, spec: LeaseSpec): Promise<Lease | undefined> {
    try {
      return await this.client.update<Lease>({ ...current, spec });
    } catch (err) {
      if (isConflict(err)) return undefined;
      throw err;
    }
  }

  /** `namespace/name`, for logs. */
  describe(): string {
    return `${this.namespace}/${this.name}`;
  }
}

/** Options of {@link LeaderElector}. */
export interface LeaderElectorOptions {
  client: KubeClient;
  clock: Clock;
  /** Namespace of the Lease. */
  namespace: string;
  /** Name of the Lease, e.g. `source-controller-leader-election`. */
  name: string;
  /** This candidate's identity, unique per process (e.g. `hostname_uuid`). */
  identity: string;
  /** @default 35000 */
  leaseDurationMs?: number;
  /** @default 30000 */
  renewDeadlineMs?: number;
  /** @default 5000 */
  retryPeriodMs?: number;
  /** Clear the holder on cancel so another replica takes over at once. @default true */
  releaseOnCancel?: boolean;
  logger?: Logger;
  /** Random source in [0, 1) for retry jitter. @default Math.random */
  random?: () => number;
}

/** What the elector calls as leadership comes and goes. */
export interface LeaderCallbacks {
  /** Leadership acquired; `signal` aborts when it ends (lost or cancelled). */
  onStartedLeading(signal: AbortSignal): void;
  /** Leadership ended (after `signal` aborted). Not called if it was never acquired. */
  onStoppedLeading?(): void;
  /** Another (or this) identity was observed holding the lease. */
  onNewLeader?(identity: string): void;
}

/** How {@link LeaderElector.run} ended. */
export type ElectionOutcome = 'lost' | 'cancelled';

/** Campaigns for and holds one Lease. */
export class LeaderElector {
  private readonly lock: LeaseLock;
  private readonly leaseMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;
  private readonly random: () => number;
  private observed: LeaseSpec | undefined;
  private observedJson = '';
  private observedAt = 0;
  private leading = false;
  private lastRenewAt = 0;
  private lastLeader = '';

  constructor(private readonly opts: LeaderElectorOptions) {
    this.lock = new LeaseLock(opts.client, opts.namespace, opts.name);
    this.leaseMs = opts.leaseDurationMs ?? 35_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 30_000;
    this.retryMs = opts.retryPeriodMs ?? 5_000;
    this.random = opts.random ?? Math.random;
    if (this.leaseMs <= this.renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.renewDeadlineMs <= this.retryMs * 1.2) throw new Error('renewDeadline must be greater than retryPeriod*1.2');
  }

  /** True while this candidate holds the lease. */
  isLeader(): boolean {
    return this.leading;
  }

  /** The holder last observed ('' when none). */
  get observedLeader(): string {
    return this.observed?.holderIdentity ?? '';
  }

  /**
   * Liveness: fails when this process believes it leads but has not renewed for longer than the
   * lease duration plus `toleranceMs` (a wedged leader).
   */
  check(toleranceMs = 20_000): boolean {
    return !this.leading || this.opts.clock.now() - this.lastRenewAt <= this.leaseMs + toleranceMs;
  }

  /** Campaigns until elected, leads until lost or `signal` aborts. Never rejects. */
  async run(signal: AbortSignal, cb: LeaderCallbacks): Promise<ElectionOutcome> {
    const log = this.opts.logger;
    if (!(await this.acquire(signal, cb))) return 'cancelled';
    const leader = new AbortController();
    this.leading = true;
    log?.info(`successfully acquired lease ${this.lock.describe()}`);
    try {
      cb.onStartedLeading(leader.signal);
    } catch (err) {
      log?.error('onStartedLeading failed', { error: String(err) });
    }
    const outcome = await this.renewLoop(signal, cb);
    this.leading = false;
    leader.abort(new Error(outcome === 'lost' ? 'leader election lost' : 'leader election cancelled'));
    if (outcome === 'lost') log?.error(`leader election lost: lease ${this.lock.describe()}`);
    try {
      cb.onStoppedLeading?.();
    } catch (err) {
      log?.error('onStoppedLeading failed', { error: String(err) });
    }
    if (outcome === 'cancelled' && (this.opts.releaseOnCancel ?? true)) await this.release();
    return outcome;
  }

  /** Gives the lease up if we hold it: clears the holder so others need not wait. Never rejects. */
  async release(): Promise<boolean> {
    try {
      const lease = await this.lock.get();
      if (!lease?.spec || lease.spec.holderIdentity !== this.opts.identity) return false;
      const now = microTime(this.opts.clock.now());
      const spec: LeaseSpec = {
        holderIdentity: '',
        leaseDurationSeconds: 1,
        acquireTime: now,
        renewTime: now,
        leaseTransitions: lease.spec.leaseTransitions ?? 0,
      };
      const ok = (await this.lock.update(lease, spec)) !== undefined;
      if (ok) this.opts.logger?.info(`released lease ${this.lock.describe()}`);
      return ok;
    } catch (err) {
      this.opts.logger?.warn(`failed to release lease ${this.lock.describe()}`, { error: String(err) });
      return false;
    }
  }

  private async acquire(signal: AbortSignal, cb: LeaderCallbacks): Promise<boolean> {
    this.opts.logger?.info(`attempting to acquire leader lease ${this.lock.describe()}...`);
    while (!signal.aborted) {
      if ((await this.attempt(cb)) === 'ok') return true;
      const jittered = this.retryMs * (1 + this.random() * 1.2);
      await this.opts.clock.sleep(jittered, signal).catch(() => undefined);
    }
    return false;
  }

  private async renewLoop(signal: AbortSignal, cb: LeaderCallbacks): Promise<ElectionOutcome> {
    const clock = this.opts.clock;
    while (!signal.aborted) {
      await clock.sleep(this.retryMs, signal).catch(() => undefined);
      if (signal.aborted) return 'cancelled';
      const remaining = this.lastRenewAt + this.renewDeadlineMs - clock.now();
      const r = await Promise.race([this.attempt(cb), clock.sleep(Math.max(0, remaining)).then(() => 'timeout' as const)]);
      if (r === 'ok') continue;
      if (r === 'taken') return 'lost';
      if (clock.now() - this.lastRenewAt >= this.renewDeadlineMs) return 'lost';
    }
    return 'cancelled';
  }

  /** One try to acquire or renew: 'ok', 'taken' (someone else validly holds it) or 'failed'. */
  private async attempt(cb: LeaderCallbacks): Promise<'ok' | 'taken' | 'failed'> {
    const { clock, identity } = this.opts;
    try {
      const now = clock.now();
      const desired = (current?: LeaseSpec): LeaseSpec => {
        const same = current?.holderIdentity === identity;
        return {
          holderIdentity: identity,
          leaseDurationSeconds: Math.ceil(this.leaseMs / 1000),
          acquireTime: same && current?.acquireTime ? current.acquireTime : microTime(now),
          renewTime: microTime(now),
          leaseTransitions: same ? (current?.leaseTransitions ?? 0) : (current?.leaseTransitions ?? -1) + 1,
        };
      };
      const lease = await this.lock.get();
      if (!lease) {
        const created = await this.lock.create(desired());
        return created ? this.won(created, cb) : 'failed';
      }
      const spec = lease.spec ?? {};
      this.observe(spec, now, cb);
      const holder = spec.holderIdentity ?? '';
      const validFor = (spec.leaseDurationSeconds ?? 0) * 1000;
      if (holder !== '' && holder !== identity && this.observedAt + validFor > now) return 'taken';
      const updated = await this.lock.update(lease, desired(spec));
      return updated ? this.won(updated, cb) : 'failed';
    } catch (err) {
      this.opts.logger?.warn(`error retrieving or updating lease ${this.lock.describe()}`, { error: String(err) });
      return 'failed';
    }
  }

  private won(lease: Lease, cb: LeaderCallbacks): 'ok' {
    const now = this.opts.clock.now();
    this.observe(lease.spec ?? {}, now, cb);
    this.lastRenewAt = now;
    return 'ok';
  }

  private observe(spec: LeaseSpec, now: number, cb: LeaderCallbacks): void {
    const json = JSON.stringify(spec);
    if (json !== this.observedJson) {
      this.observed = spec;
      this.observedJson = json;
      this.observedAt = now;
    }
    const holder = spec.holderIdentity ?? '';
    if (holder !== this.lastLeader) {
      this.lastLeader = holder;
      if (holder !== '') cb.onNewLeader?.(holder);
    }
  }
}
