// SPDX-License-Identifier: Apache-2.0
/**
 * Work queue metrics under controller-runtime's names (`workqueue_*`, labels `name` and
 * `controller`). The queue calls the {@link QueueMetrics} hooks; {@link prometheusQueueMetrics}
 * turns them into prom-client series. Unfinished-work and longest-running gauges are computed at
 * scrape time from the injected clock, so no timer runs in the background.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Clock } from '../clock/index.ts';

/** Hooks a queue calls; all times come from the queue's clock. */
export interface QueueMetrics<T = string> {
  /** An item entered the queue (not counted again while it is already queued). */
  add(item: T): void;
  /** A worker took an item. */
  get(item: T): void;
  /** A worker finished an item. */
  done(item: T): void;
  /** An item was scheduled for a later retry (`addAfter`). */
  retry(): void;
}

/** Metrics that record nothing. */
export const noopQueueMetrics: QueueMetrics<never> = { add() {}, get() {}, done() {}, retry() {} };

/** Exponential buckets like Prometheus' Go client: `start * factor^i`. */
export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start * factor ** i);
}

interface Series {
  depth: Gauge;
  adds: Counter;
  latency: Histogram;
  workDuration: Histogram;
  retries: Counter;
  live: Set<PromQueueMetrics<unknown>>;
}

const seriesByRegistry = new WeakMap<Registry, Series>();

function seriesFor(registry: Registry): Series {
  let s = seriesByRegistry.get(registry);
  if (s) return s;
  const live = new Set<PromQueueMetrics<unknown>>();
  const labelNames = ['name', 'controller'] as const;
  const registers = [registry];
  const buckets = exponentialBuckets(10e-9, 10, 12);
  s = {
    live,
    depth: new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames, registers }),
    adds: new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames, registers }),
    latency: new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested',
      labelNames,
      buckets,
      registers,
    }),
    workDuration: new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes.',
      labelNames,
      buckets,
      registers,
    }),
    retries: new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames, registers }),
  };
  new Gauge({
    name: 'workqueue_unfinished_work_seconds',
    help: 'How many seconds of work has been done that is in progress and hasn\'t been observed by work_duration. Large values indicate stuck threads.',
    labelNames,
    registers,
    collect() {
      this.reset();
      for (const q of live) this.set(q.labels, q.unfinishedSeconds());
    },
  });
  new Gauge({
    name: 'workqueue_longest_running_processor_seconds',
    help: 'How many seconds has the longest running processor for workqueue been running.',
    labelNames,
    registers,
    collect() {
      this.reset();
      for (const q of live) this.set(q.labels, q.longestRunningSeconds());
    },
  });
  seriesByRegistry.set(registry, s);
  return s;
}

class PromQueueMetrics<T> implements QueueMetrics<T> {
  readonly labels: { name: string; controller: string };
  private readonly addTimes = new Map<T, number>();
  private readonly processingStart = new Map<T, number>();

  constructor(
    private readonly s: Series,
    private readonly clock: Clock,
    name: string,
    controller: string,
  ) {
    this.labels = { name, controller };
    s.depth.set(this.labels, 0);
    s.adds.inc(this.labels, 0);
    s.retries.inc(this.labels, 0);
  }
  add(item: T): void {
    this.s.adds.inc(this.labels);
    this.s.depth.inc(this.labels);
    if (!this.addTimes.has(item)) this.addTimes.set(item, this.clock.now());
  }
  get(item: T): void {
    const now = this.clock.now();
    this.s.depth.dec(this.labels);
    const added = this.addTimes.get(item);
    if (added !== undefined) {
      this.s.latency.observe(this.labels, (now - added) / 1000);
      this.addTimes.delete(item);
    }
    this.processingStart.set(item, now);
  }
  done(item: T): void {
    const started = this.processingStart.get(item);
    if (started !== undefined) {
      this.s.workDuration.observe(this.labels, (this.clock.now() - started) / 1000);
      this.processingStart.delete(item);
    }
  }
  retry(): void {
    this.s.retries.inc(this.labels);
  }
  /** Stops reporting the scrape-time gauges of this queue. */
  dispose(): void {
    this.s.live.delete(this as PromQueueMetrics<unknown>);
  }
  unfinishedSeconds(): number {
    const now = this.clock.now();
    let total = 0;
    for (const t of this.processingStart.values()) total += now - t;
    return total / 1000;
  }
  longestRunningSeconds(): number {
    const now = this.clock.now();
    let oldest = now;
    for (const t of this.processingStart.values()) oldest = Math.min(oldest, t);
    return (now - oldest) / 1000;
  }
}

/** Queue metrics in `registry`, labelled `name` (and `controller`, defaulting to the name). */
export function prometheusQueueMetrics<T = string>(
  registry: Registry,
  clock: Clock,
  name: string,
  controller = name,
): QueueMetrics<T> & { dispose(): void } {
  const s = seriesFor(registry);
  const m = new PromQueueMetrics<T>(s, clock, name, controller);
  s.live.add(m as PromQueueMetrics<unknown>);
  return m;
}
