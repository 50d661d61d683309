// SPDX-License-Identifier: Apache-2.0
/**
 * The start of a run, as Flux's reconcilers spell it: `ProgressiveStatus` (Reconciling=True, and
 * Ready=Unknown when it has nothing better to say) and the checkpoint patch that makes the run
 * visible before slow work starts, plus the conditions of kinds whose steps set Ready themselves.
 */
import type { Clock } from '../clock/index.ts';
import type { KubeObject } from '../client/types.ts';
import { has, isUnknown } from '../conditions/getter.ts';
import { markReconciling, markUnknown } from '../conditions/setter.ts';
import { ConditionType, Reason, ReconcileRequestAnnotation, type ObjectWithConditions } from '../conditions/types.ts';
import type { SerialPatcher } from '../patch/serial-patcher.ts';
import type { ConditionsSpec } from './summarize.ts';

/**
 * The conditions of a kind that owns only `Ready`, `Reconciling` and `Stalled` and whose steps set
 * Ready themselves (True with the kind's message, or False with the failure's reason), as the image
 * kinds do: the summary lists no condition to derive Ready from, so `summarizeAndPatch` only
 * settles Reconciling/Stalled for the outcome, records the handled request and the generation.
 */
export const STEP_READY_CONDITIONS: ConditionsSpec = {
  target: ConditionType.Ready,
  owned: [ConditionType.Ready, ConditionType.Reconciling, ConditionType.Stalled],
  summarize: [],
  negativePolarity: [ConditionType.Stalled, ConditionType.Reconciling],
};

/**
 * Flux's `ProgressiveStatus`: marks Reconciling=True (`Progressing`) with `message`, and
 * Ready=Unknown with the same message when `negative` is set or Ready is absent or already Unknown
 * (a known Ready is otherwise kept until the run decides). Mutates `obj`; the caller patches.
 */
export function progressiveStatus(obj: ObjectWithConditions, negative: boolean, message: string, clock?: Clock): void {
  markReconciling(obj, Reason.Progressing, message, clock);
  if (negative || !has(obj, ConditionType.Ready) || isUnknown(obj, ConditionType.Ready)) {
    markUnknown(obj, ConditionType.Ready, Reason.Progressing, message, clock);
  }
}

/** Options of {@link beginRun}. */
export interface BeginRunOptions {
  /** The conditions the checkpoint patch owns (the kind's `ConditionsSpec.owned`). */
  ownedConditions: readonly string[];
  clock?: Clock;
}

/**
 * The start-of-run checkpoint of Flux's reconcilers: marks the run in progress
 * ("reconciliation in progress"), and patches at once when the object has a new generation
 * ("processing object: new generation 1 -> 2") or an unhandled `reconcile.fluxcd.io/requestedAt`,
 * so watchers see `Reconciling` before slow work starts. Otherwise nothing is sent until the end.
 */
export async function beginRun<T extends KubeObject & ObjectWithConditions>(
  patcher: SerialPatcher<T>,
  obj: T,
  opts: BeginRunOptions,
): Promise<void> {
  progressiveStatus(obj, false, 'reconciliation in progress', opts.clock);
  const observed = obj.status?.observedGeneration ?? -1;
  const generation = obj.metadata.generation ?? 0;
  const requested = obj.metadata.annotations?.[ReconcileRequestAnnotation];
  if (generation !== observed) {
    progressiveStatus(obj, false, `processing object: new generation ${observed} -> ${generation}`, opts.clock);
    await patcher.patch(obj, { ownedConditions: opts.ownedConditions });
  } else if (requested !== undefined && requested !== obj.status?.lastHandledReconcileAt) {
    await patcher.patch(obj, { ownedConditions: opts.ownedConditions });
  }
}
