// SPDX-License-Identifier: Apache-2.0
/**
 * Writes `events.k8s.io/v1` Events, deduplicated as client-go's events broadcaster does: the
 * first event of a kind is created; identical ones (same regarding object, type, reason, action,
 * reporter, related object and note) seen within the series window become a series on that Event
 * (`series.count`, `series.lastObservedTime`): the first repeat is patched at once, later ones are
 * coalesced and flushed by {@link KubeEventSink.flush}. A token bucket per object and message drops
 * floods. Notes are cut to the apiserver's 1024-byte limit.
 */
import type { Clock } from '../clock/index.ts';
import type { KubeClient, KubeObject } from '../client/types.ts';
import { truncateUtf8 } from '../conditions/trim.ts';
import { isNotFound } from '../patch/errors.ts';
import { SpamFilter, type SpamFilterOptions } from './spam-filter.ts';
import type { EventLogger, ObjectReference } from './types.ts';

/** The apiserver's limits for events.k8s.io/v1 (`pkg/apis/core/validation`). */
export const NOTE_LIMIT_BYTES = 1024;
const FIELD_LIMIT = 128;

/** One event to write, as the recorder captured it. */
export interface KubeEventInput {
  regarding: ObjectReference;
  related?: ObjectReference;
  type: 'Normal' | 'Warning';
  reason: string;
  action: string;
  note: string;
  annotations?: Record<string, string>;
  /** When it happened (epoch ms). */
  at: number;
}

/** Options of {@link KubeEventSink}. */
export interface KubeEventSinkOptions extends SpamFilterOptions {
  client: KubeClient;
  clock: Clock;
  log: EventLogger;
  reportingController: string;
  reportingInstance: string;
  /** A series ends when no repeat is seen for this long. @default 360000 (6 min) */
  seriesFinishMs?: number;
  /** Series remembered at most. @default 4096 */
  maxSeries?: number;
}

interface Series {
  input: KubeEventInput;
  name: string;
  namespace: string;
  count: number;
  lastObservedMs: number;
  dirty: boolean;
}

/** Formats epoch ms as a `metav1.MicroTime`. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '000Z');
}

const refKey = (r: ObjectReference | undefined): string =>
  r === undefined ? '' : [r.apiVersion, r.kind, r.namespace, r.name, r.uid, r.fieldPath].map((x) => x ?? '').join('/');

/** The events.k8s.io/v1 writer. Not concurrency-safe: the recorder calls it from one queue worker. */
export class KubeEventSink {
  private readonly series = new Map<string, Series>();
  private readonly spam: SpamFilter;
  private seq = 0;

  constructor(private readonly opts: KubeEventSinkOptions) {
    this.spam = new SpamFilter(opts);
  }

  /** Series with repeats not yet written. */
  get pendingSeries(): number {
    return [...this.series.values()].filter((s) => s.dirty).length;
  }

  /** Records one event (create, or count it in its series). */
  async record(ev: KubeEventInput): Promise<void> {
    const now = this.opts.clock.now();
    const note = truncateUtf8(ev.note, NOTE_LIMIT_BYTES);
    const key = [refKey(ev.regarding), refKey(ev.related), ev.type, ev.reason, ev.action, note].join('\u0000');
    if (!this.spam.allow(key, now)) {
      this.opts.log.debug?.('event dropped by the spam filter', { reason: ev.reason, regarding: ev.regarding });
      return;
    }
    const existing = this.series.get(key);
    if (existing && now - existing.lastObservedMs <= this.finishMs()) {
      existing.count += 1;
      existing.lastObservedMs = now;
      existing.dirty = true;
      this.series.delete(key);
      this.series.set(key, existing);
      if (existing.count === 2) await this.writeSeries(existing);
      return;
    }
    if (existing) {
      this.series.delete(key);
      if (existing.dirty) await this.writeSeries(existing);
    }
    const input = { ...ev, note };
    const body = this.build(input);
    await this.opts.client.create(body, { fieldManager: this.opts.reportingController });
    this.series.set(key, { input, name: body.metadata.name!, namespace: body.metadata.namespace!, count: 1, lastObservedMs: now, dirty: false });
    await this.evict();
  }

  /** Writes the counts of every series with unwritten repeats, and forgets finished series. */
  async flush(): Promise<void> {
    const now = this.opts.clock.now();
    for (const [key, s] of [...this.series]) {
      if (s.dirty) await this.writeSeries(s);
      if (now - s.lastObservedMs > this.finishMs()) this.series.delete(key);
    }
  }

  private finishMs(): number {
    return this.opts.seriesFinishMs ?? 360_000;
  }

  private async evict(): Promise<void> {
    const max = this.opts.maxSeries ?? 4096;
    while (this.series.size > max) {
      const [key, s] = this.series.entries().next().value as [string, Series];
      this.series.delete(key);
      if (s.dirty) await this.writeSeries(s);
    }
  }

  private async writeSeries(s: Series): Promise<void> {
    s.dirty = false;
    const series = { count: s.count, lastObservedTime: microTime(s.lastObservedMs) };
    const ref = { apiVersion: 'events.k8s.io/v1', kind: 'Event', name: s.name, namespace: s.namespace };
    try {
      await this.opts.client.patch(ref, { series }, { type: 'merge', fieldManager: this.opts.reportingController });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      const body = this.build(s.input);
      s.name = body.metadata.name!;
      await this.opts.client.create({ ...body, series }, { fieldManager: this.opts.reportingController });
    }
  }

  private build(e: KubeEventInput): KubeObject {
    const nanos = BigInt(Math.floor(e.at)) * 1_000_000n + BigInt(this.seq++ % 1_000_000);
    const metadata: KubeObject['metadata'] = {
      name: `${e.regarding.name ?? 'event'}.${nanos.toString(16)}`,
      namespace: e.regarding.namespace || 'default',
    };
    if (e.annotations && Object.keys(e.annotations).length > 0) metadata.annotations = { ...e.annotations };
    const body: KubeObject = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata,
      eventTime: microTime(e.at),
      reportingController: this.opts.reportingController,
      reportingInstance: truncateUtf8(this.opts.reportingInstance, FIELD_LIMIT, ''),
      action: truncateUtf8(e.action, FIELD_LIMIT, ''),
      reason: truncateUtf8(e.reason, FIELD_LIMIT, ''),
      regarding: e.regarding,
      note: e.note,
      type: e.type,
    };
    if (e.related) body['related'] = e.related;
    return body;
  }
}
