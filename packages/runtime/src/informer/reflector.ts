// SPDX-License-Identifier: Apache-2.0
/**
 * The reflector keeps a cache in step with the apiserver: list (paginated), then watch from the
 * list's resourceVersion with bookmarks, forever. It fixes what client-node 1.4's informer gets
 * wrong:
 * - every failure (connection refused or reset, 5xx, a silent connection) is retried with
 *   exponential backoff (1 s → 30 s through the injected {@link Clock}), never left dead;
 * - `410 Gone` (the resourceVersion was compacted) relists, and objects that vanished meanwhile
 *   are reported deleted by the sink;
 * - each watch asks the server to end it after a jittered 300–600 s, and a watchdog ends a watch
 *   that has been silent (no event, no bookmark) for too long;
 * - `stop()` ends everything quietly: it never reports an error.
 */
import type { Logger } from 'winston';
import type { KubeClient, KubeObject, WatchEvent, WatchHandle } from '../client/types.ts';
import { ApiError, isGone, type Status } from '../client/errors.ts';
import { listPages } from '../client/dynamic-client.ts';
import type { Clock, Timer } from '../clock/index.ts';

/** Where the reflector puts what it learns. */
export interface ReflectorSink<T extends KubeObject> {
  /** The full state after a list: objects absent from `items` are gone. */
  replace(items: T[], resourceVersion: string): void;
  /** An object was added or modified. */
  upsert(obj: T): void;
  /** An object was deleted (its final state). */
  remove(obj: T): void;
}

/** Options of {@link Reflector}. */
export interface ReflectorOptions<T extends KubeObject> {
  client: KubeClient;
  apiVersion: string;
  kind: string;
  /** Restrict to one namespace (ignored for cluster-scoped kinds). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  clock: Clock;
  logger?: Logger;
  /** Objects per list page. @default 500 */
  pageSize?: number;
  /** Bounds of the jittered server-side watch timeout. @default [300, 600] */
  watchTimeoutSeconds?: [number, number];
  /**
   * End a watch that delivered nothing (no event, no bookmark) for this long. The apiserver sends
   * no heartbeat on a quiet watch, so the default waits for the watch's own server-side timeout
   * plus 30 s: a watch still open then is wedged. @default timeoutSeconds * 1000 + 30000
   */
  idleTimeoutMs?: number;
  /** Reconnect backoff. @default 1 s → 30 s, factor 2, jitter 0.1 */
  backoff?: BackoffOptions;
  /** Random source in [0, 1) for jitter. @default Math.random */
  random?: () => number;
  /** Applied to every object before it is cached (e.g. strip managedFields). */
  transform?: (obj: KubeObject) => T;
}

/** Counters for tests and benchmarks. */
export interface ReflectorStats {
  lists: number;
  watches: number;
  relistsOnGone: number;
  errors: number;
  watchdogFired: number;
  events: number;
}

type WatchOutcome = 'rewatch' | 'relist';

/** What one watch request has seen so far. */
interface WatchState {
  outcome: WatchOutcome;
  failure: unknown;
  ended: boolean;
  idle: boolean;
  delivered: number;
  lastEventAt: number;
}

/** The list-then-watch loop of one informer. */
export class Reflector<T extends KubeObject = KubeObject> {
  /** Counters since construction. */
  readonly stats: ReflectorStats = { lists: 0, watches: 0, relistsOnGone: 0, errors: 0, watchdogFired: 0, events: 0 };
  private readonly backoff: Backoff;
  private readonly random: () => number;
  private readonly stopController = new AbortController();
  private handle: WatchHandle | undefined;
  private running: Promise<void> | undefined;
  private rv = '';

  constructor(
    private readonly opts: ReflectorOptions<T>,
    private readonly sink: ReflectorSink<T>,
  ) {
    this.random = opts.random ?? Math.random;
    this.backoff = new Backoff({ jitter: 0.1, random: this.random, ...opts.backoff });
  }

  /** The resourceVersion of the last list, event or bookmark. */
  get lastSyncResourceVersion(): string {
    return this.rv;
  }

  /** Starts the loop (idempotent). */
  start(): void {
    this.running ??= this.loop();
  }

  /** Stops the loop and any open watch; resolves when it has ended. Never rejects. */
  async stop(): Promise<void> {
    this.stopController.abort();
    this.handle?.stop();
    await this.running;
  }

  private get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private async loop(): Promise<void> {
    let needList = true;
    while (!this.stopped) {
      try {
        if (needList) {
          await this.listAndReplace();
          needList = false;
          this.backoff.reset();
        }
        if ((await this.watchOnce()) === 'relist') {
          needList = true;
          this.stats.relistsOnGone++;
        }
      } catch (err) {
        if (this.stopped) break;
        if (isGone(err)) {
          needList = true;
          this.stats.relistsOnGone++;
          continue;
        }
        this.stats.errors++;
        const delay = this.backoff.next();
        this.opts.logger?.warn(`${this.opts.kind} ${needList ? 'list' : 'watch'} failed, retrying in ${Math.round(delay)}ms`, {
          error: err instanceof Error ? err.message : String(err),
        });
        await this.opts.clock.sleep(delay, this.stopController.signal).catch(() => undefined);
      }
    }
  }

  private async listAndReplace(): Promise<void> {
    const { client, apiVersion, kind, namespace, labelSelector, fieldSelector } = this.opts;
    let items: T[] = [];
    let rv = '';
    this.stats.lists++;
    const pages = listPages(client, apiVersion, kind, {
      namespace: namespace || undefined,
      labelSelector: labelSelector || undefined,
      fieldSelector: fieldSelector || undefined,
      pageSize: this.opts.pageSize ?? 500,
      signal: this.stopController.signal,
    });
    for await (const page of pages) {
      if (this.stopped) return;
      if (page.restarted) items = [];
      for (const item of page.items) items.push(this.transform(item));
      rv = page.resourceVersion;
    }
    if (this.stopped) return;
    this.rv = rv;
    this.sink.replace(items, rv);
  }

  /** One watch request; resolves how to continue, throws to back off. */
  private async watchOnce(): Promise<WatchOutcome> {
    const { client, apiVersion, kind, namespace, labelSelector, fieldSelector, clock } = this.opts;
    const [lo, hi] = this.opts.watchTimeoutSeconds ?? [300, 600];
    const timeoutSeconds = Math.floor(lo + this.random() * (hi - lo));
    const idleMs = this.opts.idleTimeoutMs ?? timeoutSeconds * 1000 + 30_000;
    const st: WatchState = { outcome: 'rewatch', failure: undefined, ended: false, idle: false, delivered: 0, lastEventAt: clock.now() };
    this.stats.watches++;
    const startedAt = clock.now();
    const handle = await client.watch(
      apiVersion,
      kind,
      {
        namespace: namespace || undefined,
        labelSelector: labelSelector || undefined,
        fieldSelector: fieldSelector || undefined,
        resourceVersion: this.rv,
        allowWatchBookmarks: true,
        timeoutSeconds,
        signal: this.stopController.signal,
      },
      (ev) => this.onEvent(st, ev),
    );
    this.handle = handle;
    if (st.ended || this.stopped) handle.stop();
    const watchdog = this.armWatchdog(idleMs, () => st.lastEventAt, () => {
      st.idle = true;
      this.stats.watchdogFired++;
      handle.stop();
    });
    const { error } = await handle.done;
    watchdog.cancel();
    this.handle = undefined;
    return this.conclude(st, error, clock.now() - startedAt, idleMs);
  }

  /** Decides how to go on after a watch ended; throws to back off. */
  private conclude(st: WatchState, error: unknown, lastedMs: number, idleMs: number): WatchOutcome {
    if (this.stopped || st.outcome === 'relist') return st.outcome;
    if (st.failure !== undefined) throw st.failure;
    if (st.idle) throw new Error(`watch silent for ${idleMs}ms`);
    if (error !== undefined) throw error;
    if (st.delivered === 0 && lastedMs < 1000) throw new Error('watch closed by the server right away');
    if (st.delivered > 0) this.backoff.reset();
    return 'rewatch';
  }

  /** Applies one watch event to the sink and the resourceVersion. */
  private onEvent(st: WatchState, ev: WatchEvent): void {
    if (st.ended || this.stopped) return;
    st.lastEventAt = this.opts.clock.now();
    st.delivered++;
    this.stats.events++;
    const obj = ev.object;
    if (ev.type === 'ERROR') {
      const err = ApiError.fromStatus(obj as unknown as Status);
      if (isGone(err)) st.outcome = 'relist';
      else st.failure = err;
      st.ended = true;
      this.handle?.stop();
      return;
    }
    if (ev.type === 'ADDED' || ev.type === 'MODIFIED') this.sink.upsert(this.transform(obj));
    else if (ev.type === 'DELETED') this.sink.remove(this.transform(obj));
    const rv = obj.metadata?.resourceVersion;
    if (rv) this.rv = rv;
  }

  private transform(obj: KubeObject): T {
    return this.opts.transform ? this.opts.transform(obj) : (obj as T);
  }

  /** A timer that fires `onIdle` once no event arrived for idleTimeoutMs; cheap to keep alive. */
  private armWatchdog(idleMs: number, lastEventAt: () => number, onIdle: () => void): Timer {
    const clock = this.opts.clock;
    let timer: Timer;
    const check = (): void => {
      const silentFor = clock.now() - lastEventAt();
      if (silentFor >= idleMs) onIdle();
      else timer = clock.setTimer(idleMs - silentFor, check);
    };
    timer = clock.setTimer(idleMs, check);
    return { cancel: () => timer.cancel() };
  }
}

/** Options of {@link Backoff}. */
export interface BackoffOptions {
  /** @default 1000 */
  initialMs?: number;
  /** @default 30000 */
  maxMs?: number;
  /** @default 2 */
  factor?: number;
  /** Adds up to `jitter * delay` of random extra delay (the result stays ≤ maxMs). @default 0 */
  jitter?: number;
  /** Random source in [0, 1). @default Math.random */
  random?: () => number;
}

/** An exponential backoff sequence. */
export class Backoff {
  private readonly initial: number;
  private readonly max: number;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly random: () => number;
  private current = 0;
  private count = 0;

  constructor(opts: BackoffOptions = {}) {
    this.initial = opts.initialMs ?? 1000;
    this.max = opts.maxMs ?? 30_000;
    this.factor = opts.factor ?? 2;
    this.jitter = opts.jitter ?? 0;
    this.random = opts.random ?? Math.random;
  }

  /** The next delay in milliseconds; each call counts one failure. */
  next(): number {
    this.current = this.current === 0 ? this.initial : Math.min(this.max, this.current * this.factor);
    this.count++;
    const extra = this.jitter > 0 ? this.current * this.jitter * this.random() : 0;
    return Math.min(this.max, this.current + extra);
  }

  /** Failures since the last reset. */
  get attempts(): number {
    return this.count;
  }

  /** Starts over from `initialMs`. */
  reset(): void {
    this.current = 0;
    this.count = 0;
  }
}
