// SPDX-License-Identifier: Apache-2.0
/**
 * Reconcile plumbing of the ImageUpdateAutomation reconciler: its conditions as data, Flux's
 * `ProgressiveStatus`, the start-of-run checkpoint patch and the result builder.
 *
 * The kind owns `Ready`, `Reconciling` and `Stalled` only. Ready is set by the steps (Succeeded
 * "repository up-to-date", or False with the failure's reason), so the summary lists no condition
 * to derive it from: `summarizeAndPatch` settles Reconciling/Stalled for the outcome, records the
 * handled reconcile request and the observed generation, and patches once.
 */
import type { KubeObject } from '@eddy/runtime/client';
import type { ConditionSetters, ObjectWithConditions } from '@eddy/runtime/conditions';
import { has, isUnknown } from '@eddy/runtime/conditions';
import { parseDuration } from '@eddy/runtime/flags';
import type { SerialPatcher } from '@eddy/runtime/patch';
import type { WaitingError } from '@eddy/runtime/reconcile';
import type { ConditionsSpec, ResultBuilder } from '@eddy/runtime/summarize';
import { intentOf } from '@eddy/runtime/summarize';

/** `reconcile.fluxcd.io/requestedAt`. */
export const REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';

/** Negative-polarity conditions of ImageUpdateAutomation (for the conformance checker). */
export const AUTOMATION_NEGATIVE_POLARITY: readonly string[] = ['Stalled', 'Reconciling'];

/** The conditions the reconciler owns; Ready is set by the steps. */
export const AUTOMATION_READY_CONDITIONS: ConditionsSpec = {
  target: 'Ready',
  owned: ['Ready', 'Reconciling', 'Stalled'],
  summarize: [],
  negativePolarity: AUTOMATION_NEGATIVE_POLARITY,
};

/** Flux's Ready message after a successful run, with or without a push. */
export const READY_MESSAGE = 'repository up-to-date';

/** An object with conditions and a status. */
export type ConditionedObject = KubeObject & ObjectWithConditions & { status: NonNullable<ObjectWithConditions['status']> };

/** Flux's `ProgressiveStatus`: Reconciling=True, and Ready=Unknown when `drift`, absent or Unknown. */
export function progressive(c: ConditionSetters, obj: ObjectWithConditions, drift: boolean, message: string): void {
  c.markReconciling(obj, 'Progressing', message);
  if (drift || !has(obj, 'Ready') || isUnknown(obj, 'Ready')) c.markUnknown(obj, 'Ready', 'Progressing', message);
}

/** Marks the run in progress; persists it for a new generation or a new reconcile request. */
export async function beginRun<T extends ConditionedObject>(c: ConditionSetters, obj: T, patcher: SerialPatcher<T>): Promise<void> {
  progressive(c, obj, false, 'reconciliation in progress');
  const observed = obj.status.observedGeneration ?? -1;
  const generation = obj.metadata.generation ?? 0;
  const requested = obj.metadata.annotations?.[REQUESTED_AT];
  if (generation !== observed) {
    progressive(c, obj, false, `processing object: new generation ${observed} -> ${generation}`);
    await patcher.patch(obj, { ownedConditions: AUTOMATION_READY_CONDITIONS.owned });
  } else if (requested !== undefined && requested !== obj.status.lastHandledReconcileAt) {
    await patcher.patch(obj, { ownedConditions: AUTOMATION_READY_CONDITIONS.owned });
  }
}

/** Success requeues after `intervalMs`; waits after their delay; `requeue` at once. */
export function intervalResultBuilder(intervalMs: number): ResultBuilder {
  return {
    build(result, error) {
      if (intentOf(error) === 'waiting') {
        const after = (error as WaitingError).requeueAfterMs;
        return { requeueAfterMs: after > 0 ? after : intervalMs };
      }
      if (result === 'requeue') return { requeue: true };
      if (result === 'success') return { requeueAfterMs: intervalMs };
      return {};
    },
    isSuccess: (r) => r.requeue !== true && r.requeueAfterMs === intervalMs,
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

/** Formats epoch milliseconds like `metav1.Time` (RFC 3339, seconds, UTC). */
export function metaTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
