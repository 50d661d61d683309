// SPDX-License-Identifier: Apache-2.0
/**
 * A controller: a rate-limited work queue of `namespace/name` keys and `maxConcurrentReconciles`
 * workers calling one {@link Reconciler}. The queue guarantees a key is never reconciled by two
 * workers at once. What happens after a reconcile is decided by {@link outcomeOf}:
 * - success → forget the key's backoff; with `requeueAfterMs`, add it again after that delay
 *   (`requeue_after`); with `requeue`, add it rate limited (`requeue`);
 * - {@link WaitingError} → forget, add after its `requeueAfterMs` (`requeue_after`);
 * - {@link StallingError} → forget, no retry until the object changes (`error`, terminal);
 * - any other error → add rate limited, i.e. per-key exponential backoff (`error`).
 * Each outcome increments `controller_runtime_reconcile_total{controller,result}`.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'winston';
import type { Clock } from '../clock/index.ts';
import { ReconcileError, outcomeOf, type Reconciler, type Request, type Result } from '../reconcile/contract.ts';
import { RateLimitingQueue } from '../queue/rate-limiting-queue.ts';
import type { RateLimiter } from '../queue/rate-limiter.ts';
import { prometheusQueueMetrics } from '../queue/metrics.ts';
import { splitKey } from '../informer/store.ts';
import { reconcileLogger } from '../log/logger.ts';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Options of {@link Controller}. */
export interface ControllerOptions {
  /** Unique controller name, e.g. `gitrepository`; labels metrics and logs. */
  name: string;
  reconciler: Reconciler;
  clock: Clock;
  logger: Logger;
  registry: Registry;
  /** The reconciled kind, for the `<Kind>: {name, namespace}` log field. */
  kind?: string;
  /** Workers; a key is still never processed by two at once. @default 1 */
  maxConcurrentReconciles?: number;
  /** @default controller-runtime's: 5 ms → 1000 s per key, 10 qps / 100 burst overall */
  rateLimiter?: RateLimiter<string>;
}

/** The work queue and workers of one reconciler. */
export class Controller {
  /** The controller's name. */
  readonly name: string;
  /** The queue of keys; event handlers add to it. */
  readonly queue: RateLimitingQueue<string>;
  private readonly metrics: ControllerMetrics;
  private readonly workers: Promise<void>[] = [];
  private readonly inflight = new AbortController();
  private readonly concurrency: number;
  private readonly disposeQueueMetrics: () => void;
  private started = false;
  private active = 0;

  constructor(private readonly opts: ControllerOptions) {
    this.name = opts.name;
    this.concurrency = Math.max(1, opts.maxConcurrentReconciles ?? 1);
    const qm = prometheusQueueMetrics<string>(opts.registry, opts.clock, opts.name);
    this.disposeQueueMetrics = () => qm.dispose();
    this.queue = new RateLimitingQueue<string>({
      clock: opts.clock,
      metrics: qm,
      ...(opts.rateLimiter ? { rateLimiter: opts.rateLimiter } : {}),
    });
    this.metrics = controllerMetrics(opts.registry);
    initControllerSeries(this.metrics, opts.name, this.concurrency);
  }

  /** Adds a request (deduplicated by key). */
  enqueue(req: Request): void {
    this.queue.add(req.namespace ? `${req.namespace}/${req.name}` : req.name);
  }

  /** True once workers run. */
  get running(): boolean {
    return this.started && !this.queue.shuttingDown;
  }

  /** Starts the workers (idempotent). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.opts.logger.info('Starting workers', { 'worker count': this.concurrency });
    for (let i = 0; i < this.concurrency; i++) this.workers.push(this.worker());
  }

  /**
   * Stops taking work, aborts the signal of in-flight reconciles, and waits up to `timeoutMs` for
   * them to return. Resolves true when all returned in time.
   */
  async stop(timeoutMs: number): Promise<boolean> {
    this.queue.shutdown();
    this.inflight.abort(new Error('controller shutting down'));
    const all = Promise.all(this.workers).then(() => true);
    const done = await Promise.race([all, this.opts.clock.sleep(timeoutMs).then(() => false)]);
    this.disposeQueueMetrics();
    if (!done) this.opts.logger.error(`${this.active} reconciles still running after ${timeoutMs}ms; abandoning them`);
    return done;
  }

  private async worker(): Promise<void> {
    for (;;) {
      const next = await this.queue.get();
      if (next.shutdown) return;
      try {
        if (!this.inflight.signal.aborted) await this.reconcileKey(next.item);
      } finally {
        this.queue.done(next.item);
      }
    }
  }

  private async reconcileKey(key: string): Promise<void> {
    const { clock, logger, reconciler, kind } = this.opts;
    const req = splitKey(key);
    const reconcileId = randomUUID();
    const log = reconcileLogger(logger, kind, req.namespace, req.name, reconcileId);
    const start = clock.now();
    this.active++;
    this.metrics.activeWorkers.set({ controller: this.name }, this.active);
    let result: Result | undefined;
    let error: unknown;
    try {
      result = await reconciler.reconcile(req, { signal: this.inflight.signal, log, reconcileId });
    } catch (err) {
      error = err ?? new Error('reconciler threw a nullish value');
    } finally {
      this.active--;
      this.metrics.activeWorkers.set({ controller: this.name }, this.active);
      this.metrics.time.observe({ controller: this.name }, (clock.now() - start) / 1000);
    }
    this.handleOutcome(key, outcomeOf(result, error), log);
  }

  private handleOutcome(key: string, outcome: ReturnType<typeof outcomeOf>, log: Logger): void {
    const q = this.queue;
    let label: ReconcileResultLabel;
    switch (outcome.kind) {
      case 'success':
        if (outcome.requeueAfterMs !== undefined) {
          q.forget(key);
          q.addAfter(key, outcome.requeueAfterMs);
          label = 'requeue_after';
        } else if (outcome.requeue) {
          q.addRateLimited(key);
          label = 'requeue';
        } else {
          q.forget(key);
          label = 'success';
        }
        break;
      case 'requeue-after':
        q.forget(key);
        q.addAfter(key, outcome.requeueAfterMs);
        label = 'requeue_after';
        log.debug('Reconciler is waiting', { error: messageOf(outcome.error), requeueAfter: `${outcome.requeueAfterMs}ms` });
        break;
      case 'terminal':
        q.forget(key);
        label = 'error';
        this.metrics.errors.inc({ controller: this.name });
        this.metrics.terminalErrors.inc({ controller: this.name });
        if (shouldLog(outcome.error)) log.error('Reconciler error (terminal, not retried)', { error: messageOf(outcome.error) });
        break;
      default:
        q.addRateLimited(key);
        label = 'error';
        this.metrics.errors.inc({ controller: this.name });
        if (shouldLog(outcome.error)) log.error('Reconciler error', { error: messageOf(outcome.error) });
    }
    this.metrics.total.inc({ controller: this.name, result: label });
  }
}

function shouldLog(err: unknown): boolean {
  return !ReconcileError.is(err) || err.logged;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The `result` label values of `controller_runtime_reconcile_total`. */
export type ReconcileResultLabel = 'success' | 'error' | 'requeue' | 'requeue_after';

/** The metric handles of one registry. */
export interface ControllerMetrics {
  total: Counter<'controller' | 'result'>;
  errors: Counter<'controller'>;
  terminalErrors: Counter<'controller'>;
  time: Histogram<'controller'>;
  maxConcurrent: Gauge<'controller'>;
  activeWorkers: Gauge<'controller'>;
}

const byRegistry = new WeakMap<Registry, ControllerMetrics>();

const TIME_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0,
  3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];

/** The controller metrics in `registry` (created once per registry). */
export function controllerMetrics(registry: Registry): ControllerMetrics {
  let m = byRegistry.get(registry);
  if (m) return m;
  const registers = [registry];
  m = {
    total: new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'Total number of reconciliations per controller',
      labelNames: ['controller', 'result'],
      registers,
    }),
    errors: new Counter({
      name: 'controller_runtime_reconcile_errors_total',
      help: 'Total number of reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    }),
    terminalErrors: new Counter({
      name: 'controller_runtime_terminal_reconcile_errors_total',
      help: 'Total number of terminal reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    }),
    time: new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller',
      labelNames: ['controller'],
      buckets: TIME_BUCKETS,
      registers,
    }),
    maxConcurrent: new Gauge({
      name: 'controller_runtime_max_concurrent_reconciles',
      help: 'Maximum number of concurrent reconciles per controller',
      labelNames: ['controller'],
      registers,
    }),
    activeWorkers: new Gauge({
      name: 'controller_runtime_active_workers',
      help: 'Number of currently used workers per controller',
      labelNames: ['controller'],
      registers,
    }),
  };
  byRegistry.set(registry, m);
  return m;
}

/** Creates the zero-valued series of a controller, so dashboards see it before the first reconcile. */
export function initControllerSeries(m: ControllerMetrics, controller: string, maxConcurrent: number): void {
  for (const result of ['success', 'error', 'requeue', 'requeue_after'] as const) m.total.inc({ controller, result }, 0);
  m.errors.inc({ controller }, 0);
  m.terminalErrors.inc({ controller }, 0);
  m.maxConcurrent.set({ controller }, maxConcurrent);
  m.activeWorkers.set({ controller }, 0);
}
