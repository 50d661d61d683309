// SPDX-License-Identifier: Apache-2.0
/**
 * A level-based work queue with client-go's guarantees:
 * - **dedupe**: an item added many times before a worker takes it is processed once;
 * - **exclusivity**: an item is never handed to two workers at once. An item re-added while it
 *   is being processed is marked dirty and queued again when the worker calls {@link WorkQueue.done};
 * - **fairness**: items are handed out in the order they were first added.
 *
 * Items are keys (strings such as `namespace/name`), never objects: the reconciler reads the
 * latest state itself.
 */
import { noopQueueMetrics, type QueueMetrics } from './metrics.ts';

/** What {@link WorkQueue.get} resolves to. */
export type GetResult<T> = { item: T; shutdown: false } | { item?: undefined; shutdown: true };

/** Options of {@link WorkQueue}. */
export interface WorkQueueOptions<T> {
  /** Metrics hooks. @default none */
  metrics?: QueueMetrics<T>;
}

/** A FIFO over an array with a moving head, compacted as it drains. */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(item: T): void {
    this.items.push(item);
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

/** The basic work queue (no delays); see the module doc for its guarantees. */
export class WorkQueue<T = string> {
  protected readonly metrics: QueueMetrics<T>;
  private readonly queue = new Fifo<T>();
  /** Items that need processing (queued, or re-added while processing). */
  private readonly dirty = new Set<T>();
  /** Items a worker holds right now. */
  private readonly processing = new Set<T>();
  private waiters: Array<(r: GetResult<T>) => void> = [];
  private stopping = false;
  private draining = false;
  private drained: Array<() => void> = [];

  constructor(opts: WorkQueueOptions<T> = {}) {
    this.metrics = opts.metrics ?? (noopQueueMetrics as QueueMetrics<T>);
  }

  /** Marks `item` as needing processing. Ignored after shutdown. */
  add(item: T): void {
    if (this.stopping || this.dirty.has(item)) return;
    this.metrics.add(item);
    this.dirty.add(item);
    if (this.processing.has(item)) return;
    this.queue.push(item);
    this.dispatch();
  }

  /**
   * Waits for the next item. The caller must call {@link done} with it when finished. Resolves
   * `{shutdown: true}` once the queue is shut down and empty.
   */
  get(): Promise<GetResult<T>> {
    if (this.queue.length > 0) return Promise.resolve({ item: this.take(), shutdown: false });
    if (this.stopping) return Promise.resolve({ shutdown: true });
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Releases `item`; if it was re-added meanwhile it is queued again. */
  done(item: T): void {
    if (!this.processing.delete(item)) return;
    this.metrics.done(item);
    if (this.dirty.has(item)) {
      this.queue.push(item);
      this.dispatch();
    } else if (this.draining && this.processing.size === 0) {
      const waiting = this.drained;
      this.drained = [];
      for (const resolve of waiting) resolve();
    }
  }

  /** Items waiting for a worker. */
  len(): number {
    return this.queue.length;
  }

  /** Items held by workers. */
  processingCount(): number {
    return this.processing.size;
  }

  /** True once {@link shutdown} was called. */
  get shuttingDown(): boolean {
    return this.stopping;
  }

  /** True when `item` waits in the queue or is held by a worker. */
  has(item: T): boolean {
    return this.dirty.has(item) || this.processing.has(item);
  }

  /**
   * Stops accepting items. Waiting {@link get} calls resolve `{shutdown: true}` once the items
   * already queued are handed out.
   */
  shutdown(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.onShutdown();
    this.dispatch();
  }

  /** Shuts down and resolves once no worker holds an item any more. */
  shutDownWithDrain(): Promise<void> {
    this.draining = true;
    this.shutdown();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  /** Subclasses release their timers here. */
  protected onShutdown(): void {}

  private take(): T {
    const item = this.queue.shift() as T;
    this.processing.add(item);
    this.dirty.delete(item);
    this.metrics.get(item);
    return item;
  }

  private dispatch(): void {
    while (this.waiters.length > 0 && this.queue.length > 0) {
      const resolve = this.waiters.shift()!;
      resolve({ item: this.take(), shutdown: false });
    }
    if (this.stopping && this.queue.length === 0 && this.waiters.length > 0) {
      const waiting = this.waiters;
      this.waiters = [];
      for (const resolve of waiting) resolve({ shutdown: true });
    }
  }
}
