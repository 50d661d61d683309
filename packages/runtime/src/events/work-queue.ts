// SPDX-License-Identifier: Apache-2.0
/**
 * A bounded FIFO drained by one async worker, so recording an event never blocks (or fails) a
 * reconcile. When full, new items are dropped, like client-go's broadcaster (`DropIfChannelFull`).
 */

/** A bounded queue with a single worker. */
export class BoundedWorkQueue<T> {
  private readonly items: T[] = [];
  private running = false;
  private waiters: Array<() => void> = [];

  /**
   * @param capacity most items held; later ones are dropped
   * @param handle processes one item; its rejections are passed to `onError`
   */
  constructor(
    private readonly capacity: number,
    private readonly handle: (item: T) => Promise<void>,
    private readonly onError: (err: unknown, item: T) => void,
  ) {}

  /** Number of waiting items. */
  get length(): number {
    return this.items.length;
  }

  /** Enqueues `item`; returns false (and drops it) when the queue is full. */
  push(item: T): boolean {
    if (this.items.length >= this.capacity) return false;
    this.items.push(item);
    if (!this.running) {
      this.running = true;
      void this.drain();
    }
    return true;
  }

  /** Resolves once every queued item has been handled. */
  idle(): Promise<void> {
    if (!this.running && this.items.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private async drain(): Promise<void> {
    for (let item = this.items.shift(); item !== undefined; item = this.items.shift()) {
      try {
        await this.handle(item);
      } catch (err) {
        this.onError(err, item);
      }
    }
    this.running = false;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
