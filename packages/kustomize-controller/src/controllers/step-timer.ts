// SPDX-License-Identifier: Apache-2.0
/**
 * Where the time of one reconcile goes: wall time per step (reading the object and its source,
 * status patches, artifact fetch, build, apply, prune, health checks), summed when a step runs
 * more than once. The reconciler logs the totals at debug level as `reconcile steps`, with one
 * `<step>Ms` field per step, so a benchmark (or an operator) can tell the apiserver's share from
 * kustomize's and the artifact server's without a profiler.
 */
import type { Clock } from '@eddy/runtime/clock';

/** The steps {@link StepTimer} tells apart. */
export type ReconcileStep = 'get' | 'source' | 'patch' | 'fetch' | 'build' | 'apply' | 'prune' | 'health';

/** Sums wall time per {@link ReconcileStep}. */
export class StepTimer {
  private readonly totals = new Map<ReconcileStep, number>();
  private readonly start: number;

  constructor(private readonly clock: Pick<Clock, 'now'>) {
    this.start = clock.now();
  }

  /** Runs `fn`, adding its wall time (also when it throws) to `step`. */
  async time<T>(step: ReconcileStep, fn: () => Promise<T>): Promise<T> {
    const t0 = this.clock.now();
    try {
      return await fn();
    } finally {
      this.add(step, this.clock.now() - t0);
    }
  }

  /** Adds `ms` to `step`. */
  add(step: ReconcileStep, ms: number): void {
    this.totals.set(step, (this.totals.get(step) ?? 0) + ms);
  }

  /** Milliseconds spent in `step` so far. */
  get(step: ReconcileStep): number {
    return this.totals.get(step) ?? 0;
  }

  /** The log fields: `<step>Ms` for every step that ran, and `totalMs` since construction. */
  fields(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [step, ms] of this.totals) out[`${step}Ms`] = Math.round(ms);
    out.totalMs = Math.round(this.clock.now() - this.start);
    return out;
  }
}
