// SPDX-License-Identifier: Apache-2.0
/**
 * A shared informer: one {@link Reflector} feeding one indexed {@link Store}, with any number of
 * event handlers. Controllers read from the store instead of the apiserver and register handlers
 * that only enqueue keys. Handlers registered after the initial sync get the cached objects
 * replayed as adds; a handler that throws is logged and never stops the informer.
 */
import type { Logger } from 'winston';
import type { KubeObject } from '../client/types.ts';
import { Reflector, type ReflectorOptions, type ReflectorSink, type ReflectorStats } from './reflector.ts';
import { NAMESPACE_INDEX, Store, objectKey, type IndexFunc } from './store.ts';
import { parseSelector } from './store.ts';

/** Callbacks for cache changes. */
export interface EventHandler<T extends KubeObject = KubeObject> {
  /** An object appeared; `initialList` is true for objects of the first list (or a replay). */
  onAdd?(obj: T, initialList: boolean): void;
  /** An object changed (its resourceVersion differs). */
  onUpdate?(oldObj: T, newObj: T): void;
  /** An object is gone (deleted, or missing from a relist); `obj` is its last known state. */
  onDelete?(obj: T): void;
}

/** Removes a handler. */
export interface HandlerRegistration {
  remove(): void;
}

/** Options of a cache read. */
export interface CacheListOptions {
  namespace?: string;
  labelSelector?: string;
}

/** Options of {@link SharedInformer}. */
export type SharedInformerOptions<T extends KubeObject> = ReflectorOptions<T>;

/** One shared cache of a kind within a scope. */
export class SharedInformer<T extends KubeObject = KubeObject> implements ReflectorSink<T> {
  /** The kind's apiVersion. */
  readonly apiVersion: string;
  /** The kind. */
  readonly kind: string;
  private readonly store = new Store<T>();
  private readonly handlers = new Set<EventHandler<T>>();
  private readonly reflector: Reflector<T>;
  private readonly log: Logger | undefined;
  private synced = false;
  private syncWaiters: Array<() => void> = [];

  constructor(opts: SharedInformerOptions<T>) {
    this.apiVersion = opts.apiVersion;
    this.kind = opts.kind;
    this.log = opts.logger;
    this.reflector = new Reflector(opts, this);
  }

  /** Starts listing and watching (idempotent). */
  start(): void {
    this.reflector.start();
  }

  /** Stops the watch; the cache keeps its last state. Never rejects. */
  async stop(): Promise<void> {
    await this.reflector.stop();
    const waiting = this.syncWaiters;
    this.syncWaiters = [];
    for (const resolve of waiting) resolve();
  }

  /** True once the first list has been delivered to the cache and the handlers. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once synced, or false when `signal` aborts or the informer stops first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = (): void => resolve(false);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve(this.synced);
      });
    });
  }

  /** Reflector counters (lists, watches, relists on 410, errors, watchdog). */
  get stats(): ReflectorStats {
    return this.reflector.stats;
  }

  /** The resourceVersion the cache is at. */
  get lastSyncResourceVersion(): string {
    return this.reflector.lastSyncResourceVersion;
  }

  /** Registers a handler; after the initial sync the cached objects are replayed to it as adds. */
  addEventHandler(handler: EventHandler<T>): HandlerRegistration {
    this.handlers.add(handler);
    if (this.synced) for (const obj of this.store.list()) this.call(handler, 'onAdd', () => handler.onAdd?.(obj, true));
    return { remove: () => this.handlers.delete(handler) };
  }

  /** Adds a secondary index, e.g. by source reference. Safe before or after start. */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    this.store.addIndexer(name, fn);
  }

  /** Objects whose index `name` contains `value`. */
  byIndex(name: string, value: string): T[] {
    return this.store.byIndex(name, value);
  }

  /** The cached object with `key` (`namespace/name` or `name`). */
  getByKey(key: string): T | undefined {
    return this.store.get(key);
  }

  /** The cached object by namespace and name (namespace empty for cluster-scoped kinds). */
  get(namespace: string | undefined, name: string): T | undefined {
    return this.store.get(namespace ? `${namespace}/${name}` : name);
  }

  /** Cached objects, optionally filtered by namespace and label selector. */
  list(opts: CacheListOptions = {}): T[] {
    const items = opts.namespace !== undefined ? this.store.byIndex(NAMESPACE_INDEX, opts.namespace) : this.store.list();
    if (!opts.labelSelector) return items;
    const sel = parseSelector(opts.labelSelector);
    return items.filter((o) => sel.matches(o.metadata.labels));
  }

  /** Number of cached objects. */
  get size(): number {
    return this.store.size;
  }

  /** @internal Sink: the state after a (re)list. Fires deletes for objects that vanished. */
  replace(items: T[], _resourceVersion: string): void {
    const initial = !this.synced;
    const seen = new Set<string>();
    for (const obj of items) {
      const key = objectKey(obj);
      seen.add(key);
      const old = this.store.upsert(obj);
      if (!old) this.emitAdd(obj, initial);
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) this.emitUpdate(old, obj);
    }
    for (const key of this.store.keys()) {
      if (seen.has(key)) continue;
      const gone = this.store.delete(key);
      if (gone) this.emitDelete(gone);
    }
    if (!this.synced) {
      this.synced = true;
      const waiting = this.syncWaiters;
      this.syncWaiters = [];
      for (const resolve of waiting) resolve();
    }
  }

  /** @internal Sink: an object was added or modified. */
  upsert(obj: T): void {
    const old = this.store.upsert(obj);
    if (!old) this.emitAdd(obj, false);
    else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) this.emitUpdate(old, obj);
  }

  /** @internal Sink: an object was deleted. */
  remove(obj: T): void {
    this.store.delete(objectKey(obj));
    this.emitDelete(obj);
  }

  private emitAdd(obj: T, initial: boolean): void {
    for (const h of this.handlers) if (h.onAdd) this.call(h, 'onAdd', () => h.onAdd!(obj, initial));
  }

  private emitUpdate(old: T, obj: T): void {
    for (const h of this.handlers) if (h.onUpdate) this.call(h, 'onUpdate', () => h.onUpdate!(old, obj));
  }

  private emitDelete(obj: T): void {
    for (const h of this.handlers) if (h.onDelete) this.call(h, 'onDelete', () => h.onDelete!(obj));
  }

  private call(_h: EventHandler<T>, what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log?.error(`${this.kind} informer: ${what} handler failed`, { error: err instanceof Error ? err.message : String(err) });
    }
  }
}
