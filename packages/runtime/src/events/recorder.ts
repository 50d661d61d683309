// SPDX-License-Identifier: Apache-2.0
/**
 * The event recorder, with the behaviour of `fluxcd/pkg/runtime/events` `Recorder`: every event
 * becomes a Kubernetes Event (`events.k8s.io/v1`, deduplicated into series and rate-limited, see
 * {@link KubeEventSink}); Normal and Warning events are also POSTed in Flux's event format to the
 * `--events-addr` webhook when one is configured. Trace events stay in Kubernetes (as Normal).
 * Object annotations under `event.toolkit.fluxcd.io/` are added to the event metadata.
 *
 * Recording is fire-and-forget: {@link EventRecorder.event} only enqueues (bounded, dropping when
 * full) and returns; failures are logged and never reach the reconcile.
 */
import { hostname } from 'node:os';
import { realClock, type Clock, type Timer } from '../clock/index.ts';
import type { KubeClient } from '../client/types.ts';
import { formatTime } from '../conditions/setter.ts';
import { KubeEventSink, type KubeEventInput } from './kube-sink.ts';
import {
  EVENT_GROUP,
  referenceOf,
  severityOf,
  type EventLogger,
  type EventOptions,
  type EventSubject,
  type EventType,
  type FluxEvent,
  type ObjectReference,
} from './types.ts';
import { WebhookForwarder } from './webhook.ts';
import { BoundedWorkQueue } from './work-queue.ts';

/** Options of {@link EventRecorder}. */
export interface EventRecorderOptions {
  /** Name of the controller, e.g. `source-controller`. */
  reportingController: string;
  /** Writes Kubernetes Events; omit for a webhook-only recorder. */
  client?: KubeClient;
  /** The `--events-addr` URL; omit to not forward. */
  webhook?: string;
  /** The pod's host name. @default os.hostname() */
  hostname?: string;
  /** @default realClock */
  clock?: Clock;
  /** @default console */
  log?: EventLogger;
  /** Injected for tests. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Events held per queue (Kubernetes, webhook) before new ones are dropped. @default 1000 */
  maxQueued?: number;
  /** Spam filter burst per object and message. @default 25 */
  spamBurst?: number;
  /** Spam filter refill period. @default 300000 */
  spamRefillMs?: number;
  /** A series ends after this long without repeats. @default 360000 */
  seriesFinishMs?: number;
  /** Coalesced series counts are written at most this often. @default 30000 */
  seriesFlushMs?: number;
  /** Webhook attempt timeout. @default 5000 */
  webhookTimeoutMs?: number;
  /** Webhook retries. @default 4 */
  webhookRetries?: number;
}

type KubeTask = { kind: 'event'; event: KubeEventInput } | { kind: 'flush' };

interface Captured {
  regarding: ObjectReference;
  type: EventType;
  reason: string;
  message: string;
  opts: EventOptions;
  annotations: Record<string, string>;
  at: number;
}

const consoleLog: EventLogger = {
  error: (message, meta) => console.error(message, meta ?? ''),
};

/** Records events for one controller. */
export class EventRecorder {
  private readonly clock: Clock;
  private readonly log: EventLogger;
  private readonly sink: KubeEventSink | undefined;
  private readonly webhook: WebhookForwarder | undefined;
  private readonly kubeQueue: BoundedWorkQueue<KubeTask>;
  private readonly webhookQueue: BoundedWorkQueue<FluxEvent>;
  private readonly host: string;
  private flushTimer: Timer | undefined;
  private stopped = false;

  constructor(private readonly opts: EventRecorderOptions) {
    this.clock = opts.clock ?? realClock;
    this.log = opts.log ?? consoleLog;
    this.host = opts.hostname ?? hostname();
    const max = opts.maxQueued ?? 1000;
    if (opts.client) {
      this.sink = new KubeEventSink({
        client: opts.client,
        clock: this.clock,
        log: this.log,
        reportingController: opts.reportingController,
        reportingInstance: `${opts.reportingController}-${this.host}`,
        ...(opts.spamBurst !== undefined ? { burst: opts.spamBurst } : {}),
        ...(opts.spamRefillMs !== undefined ? { refillMs: opts.spamRefillMs } : {}),
        ...(opts.seriesFinishMs !== undefined ? { seriesFinishMs: opts.seriesFinishMs } : {}),
      });
    }
    if (opts.webhook) {
      if (!URL.canParse(opts.webhook)) throw new TypeError(`invalid events address ${JSON.stringify(opts.webhook)}`);
      this.webhook = new WebhookForwarder({
        address: opts.webhook,
        clock: this.clock,
        log: this.log,
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
        ...(opts.webhookTimeoutMs !== undefined ? { timeoutMs: opts.webhookTimeoutMs } : {}),
        ...(opts.webhookRetries !== undefined ? { retryMax: opts.webhookRetries } : {}),
      });
    }
    this.kubeQueue = new BoundedWorkQueue(max, (t) => this.runKube(t), (err) =>
      this.log.error('unable to write Kubernetes event', { error: err instanceof Error ? err.message : String(err) }),
    );
    this.webhookQueue = new BoundedWorkQueue(max, async (e) => {
      await this.webhook?.post(e);
    }, (err) =>
      this.log.error('unable to record event', { error: String(err) }),
    );
  }

  /** Records an event about `obj`. Never throws, never blocks. */
  event(obj: EventSubject, type: EventType, reason: string, message: string, opts: EventOptions = {}): void {
    if (this.stopped) return;
    const at = this.clock.now();
    const annotations = { ...opts.annotations };
    for (const [k, v] of Object.entries(obj.metadata.annotations ?? {})) if (k.startsWith(`${EVENT_GROUP}/`)) annotations[k] = v;
    const regarding = referenceOf(obj);
    if (this.sink) this.enqueueKube({ regarding, type, reason, message, opts, annotations, at });
    if (this.webhook && type !== 'Trace') this.enqueueWebhook({ regarding, type, reason, message, opts, annotations, at });
  }

  private enqueueKube(e: Captured): void {
    const event: KubeEventInput = {
      regarding: e.regarding,
      type: e.type === 'Warning' ? 'Warning' : 'Normal',
      reason: e.reason,
      action: e.opts.action || e.reason,
      note: e.message,
      annotations: e.annotations,
      at: e.at,
      ...(e.opts.related ? { related: e.opts.related } : {}),
    };
    if (!this.kubeQueue.push({ kind: 'event', event })) {
      this.log.error('event queue full, dropping Kubernetes event', { reason: e.reason, regarding: e.regarding });
    }
  }

  private enqueueWebhook(e: Captured): void {
    if (!e.regarding.namespace || !e.regarding.name) {
      this.log.error('unable to record event', { error: 'failed to get object namespace or name', reason: e.reason, regarding: e.regarding });
      return;
    }
    const flux: FluxEvent = {
      involvedObject: e.regarding,
      severity: severityOf(e.type),
      timestamp: formatTime(e.at),
      message: e.message,
      reason: e.reason,
      ...(Object.keys(e.annotations).length > 0 ? { metadata: e.annotations } : {}),
      reportingController: this.opts.reportingController,
      reportingInstance: this.host,
    };
    if (!this.webhookQueue.push(flux)) this.log.error('event queue full, dropping webhook event', { reason: e.reason, regarding: e.regarding });
  }

  /** Records a Normal event. */
  normal(obj: EventSubject, reason: string, message: string, opts?: EventOptions): void {
    this.event(obj, 'Normal', reason, message, opts);
  }

  /** Records a Warning event (severity `error` on the webhook). */
  warning(obj: EventSubject, reason: string, message: string, opts?: EventOptions): void {
    this.event(obj, 'Warning', reason, message, opts);
  }

  /** Flux's `AnnotatedEventf` shape: metadata first. */
  annotatedEvent(obj: EventSubject, annotations: Record<string, string>, type: EventType, reason: string, message: string): void {
    this.event(obj, type, reason, message, { annotations });
  }

  /** Resolves when both queues are empty (for tests and shutdown). */
  async idle(): Promise<void> {
    await Promise.all([this.kubeQueue.idle(), this.webhookQueue.idle()]);
  }

  /** Stops accepting events, writes pending series counts and waits for the queues. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.flushTimer?.cancel();
    this.flushTimer = undefined;
    if (this.sink) this.kubeQueue.push({ kind: 'flush' });
    await this.idle();
  }

  private async runKube(task: KubeTask): Promise<void> {
    if (!this.sink) return;
    if (task.kind === 'flush') {
      await this.sink.flush();
    } else {
      await this.sink.record(task.event);
    }
    if (this.sink.pendingSeries > 0 && this.flushTimer === undefined && !this.stopped) {
      this.flushTimer = this.clock.setTimer(this.opts.seriesFlushMs ?? 30_000, () => {
        this.flushTimer = undefined;
        this.kubeQueue.push({ kind: 'flush' });
      });
    }
  }
}
