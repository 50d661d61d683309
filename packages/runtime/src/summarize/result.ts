// SPDX-License-Identifier: Apache-2.0
/**
 * Reconcile results as source-controller abstracts them (`internal/reconcile/reconcile.go`): each
 * sub-step returns a {@link StepResult}; a {@link ResultBuilder} turns the final one and the error
 * into the queue's {@link Result}; {@link computeReconcileResult} adjusts Reconciling/Stalled to
 * match and says whether the generation counts as observed.
 */
import type { Clock } from '../clock/index.ts';
import { get, isReconciling, list } from '../conditions/getter.ts';
import { markStalled, remove, set } from '../conditions/setter.ts';
import { ConditionType, Reason, type ObjectWithConditions } from '../conditions/types.ts';
import { ReconcileError, type Result, type WaitingError } from '../reconcile/contract.ts';

/** A sub-step's outcome: stop without requeue, requeue at once, or success (requeue at the interval). */
export type StepResult = 'empty' | 'requeue' | 'success';

/** Turns a final step result and error into the queue's result. */
export interface ResultBuilder {
  build(result: StepResult, error: unknown): Result;
  /** Whether `result` is what a successful reconcile returns. */
  isSuccess(result: Result): boolean;
}

/** The error's intent, or `'none'` when there is no error, `'generic'` for untyped errors. */
export function intentOf(error: unknown): 'none' | 'stalling' | 'waiting' | 'transient' | 'generic' {
  if (error === undefined || error === null) return 'none';
  return ReconcileError.is(error) ? error.intent : 'generic';
}

/**
 * The builder for reconcilers that requeue at a fixed interval on success (every Flux kind):
 * success → interval; waiting error → its delay (or the interval when 0); requeue → `{ requeue: true }`
 * (rate-limited, as controller-runtime's `Requeue`); anything else → no requeue (an error then drives
 * the queue's backoff).
 */
export function alwaysRequeueResultBuilder(intervalMs: number): ResultBuilder {
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
    isSuccess: (result) => result.requeueAfterMs === intervalMs && result.requeue !== true,
  };
}

/**
 * The builder for reconcilers whose success is "run again after `successMs`", where `0` means
 * "only when something changes" (ImageRepository's next scan, ImagePolicy's digest refresh):
 * success → `successMs` (or no requeue when 0); waiting error → its delay (or no requeue when 0,
 * unlike {@link alwaysRequeueResultBuilder}); requeue → `{ requeue: true }`; anything else → no
 * requeue (an error then drives the queue's backoff).
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

/** The step result with the soonest requeue: requeue < success < empty. */
export function lowestRequeuingResult(a: StepResult, b: StepResult): StepResult {
  if (a === 'empty') return b;
  if (b === 'empty') return a;
  if (a === 'requeue') return a;
  return b;
}

/** What {@link computeReconcileResult} decided. */
export interface ComputedResult {
  result: Result;
  /** The error to hand to the queue; waiting and (empty-result) stalling errors are consumed. */
  error: unknown;
  /** Whether `status.observedGeneration` should be set to the generation. */
  observedGeneration: boolean;
}

/**
 * Adjusts Reconciling and Stalled for the outcome, as Flux's `ComputeReconcileResult`:
 * success deletes Reconciling; a remaining Reconciling gets reason ProgressingWithRetry; a
 * stalling error with an empty result marks Stalled and is consumed; a waiting error is consumed;
 * every other outcome deletes Stalled. The generation counts as observed on stall and on error-free
 * non-requeue results, and only if the object has conditions.
 */
export function computeReconcileResult(
  obj: ObjectWithConditions,
  result: StepResult,
  error: unknown,
  builder: ResultBuilder,
  clock?: Clock,
): ComputedResult {
  const built = builder.build(result, error);
  const intent = intentOf(error);
  if (intent === 'none' && result === 'success') remove(obj, ConditionType.Reconciling);
  if (isReconciling(obj)) {
    const rc = get(obj, ConditionType.Reconciling)!;
    set(obj, { ...rc, reason: Reason.ProgressingWithRetry }, clock);
  }
  const observed = (): boolean => list(obj).length > 0;
  switch (intent) {
    case 'stalling':
      if (result === 'empty') {
        const err = error as ReconcileError;
        markStalled(obj, err.reason || Reason.Failed, err.message, clock);
        return { result: built, error: undefined, observedGeneration: observed() };
      }
      return { result: built, error, observedGeneration: false };
    case 'waiting':
      remove(obj, ConditionType.Stalled);
      return { result: built, error: undefined, observedGeneration: false };
    case 'none':
      remove(obj, ConditionType.Stalled);
      return { result: built, error: undefined, observedGeneration: result !== 'requeue' && observed() };
    default:
      remove(obj, ConditionType.Stalled);
      return { result: built, error, observedGeneration: false };
  }
}
