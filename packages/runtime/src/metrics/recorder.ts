// SPDX-License-Identifier: Apache-2.0
/**
 * Flux's per-object metrics (fluxcd/pkg `runtime/metrics`), under the names Flux dashboards and
 * alerts use:
 * - `gotk_reconcile_duration_seconds{kind,name,namespace}` (histogram);
 * - `gotk_reconcile_condition{kind,name,namespace,type,status}`: 1 for the object's current
 *   status of a condition type, 0 for the other statuses (`True`, `False`, `Unknown`, `Deleted`);
 * - `gotk_suspend_status{kind,name,namespace}`: 1 when `spec.suspend` is true.
 * {@link MetricsRecorder.deleteFor} drops every series of an object once it is gone.
 */
import { Gauge, Histogram, type Registry } from 'prom-client';
import { exponentialBuckets } from '../queue/metrics.ts';

/** The object a series belongs to. */
export interface MetricsObjectRef {
  kind: string;
  name: string;
  namespace?: string;
  metadata?: never;
}

/** Anything with `kind` and `metadata.{name,namespace}`, e.g. a KubeObject. */
export type MetricsSubject = MetricsObjectRef | { kind: string; metadata: { name?: string; namespace?: string } };

/** A condition as far as metrics care. */
export interface ConditionLike {
  type: string;
  status: string;
}

/** The statuses `gotk_reconcile_condition` reports for each type. */
export const CONDITION_STATUSES = ['True', 'False', 'Unknown', 'Deleted'] as const;

type Labels = Record<'kind' | 'name' | 'namespace', string>;

function labelsOf(s: MetricsSubject): Labels {
  if ('metadata' in s && s.metadata) return { kind: s.kind, name: s.metadata.name ?? '', namespace: s.metadata.namespace ?? '' };
  const r = s as MetricsObjectRef;
  return { kind: r.kind, name: r.name, namespace: r.namespace ?? '' };
}

const metricsByRegistry = new WeakMap<Registry, { duration: Histogram; condition: Gauge; suspend: Gauge }>();

/** Records Flux's per-object metrics into a registry. */
export class MetricsRecorder {
  private readonly duration: Histogram;
  private readonly condition: Gauge;
  private readonly suspend: Gauge;
  /** object key → condition types recorded, so deleteFor can remove them. */
  private readonly conditionTypes = new Map<string, Set<string>>();

  constructor(registry: Registry) {
    let m = metricsByRegistry.get(registry);
    if (!m) {
      const registers = [registry];
      m = {
        duration: new Histogram({
          name: 'gotk_reconcile_duration_seconds',
          help: 'The duration in seconds of a GitOps Toolkit resource reconciliation.',
          labelNames: ['kind', 'name', 'namespace'],
          buckets: exponentialBuckets(10e-3, 10, 6),
          registers,
        }),
        condition: new Gauge({
          name: 'gotk_reconcile_condition',
          help: 'The current condition status of a GitOps Toolkit resource reconciliation.',
          labelNames: ['kind', 'name', 'namespace', 'type', 'status'],
          registers,
        }),
        suspend: new Gauge({
          name: 'gotk_suspend_status',
          help: 'The current suspend status of a GitOps Toolkit resource.',
          labelNames: ['kind', 'name', 'namespace'],
          registers,
        }),
      };
      metricsByRegistry.set(registry, m);
    }
    this.duration = m.duration;
    this.condition = m.condition;
    this.suspend = m.suspend;
  }

  /** Observes the time since `startMs` (epoch ms) as one reconcile of the object. */
  recordDuration(obj: MetricsSubject, startMs: number, nowMs: number): void {
    this.duration.observe(labelsOf(obj), Math.max(0, nowMs - startMs) / 1000);
  }

  /**
   * Sets the condition series of the object: 1 for `condition.status`, 0 for the other statuses.
   * With `deleted`, only the `Deleted` status is 1.
   */
  recordCondition(obj: MetricsSubject, condition: ConditionLike, deleted = false): void {
    const l = labelsOf(obj);
    const key = JSON.stringify([l.kind, l.namespace, l.name]);
    let types = this.conditionTypes.get(key);
    if (!types) this.conditionTypes.set(key, (types = new Set()));
    types.add(condition.type);
    for (const status of CONDITION_STATUSES) {
      const on = deleted ? status === 'Deleted' : status === condition.status;
      this.condition.set({ ...l, type: condition.type, status }, on ? 1 : 0);
    }
  }

  /** Sets `gotk_suspend_status` to 1 or 0. */
  recordSuspend(obj: MetricsSubject, suspended: boolean): void {
    this.suspend.set(labelsOf(obj), suspended ? 1 : 0);
  }

  /** Removes every series of the object (call when it is deleted). */
  deleteFor(obj: MetricsSubject): void {
    const l = labelsOf(obj);
    const key = JSON.stringify([l.kind, l.namespace, l.name]);
    for (const type of this.conditionTypes.get(key) ?? []) {
      for (const status of CONDITION_STATUSES) this.condition.remove({ ...l, type, status });
    }
    this.conditionTypes.delete(key);
    this.suspend.remove(l);
    this.duration.remove(l);
  }
}
