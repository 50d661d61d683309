// SPDX-License-Identifier: Apache-2.0
/**
 * The manager runs a controller process, like controller-runtime's: one client, one set of shared
 * informers (scoped by namespace and label selector), one metrics registry, one logger, the
 * `/metrics`, `/healthz` and `/readyz` servers, leader election, and the controllers built with
 * {@link controllerManagedBy}.
 *
 * `start()` starts the servers and informers on every replica; controllers start only once this
 * replica leads (or at once without leader election). Shutdown (SIGTERM/SIGINT with
 * {@link Manager.handleSignals}, or {@link Manager.stop}) stops taking work, aborts in-flight
 * reconciles and waits for them (bounded), releases the lease, stops the informers and closes the
 * servers. Losing the lease stops all controllers and makes `start()` reject with
 * {@link LeaderElectionLostError}; the process should then exit, as Flux controllers do.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'winston';
import { Gauge, type Registry } from 'prom-client';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeClient, KubeObject } from '../client/types.ts';
import { DynamicClient } from '../client/dynamic-client.ts';
import { realClock, type Clock } from '../clock/index.ts';
import { SharedInformerFactory, type GroupVersionKind, type InformerScope, type SharedInformerFactoryOptions } from '../informer/factory.ts';
import type { HandlerRegistration, SharedInformer } from '../informer/shared-informer.ts';
import { LeaderElector, type ElectionOutcome } from '../leader/leader-elector.ts';
import { rootLogger } from '../log/logger.ts';
import { createRegistry, serveMetrics } from '../metrics/server.ts';
import { MetricsRecorder } from '../metrics/recorder.ts';
import type { RunningServer } from '../metrics/server.ts';
import { HealthProbes, type Checker } from '../health/health.ts';
import type { Predicate } from '../predicates/predicates.ts';
import type { Controller } from './controller.ts';
import { enqueueHandler, type MapFunc } from './builder.ts';
import { ManagerLifecycle, type Runnable } from './lifecycle.ts';

/** Leader election settings. */
export interface LeaderElectionConfig {
  enabled: boolean;
  /** Lease name, e.g. `source-controller-leader-election`. */
  id: string;
  /** Lease namespace. @default `RUNTIME_NAMESPACE`, the in-cluster namespace, then `default` */
  namespace?: string;
  /** @default `<hostname>_<uuid>` */
  identity?: string;
  /** @default 35000 */
  leaseDurationMs?: number;
  /** @default 30000 */
  renewDeadlineMs?: number;
  /** @default 5000 */
  retryPeriodMs?: number;
  /** @default true */
  releaseOnCancel?: boolean;
}

/** Options of {@link Manager}. */
export interface ManagerOptions {
  /** Kubeconfig path or object. @default `KUBECONFIG`, in-cluster, `~/.kube/config` */
  kubeconfig?: string | KubeConfig;
  /** Use this client instead of creating a {@link DynamicClient}. */
  client?: KubeClient;
  /** @default realClock */
  clock?: Clock;
  /** @default rootLogger() */
  logger?: Logger;
  /** Watch only this namespace ('' for all). @default '' */
  namespace?: string;
  /** Watch only objects matching this label selector. */
  labelSelector?: string;
  /** `/metrics` address; `0` disables. @default ':8080' */
  metricsAddr?: string;
  /** `/healthz` + `/readyz` address; `0` disables. @default ':9440' */
  healthAddr?: string;
  /** @default a fresh registry with process and Node.js metrics */
  registry?: Registry;
  leaderElection?: LeaderElectionConfig;
  /** How long shutdown waits for in-flight reconciles. @default 30000 */
  gracefulShutdownTimeoutMs?: number;
  /** How long a controller waits for its informers to sync before the manager fails. @default 120000 */
  cacheSyncTimeoutMs?: number;
  /**
   * Per-object backoff after a failed reconcile, for every controller not given its own rate
   * limiter: `min * 2^failures` up to `max`, no overall rate limit (Flux's `--min-retry-delay`
   * 750 ms and `--max-retry-delay` 15 m). @default controller-runtime's limiter (5 ms → 1000 s, 10 qps)
   */
  retryDelay?: { minMs: number; maxMs: number };
  /** Informer tuning (page size, watch timeouts, watchdog, backoff, transform). */
  informers?: Pick<SharedInformerFactoryOptions, 'pageSize' | 'watchTimeoutSeconds' | 'idleTimeoutMs' | 'backoff' | 'transform'>;
}

/** What a controller watches, resolved by the builder. */
export interface WatchSpec {
  gvk: GroupVersionKind;
  /** `null` means "the controller owner of the `for` kind" until the builder resolves it. */
  toRequests: MapFunc | null;
  predicates: Predicate[];
  scope: InformerScope | undefined;
}

/** `start()` rejects with this when the lease was lost. */
export class LeaderElectionLostError extends Error {
  override readonly name = 'LeaderElectionLostError';
}

interface ControllerEntry {
  controller: Controller;
  specs: WatchSpec[];
  logger: Logger;
  registrations: HandlerRegistration[];
}

function defaultLeaseNamespace(): string {
  return process.env.RUNTIME_NAMESPACE || process.env.POD_NAMESPACE || 'default';
}

/** Runs controllers; see the module doc. */
export class Manager {
  /** The client (uncached reads and all writes). */
  readonly client: KubeClient;
  /** The clock everything in this manager uses. */
  readonly clock: Clock;
  /** The manager's logger. */
  readonly logger: Logger;
  /** The Prometheus registry served at `/metrics`. */
  readonly metrics: Registry;
  /** Flux's `gotk_*` metrics recorder over {@link metrics}. */
  readonly recorder: MetricsRecorder;
  /** The shared informers. */
  readonly informers: SharedInformerFactory;
  /** Liveness and readiness checks. */
  readonly health = new HealthProbes();
  /** This replica's leader election identity. */
  readonly identity: string;
  /** {@link ManagerOptions.retryDelay}, used by the builder for controllers without their own limiter. */
  readonly retryDelay: { minMs: number; maxMs: number } | undefined;
  private readonly opts: ManagerOptions;
  private readonly controllers: ControllerEntry[] = [];
  private readonly lifecycle: ManagerLifecycle;
  private readonly elector: LeaderElector | undefined;
  private readonly ownsClient: boolean;
  private readonly leaderGauge: Gauge<'name'> | undefined;
  private leaderSignal: AbortSignal | undefined;
  private servers: RunningServer[] = [];
  private metricsServer: RunningServer | undefined;
  private healthServer: RunningServer | undefined;

  constructor(opts: ManagerOptions = {}) {
    this.opts = opts;
    this.retryDelay = opts.retryDelay;
    this.clock = opts.clock ?? realClock;
    this.logger = opts.logger ?? rootLogger();
    this.ownsClient = !opts.client;
    this.client = opts.client ?? new DynamicClient({ kubeconfig: opts.kubeconfig, clock: this.clock });
    this.metrics = opts.registry ?? createRegistry();
    this.recorder = new MetricsRecorder(this.metrics);
    this.informers = new SharedInformerFactory({
      client: this.client,
      clock: this.clock,
      logger: this.logger,
      namespace: opts.namespace || undefined,
      labelSelector: opts.labelSelector || undefined,
      ...opts.informers,
    });
    const le = opts.leaderElection;
    this.identity = le?.identity ?? `${hostname()}_${randomUUID()}`;
    if (le?.enabled) {
      this.elector = new LeaderElector({
        client: this.client,
        clock: this.clock,
        namespace: le.namespace ?? defaultLeaseNamespace(),
        name: le.id,
        identity: this.identity,
        logger: this.logger,
        leaseDurationMs: le.leaseDurationMs,
        renewDeadlineMs: le.renewDeadlineMs,
        retryPeriodMs: le.retryPeriodMs,
        releaseOnCancel: le.releaseOnCancel,
      });
      this.leaderGauge = new Gauge({
        name: 'leader_election_master_status',
        help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master.',
        labelNames: ['name'],
        registers: [this.metrics],
      });
      this.leaderGauge.set({ name: le.id }, 0);
    }
    this.lifecycle = new ManagerLifecycle(this.logger, this.clock);
    this.health.addHealthzCheck('ping', () => true);
    this.health.addReadyzCheck('informers-synced', () => {
      if (!this.lifecycle.started || !this.informers.hasSynced()) throw new Error('informers not synced');
    });
    if (this.elector) {
      const elector = this.elector;
      this.health.addHealthzCheck('leader-election', () => {
        if (!elector.check()) throw new Error('leader lease not renewed in time');
      });
    }
  }

  /** The shared informer (cache) of a kind, in the manager's scope unless `scope` narrows it. */
  getCache<T extends KubeObject = KubeObject>(gvk: GroupVersionKind, scope?: InformerScope): SharedInformer<T> {
    return this.informers.informerFor<T>(gvk, scope);
  }

  /** Registers a controller and its watches; called by {@link ControllerBuilder.complete}. */
  addController(controller: Controller, specs: WatchSpec[], logger: Logger): void {
    if (this.controllers.some((c) => c.controller.name === controller.name)) {
      throw new Error(`a controller named "${controller.name}" is already registered`);
    }
    const entry: ControllerEntry = { controller, specs, logger, registrations: [] };
    for (const s of specs) this.getCache(s.gvk, s.scope);
    this.controllers.push(entry);
    if (this.leaderSignal && !this.leaderSignal.aborted) void this.startController(entry, this.leaderSignal);
  }

  /** Adds a runnable; `needLeaderElection` ones start only on the leader. */
  add(runnable: Runnable): void {
    this.lifecycle.add(runnable);
  }

  /** Registers a liveness check. */
  addHealthzCheck(name: string, check: Checker): void {
    this.health.addHealthzCheck(name, check);
  }

  /** Registers a readiness check. */
  addReadyzCheck(name: string, check: Checker): void {
    this.health.addReadyzCheck(name, check);
  }

  /** True while controllers run here (always true once started without leader election). */
  isLeader(): boolean {
    return this.leaderSignal !== undefined && !this.leaderSignal.aborted;
  }

  /** Resolves once this replica leads (or at start without leader election). */
  get elected(): Promise<void> {
    return this.lifecycle.elected;
  }

  /** The bound `/metrics` address once started. */
  get metricsAddress(): string | undefined {
    return this.metricsServer?.address;
  }

  /** The bound health address once started. */
  get healthAddress(): string | undefined {
    return this.healthServer?.address;
  }

  /** Stops gracefully on SIGTERM/SIGINT; a second signal exits at once. Returns an uninstaller. */
  handleSignals(): () => void {
    return this.lifecycle.handleSignals(() => this.stop());
  }

  /**
   * Runs until {@link stop} (or a signal) and resolves after a clean shutdown; rejects with
   * {@link LeaderElectionLostError} when the lease was lost, or with the error that stopped it.
   */
  async start(): Promise<void> {
    this.lifecycle.begin();
    try {
      this.metricsServer = await serveMetrics(this.metrics, this.opts.metricsAddr ?? ':8080');
      this.healthServer = await this.health.serve(this.opts.healthAddr ?? ':9440');
      this.servers = [this.metricsServer, this.healthServer].filter((s): s is RunningServer => s !== undefined);
    } catch (err) {
      await this.shutdown();
      throw err;
    }
    this.informers.start();
    this.lifecycle.startRunnables(false, this.lifecycle.signal);
    if (this.elector) void this.campaign(this.elector);
    else this.lead(this.lifecycle.signal);
    await this.lifecycle.stopped;
    await this.shutdown();
    this.lifecycle.throwIfFailed();
  }

  /** Triggers a graceful shutdown and resolves when it is complete. */
  async stop(): Promise<void> {
    this.lifecycle.requestStop();
    await this.lifecycle.finished;
  }

  private async campaign(elector: LeaderElector): Promise<void> {
    const outcome: ElectionOutcome = await elector.run(this.lifecycle.signal, {
      onStartedLeading: (signal) => {
        this.leaderGauge?.set({ name: this.opts.leaderElection!.id }, 1);
        this.lead(signal);
      },
      onStoppedLeading: () => this.leaderGauge?.set({ name: this.opts.leaderElection!.id }, 0),
      onNewLeader: (id) => {
        if (id !== this.identity) this.logger.info(`new leader elected: ${id}`);
      },
    });
    this.lifecycle.electionEnded();
    if (outcome === 'lost') {
      await this.stopControllers(0);
      this.lifecycle.fail(new LeaderElectionLostError('leader election lost'));
    }
  }

  private lead(signal: AbortSignal): void {
    this.leaderSignal = signal;
    this.lifecycle.markElected();
    for (const entry of this.controllers) void this.startController(entry, signal);
    this.lifecycle.startRunnables(true, signal);
    signal.addEventListener('abort', () => void this.stopControllers(0), { once: true });
  }

  private async startController(entry: ControllerEntry, signal: AbortSignal): Promise<void> {
    const { controller, specs, logger } = entry;
    const informers = specs.map((s) => this.getCache(s.gvk, s.scope));
    specs.forEach((s, i) => {
      const toRequests = s.toRequests!;
      const handler = enqueueHandler((r) => controller.enqueue(r), toRequests, s.predicates, logger);
      entry.registrations.push(informers[i]!.addEventHandler(handler));
    });
    const timeout = new AbortController();
    const timer = this.clock.setTimer(this.opts.cacheSyncTimeoutMs ?? 120_000, () => timeout.abort());
    const synced = await Promise.all(informers.map((i) => i.waitForSync(AbortSignal.any([signal, timeout.signal]))));
    timer.cancel();
    if (signal.aborted) return;
    if (!synced.every(Boolean)) {
      this.lifecycle.fail(new Error(`controller ${controller.name}: timed out waiting for caches to sync`));
      return;
    }
    controller.start();
  }

  private async stopControllers(timeoutMs: number): Promise<void> {
    await Promise.all(
      this.controllers.map(async (entry) => {
        for (const r of entry.registrations.splice(0)) r.remove();
        await entry.controller.stop(timeoutMs);
      }),
    );
  }

  private async shutdown(): Promise<void> {
    await this.lifecycle.shutdownOnce(async () => {
      this.logger.info('Stopping and waiting for controllers');
      await this.stopControllers(this.opts.gracefulShutdownTimeoutMs ?? 30_000);
      this.lifecycle.abortAll();
      await this.lifecycle.waitRunnables(this.opts.gracefulShutdownTimeoutMs ?? 30_000);
      if (this.elector) await this.lifecycle.electionDone;
      this.logger.info('Stopping and waiting for caches');
      await this.informers.stop();
      await Promise.all(this.servers.map((s) => s.close()));
      if (this.ownsClient) (this.client as DynamicClient).close();
      this.logger.info('Manager stopped');
    });
  }
}
