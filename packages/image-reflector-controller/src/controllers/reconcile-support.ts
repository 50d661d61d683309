// SPDX-License-Identifier: Apache-2.0
/**
 * What the ImageRepository and ImagePolicy reconcilers share: their conditions as data, Flux's
 * `ProgressiveStatus`, the result builder whose success is "requeue after the next-run delay",
 * the start-of-run checkpoint patch, and Flux's `notify` (events on readiness changes).
 *
 * Both kinds own `Ready`, `Reconciling` and `Stalled` only. Ready is set by the steps themselves
 * (Succeeded with the kind's message, or False with the failure's reason), so the summary lists
 * no condition to derive it from: `summarizeAndPatch` then only settles Reconciling/Stalled for
 * the outcome, records the handled reconcile request and the observed generation, and patches.
 */
import type { ConditionSetters, ObjectWithConditions } from '@eddy/runtime/conditions';
import { get, has, isReady, isUnknown } from '@eddy/runtime/conditions';
import type { EventRecorder } from '@eddy/runtime/events';
import { parseDuration } from '@eddy/runtime/flags';
import type { KubeObject } from '@eddy/runtime/client';
import type { SerialPatcher } from '@eddy/runtime/patch';
import type { ConditionsSpec, ResultBuilder } from '@eddy/runtime/summarize';
import { intentOf } from '@eddy/runtime/summarize';
import type { WaitingError } from '@eddy/runtime/reconcile';

/** `reconcile.fluxcd.io/requestedAt`. */
export const REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';

/** Negative-polarity conditions of the image kinds (for the conformance checker). */
export const IMAGE_NEGATIVE_POLARITY: readonly string[] = ['Stalled', 'Reconciling'];

/** The conditions the image reflector reconcilers own; Ready is set by the steps. */
export const IMAGE_READY_CONDITIONS: ConditionsSpec = {
  target: 'Ready',
  owned: ['Ready', 'Reconciling', 'Stalled'],
  summarize: [],
  negativePolarity: IMAGE_NEGATIVE_POLARITY,
};

/** An image object as the reconcilers handle it: any kind with conditions. */
export type ImageObject = KubeObject & ObjectWithConditions & { status: NonNullable<ObjectWithConditions['status']> };

/**
 * Flux's `ProgressiveStatus`: Reconciling=True with `message`; Ready=Unknown too when `drift` is
 * set, Ready is absent, or Ready is already Unknown.
 */
export function progressive(c: ConditionSetters, obj: ObjectWithConditions, drift: boolean, message: string): void {
  c.markReconciling(obj, 'Progressing', message);
  if (drift || !has(obj, 'Ready') || isUnknown(obj, 'Ready')) c.markUnknown(obj, 'Ready', 'Progressing', message);
}

/**
 * Marks the run as in progress and persists it when the object has a new generation or a new
 * reconcile request, so watchers see `Reconciling` before slow work starts.
 */
export async function beginRun<T extends ImageObject>(c: ConditionSetters, obj: T, patcher: SerialPatcher<T>): Promise<void> {
  progressive(c, obj, false, 'reconciliation in progress');
  const observed = obj.status.observedGeneration ?? -1;
  const generation = obj.metadata.generation ?? 0;
  const requested = obj.metadata.annotations?.[REQUESTED_AT];
  if (generation !== observed) {
    progressive(c, obj, false, `processing object: new generation ${observed} -> ${generation}`);
    await patcher.patch(obj, { ownedConditions: IMAGE_READY_CONDITIONS.owned });
  } else if (requested !== undefined && requested !== obj.status.lastHandledReconcileAt) {
    await patcher.patch(obj, { ownedConditions: IMAGE_READY_CONDITIONS.owned });
  }
}

/**
 * The result builder of a reconciler whose success is "run again after `successMs`" (`0`: only
 * when something changes): waiting errors requeue after their delay, `requeue` requeues at once.
 */
export function nextRunResultBuilder(successMs: number): ResultBuilder {
  return {
    build(result, error) {
      if (intentOf(error) === 'waiting') {
        const after = (error as WaitingError).requeueAfterMs;
        return after > 0 ? { requeueAfterMs: after } : {};
      }
      if (result === 'requeue') return { requeue: true };
      if (result === 'success') return successMs > 0 ? { requeueAfterMs: successMs } : {};
      return {};
    },
    isSuccess: (r) => r.requeue !== true && (successMs > 0 ? r.requeueAfterMs === successMs : r.requeueAfterMs === undefined),
  };
}

/** Parses a Go duration, or returns `fallback` when absent or invalid. */
export function durationMs(value: unknown, fallback: number): number {
  if (typeof value !== 'string' || value === '') return fallback;
  try {
    return parseDuration(value);
  } catch {
    return fallback;
  }
}

/** Formats milliseconds like Go's `time.Duration.String()` (`5m0s`, `1h0m0s`, `1.5s`). */
export function goDuration(ms: number): string {
  if (ms <= 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const sec = `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  return sec;
}

/**
 * Flux's `notify`: Normal on becoming ready or on a changed Ready message, Warning while not
 * ready, otherwise a Trace with `traceMessage`. `annotations` carry the revision.
 */
export function notifyReadiness(
  events: EventRecorder | undefined,
  before: ObjectWithConditions,
  after: ImageObject,
  traceMessage: string,
  annotations: Record<string, string> = {},
): void {
  const ready = get(after, 'Ready');
  if (!events || !ready) return;
  const opts = Object.keys(annotations).length > 0 ? { annotations } : {};
  const wasReady = isReady(before);
  if (isReady(after)) {
    if (!wasReady || get(before, 'Ready')?.message !== ready.message) events.event(after, 'Normal', ready.reason, ready.message, opts);
    else events.event(after, 'Trace', 'Succeeded', traceMessage, opts);
    return;
  }
  events.event(after, 'Warning', ready.reason, ready.message, opts);
}
