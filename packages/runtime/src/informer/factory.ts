// SPDX-License-Identifier: Apache-2.0
/**
 * One informer per kind and scope, shared by every controller that needs it (client-go's
 * `SharedInformerFactory`). The factory carries the manager's default scope (`namespace`,
 * `labelSelector`); a caller can narrow it per informer. Informers created after `start()` start
 * at once.
 */
import type { Logger } from 'winston';
import type { KubeClient, KubeObject } from '../client/types.ts';
import type { Clock } from '../clock/index.ts';
import type { BackoffOptions } from './reflector.ts';
import { SharedInformer } from './shared-informer.ts';

/** Identifies a kind. */
export interface GroupVersionKind {
  apiVersion: string;
  kind: string;
}

/** The scope of an informer. */
export interface InformerScope {
  /** Only this namespace; empty for all. Ignored for cluster-scoped kinds. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** Options of {@link SharedInformerFactory}. */
export interface SharedInformerFactoryOptions extends InformerScope {
  client: KubeClient;
  clock: Clock;
  logger?: Logger;
  /** @default 500 */
  pageSize?: number;
  /** @default [300, 600] */
  watchTimeoutSeconds?: [number, number];
  /** Watchdog: end a watch silent for this long. @default the watch's timeout + 30 s */
  idleTimeoutMs?: number;
  /** @default 1 s → 30 s */
  backoff?: BackoffOptions;
  /** Applied to every object before caching, e.g. {@link stripManagedFields}. */
  transform?: (obj: KubeObject) => KubeObject;
}

/** Drops `metadata.managedFields`, usually the largest part of a cached object. */
export function stripManagedFields(obj: KubeObject): KubeObject {
  if (obj.metadata.managedFields === undefined) return obj;
  const { managedFields: _drop, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/** Shares informers by kind and scope. */
export class SharedInformerFactory {
  private readonly informersByKey = new Map<string, SharedInformer<KubeObject>>();
  private started = false;

  constructor(private readonly opts: SharedInformerFactoryOptions) {}

  /** The informer for a kind in a scope (the factory's scope by default); created once. */
  informerFor<T extends KubeObject = KubeObject>(gvk: GroupVersionKind, scope: InformerScope = {}): SharedInformer<T> {
    const namespace = scope.namespace ?? this.opts.namespace ?? '';
    const labelSelector = scope.labelSelector ?? this.opts.labelSelector ?? '';
    const fieldSelector = scope.fieldSelector ?? this.opts.fieldSelector ?? '';
    const key = JSON.stringify([gvk.apiVersion, gvk.kind, namespace, labelSelector, fieldSelector]);
    let informer = this.informersByKey.get(key);
    if (!informer) {
      const { namespace: _n, labelSelector: _l, fieldSelector: _f, logger, ...rest } = this.opts;
      informer = new SharedInformer<KubeObject>({
        ...rest,
        apiVersion: gvk.apiVersion,
        kind: gvk.kind,
        namespace: namespace || undefined,
        labelSelector: labelSelector || undefined,
        fieldSelector: fieldSelector || undefined,
        logger: logger?.child({ informer: gvk.kind }),
      });
      this.informersByKey.set(key, informer);
      if (this.started) informer.start();
    }
    return informer as unknown as SharedInformer<T>;
  }

  /** Every informer created so far. */
  informers(): SharedInformer<KubeObject>[] {
    return [...this.informersByKey.values()];
  }

  /** Starts every informer, and any created later. */
  start(): void {
    this.started = true;
    for (const i of this.informersByKey.values()) i.start();
  }

  /** True when every informer has synced. */
  hasSynced(): boolean {
    return this.informers().every((i) => i.hasSynced());
  }

  /** Resolves true once every informer synced, false if `signal` aborts first. */
  async waitForSync(signal?: AbortSignal): Promise<boolean> {
    const results = await Promise.all(this.informers().map((i) => i.waitForSync(signal)));
    return results.every(Boolean);
  }

  /** Stops every informer. Never rejects. */
  async stop(): Promise<void> {
    this.started = false;
    await Promise.all(this.informers().map((i) => i.stop()));
  }
}
