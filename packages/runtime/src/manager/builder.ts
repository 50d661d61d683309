// SPDX-License-Identifier: Apache-2.0
/**
 * The fluent controller builder, after controller-runtime's `builder`:
 *
 * ```ts
 * controllerManagedBy(mgr)
 *   .named('gitrepository')
 *   .for(GitRepositoryKind, { predicates: [or(generationChanged(), reconcileRequested())] })
 *   .owns({ apiVersion: 'v1', kind: 'ConfigMap' })
 *   .watches(SecretKind, (secret) => requestsUsing(secret))
 *   .withOptions({ maxConcurrentReconciles: flags.concurrent })
 *   .complete(new GitRepositoryReconciler(mgr));
 * ```
 * Watches read from the manager's shared informers; their handlers are attached when the
 * controller starts (after leader election) and only enqueue keys.
 */
import type { Logger } from 'winston';
import type { KubeObject } from '../client/types.ts';
import { parseApiVersion } from '../client/discovery.ts';
import type { GroupVersionKind, InformerScope } from '../informer/factory.ts';
import type { EventHandler } from '../informer/shared-informer.ts';
import { controllerLogger } from '../log/logger.ts';
import { passesAll, type Predicate } from '../predicates/predicates.ts';
import { ExponentialFailureRateLimiter, type RateLimiter } from '../queue/rate-limiter.ts';
import type { Reconciler, Request } from '../reconcile/contract.ts';
import { Controller } from './controller.ts';
import type { Manager, WatchSpec } from './manager.ts';

/** Options of one watch. */
export interface WatchSourceOptions<T extends KubeObject = KubeObject> {
  /** Event filters, all of which must pass (in addition to `withEventFilter`). */
  predicates?: Predicate<T>[];
  /** Narrow the informer's scope (defaults to the manager's). */
  scope?: InformerScope;
}

/** Options of the controller. */
export interface BuilderOptions {
  /** @default 1 */
  maxConcurrentReconciles?: number;
  /** @default controller-runtime's default rate limiter */
  rateLimiter?: RateLimiter<string>;
}

/** Builds and registers one controller with a manager. */
export class ControllerBuilder {
  private name: string | undefined;
  private forKind: GroupVersionKind | undefined;
  private readonly watchSpecs: WatchSpec[] = [];
  private readonly globalPredicates: Predicate[] = [];
  private options: BuilderOptions = {};

  constructor(private readonly mgr: Manager) {}

  /** Names the controller (metrics label, logs). @default the lower-cased kind of `for` */
  named(name: string): this {
    this.name = name;
    return this;
  }

  /** The reconciled kind: its events enqueue the object's own key. Required, once. */
  for<T extends KubeObject = KubeObject>(gvk: GroupVersionKind, opts: WatchSourceOptions<T> = {}): this {
    if (this.forKind) throw new Error('for() may be called only once');
    this.forKind = gvk;
    this.watchSpecs.push({ gvk, toRequests: requestForObject, predicates: (opts.predicates ?? []) as Predicate[], scope: opts.scope });
    return this;
  }

  /** A kind this controller creates: its events enqueue the controller owner of the `for` kind. */
  owns<T extends KubeObject = KubeObject>(gvk: GroupVersionKind, opts: WatchSourceOptions<T> = {}): this {
    this.watchSpecs.push({ gvk, toRequests: null, predicates: (opts.predicates ?? []) as Predicate[], scope: opts.scope });
    return this;
  }

  /** Any kind: its events enqueue what `map` returns. */
  watches<T extends KubeObject = KubeObject>(gvk: GroupVersionKind, map: MapFunc<T>, opts: WatchSourceOptions<T> = {}): this {
    this.watchSpecs.push({
      gvk,
      toRequests: map as MapFunc,
      predicates: (opts.predicates ?? []) as Predicate[],
      scope: opts.scope,
    });
    return this;
  }

  /** Predicates applied to every watch of this controller. */
  withEventFilter(...predicates: Predicate[]): this {
    this.globalPredicates.push(...predicates);
    return this;
  }

  /** Concurrency and rate limiting. */
  withOptions(opts: BuilderOptions): this {
    this.options = { ...this.options, ...opts };
    return this;
  }

  /** Creates the controller and registers it with the manager. */
  complete(reconciler: Reconciler): Controller {
    const forKind = this.forKind;
    if (!forKind) throw new Error('controllerManagedBy(...).for(...) is required');
    const name = this.name ?? forKind.kind.toLowerCase();
    const logger = controllerLogger(this.mgr.logger, { controller: name, group: parseApiVersion(forKind.apiVersion).group, kind: forKind.kind });
    const controller = new Controller({
      name,
      reconciler,
      clock: this.mgr.clock,
      logger,
      registry: this.mgr.metrics,
      kind: forKind.kind,
      ...(this.options.maxConcurrentReconciles !== undefined ? { maxConcurrentReconciles: this.options.maxConcurrentReconciles } : {}),
      ...(rateLimiterFor(this.options.rateLimiter, this.mgr.retryDelay) ?? {}),
    });
    const specs = this.watchSpecs.map((w) => ({
      ...w,
      toRequests: w.toRequests ?? requestForOwner(forKind),
      predicates: [...this.globalPredicates, ...w.predicates],
    }));
    this.mgr.addController(controller, specs, logger);
    return controller;
  }
}

/** Starts building a controller managed by `mgr`. */
export function controllerManagedBy(mgr: Manager): ControllerBuilder {
  return new ControllerBuilder(mgr);
}

/** Maps an object to the requests it should trigger. May be async (e.g. an index lookup). */
export type MapFunc<T extends KubeObject = KubeObject> = (obj: T) => Request[] | Promise<Request[]>;

/** Turns an object into requests for one kind of watch. */
type Requests = (obj: KubeObject) => Request[] | Promise<Request[]>;

/** The request for the object itself. */
export const requestForObject: Requests = (obj) => [{ namespace: obj.metadata.namespace ?? '', name: obj.metadata.name ?? '' }];

/** The request for the object's controller owner of `owner`'s kind (and group). */
export function requestForOwner(owner: GroupVersionKind): Requests {
  const group = parseApiVersion(owner.apiVersion).group;
  return (obj) => {
    const refs = obj.metadata.ownerReferences ?? [];
    const ref = refs.find((r) => r.controller === true && r.kind === owner.kind && parseApiVersion(r.apiVersion).group === group);
    return ref ? [{ namespace: obj.metadata.namespace ?? '', name: ref.name }] : [];
  };
}

/** Builds an informer handler that filters with `predicates` and enqueues `toRequests(obj)`. */
export function enqueueHandler(
  enqueue: (req: Request) => void,
  toRequests: Requests,
  predicates: readonly Predicate[],
  log: Logger,
): EventHandler {
  const add = (obj: KubeObject): void => {
    let reqs: Request[] | Promise<Request[]>;
    try {
      reqs = toRequests(obj);
    } catch (err) {
      log.error('map function failed', { error: String(err) });
      return;
    }
    if (Array.isArray(reqs)) {
      for (const r of reqs) enqueue(r);
      return;
    }
    reqs.then(
      (rs) => {
        for (const r of rs) enqueue(r);
      },
      (err: unknown) => log.error('map function failed', { error: String(err) }),
    );
  };
  return {
    onAdd: (obj) => {
      if (passesAll(predicates, 'create', { object: obj })) add(obj);
    },
    onUpdate: (oldObj, newObj) => {
      if (!passesAll(predicates, 'update', { objectOld: oldObj, objectNew: newObj })) return;
      add(newObj);
      if (toRequests !== requestForObject) add(oldObj);
    },
    onDelete: (obj) => {
      if (passesAll(predicates, 'delete', { object: obj })) add(obj);
    },
  };
}

/**
 * The rate limiter of a new controller: the builder's own, else per-object exponential backoff from
 * the manager's retry delays (Flux's `--min-retry-delay`/`--max-retry-delay`), else none, leaving
 * the controller's default (controller-runtime's).
 */
export function rateLimiterFor(own: RateLimiter<string> | undefined, retryDelay: { minMs: number; maxMs: number } | undefined): { rateLimiter: RateLimiter<string> } | undefined {
  if (own) return { rateLimiter: own };
  return retryDelay ? { rateLimiter: new ExponentialFailureRateLimiter<string>({ baseDelayMs: retryDelay.minMs, maxDelayMs: retryDelay.maxMs }) } : undefined;
}
