// SPDX-License-Identifier: Apache-2.0
/**
 * Deriving Ready at the end of a reconcile, as source-controller's `summarize.SummarizeAndPatch`:
 *
 * 1. processors run (by default {@link recordReconcileRequest});
 * 2. with a result builder (the final patch), {@link computeReconcileResult} fixes Reconciling and
 *    Stalled for the outcome;
 * 3. each {@link ConditionsSpec} is summarised into its target (`Ready`) by priority: abnormal-true
 *    conditions first, in the spec's order;
 * 4. a False bi-polarity condition (e.g. `SourceVerified`) overrides Ready;
 * 5. a non-stalled "success" whose Ready is not True becomes an error (so the queue retries);
 * 6. {@link summarizeAndPatch} then patches, owning the specs' conditions.
 */
import type { Clock } from '../clock/index.ts';
import type { KubeObject } from '../client/types.ts';
import { get, getMessage, isFalse, isReady, isStalled } from '../conditions/getter.ts';
import { setSummary } from '../conditions/merge.ts';
import { markFalse } from '../conditions/setter.ts';
import { ReconcileRequestAnnotation, type ObjectWithConditions } from '../conditions/types.ts';
import type { SerialPatcher } from '../patch/serial-patcher.ts';
import type { Result } from '../reconcile/contract.ts';
import { computeReconcileResult, type ResultBuilder, type StepResult } from './result.ts';

/** One kind's conditions, as data (`summarize.Conditions` in source-controller). */
export interface ConditionsSpec {
  /** The derived condition, normally `Ready`. */
  target: string;
  /** Conditions this reconciler owns: they win patch conflicts. */
  owned: readonly string[];
  /** Conditions the target is derived from, in priority order. */
  summarize: readonly string[];
  /** The abnormal-true ones among `summarize`. */
  negativePolarity: readonly string[];
}

/** Runs before summarising; may change the object (e.g. record the handled reconcile request). */
export type ResultProcessor = (obj: ObjectWithConditions, result: StepResult | undefined, error: unknown) => void;

/** Options of {@link summarizeConditions}. */
export interface SummarizeOptions {
  /** The reconcile's error, if any. */
  reconcileError?: unknown;
  /** The lowest-requeuing step result. Ignored without `resultBuilder`. */
  result?: StepResult;
  /** Set for the final patch of a reconcile; omit for a mid-reconcile summary (conditions only). */
  resultBuilder?: ResultBuilder;
  /** Bi-polarity condition types in priority order; the first False one overrides Ready. @default [] */
  biPolarity?: readonly string[];
  /** @default [recordReconcileRequest] */
  processors?: readonly ResultProcessor[];
  clock?: Clock;
}

/** What {@link summarizeConditions} decided. */
export interface SummarizeOutcome {
  /** The queue's result (`{}` without a result builder). */
  result: Result;
  /** The error to return to the queue, or undefined. */
  error: unknown;
  /** Whether `status.observedGeneration` should be set. */
  observedGeneration: boolean;
  /** Union of the specs' owned conditions. */
  ownedConditions: string[];
}

/** Copies `reconcile.fluxcd.io/requestedAt` into `status.lastHandledReconcileAt` (a {@link ResultProcessor}). */
export const recordReconcileRequest: ResultProcessor = (obj) => {
  const v = obj.metadata.annotations?.[ReconcileRequestAnnotation];
  if (v === undefined) return;
  obj.status ??= {};
  obj.status.lastHandledReconcileAt = v;
};

/** Summarises the object's conditions (see the module doc). Mutates `obj`; does not patch. */
export function summarizeConditions(
  obj: ObjectWithConditions,
  specs: ConditionsSpec | readonly ConditionsSpec[],
  opts: SummarizeOptions = {},
): SummarizeOutcome {
  const list = Array.isArray(specs) ? (specs as readonly ConditionsSpec[]) : [specs as ConditionsSpec];
  for (const p of opts.processors ?? [recordReconcileRequest]) p(obj, opts.result, opts.reconcileError);
  let result: Result = {};
  let error: unknown = opts.reconcileError;
  let observedGeneration = false;
  if (opts.resultBuilder) {
    const computed = computeReconcileResult(obj, opts.result ?? 'empty', opts.reconcileError, opts.resultBuilder, opts.clock);
    ({ result, error, observedGeneration } = computed);
  }
  for (const s of list) {
    setSummary(obj, s.target, { conditions: s.summarize, negativePolarity: s.negativePolarity }, opts.clock);
  }
  const failed = (opts.biPolarity ?? []).find((t) => isFalse(obj, t));
  if (failed !== undefined) {
    const c = get(obj, failed)!;
    markFalse(obj, 'Ready', c.reason, c.message, opts.clock);
  }
  if (opts.resultBuilder && error === undefined && !isStalled(obj) && opts.resultBuilder.isSuccess(result) && !isReady(obj)) {
    error = new Error(getMessage(obj, 'Ready'));
  }
  return { result, error, observedGeneration, ownedConditions: [...new Set(list.flatMap((s) => s.owned))] };
}

/** Options of {@link summarizeAndPatch}. */
export interface SummarizeAndPatchOptions extends SummarizeOptions {
  /** Field owner of the patch, e.g. `gotk-source-controller`. @default the patcher's */
  fieldOwner?: string;
}

/**
 * Summarises, then patches through `patcher` with the specs' owned conditions (and the observed
 * generation when earned). Patch errors join the reconcile error; NotFound while deleting is
 * ignored by the patcher. Returns what the reconciler should return or throw.
 */
export async function summarizeAndPatch<T extends KubeObject & ObjectWithConditions>(
  patcher: SerialPatcher<T>,
  obj: T,
  specs: ConditionsSpec | readonly ConditionsSpec[],
  opts: SummarizeAndPatchOptions = {},
): Promise<{ result: Result; error: unknown }> {
  const outcome = summarizeConditions(obj, specs, opts);
  try {
    await patcher.patch(obj, {
      ownedConditions: outcome.ownedConditions,
      includeStatusObservedGeneration: outcome.observedGeneration,
      ...(opts.fieldOwner !== undefined ? { fieldOwner: opts.fieldOwner } : {}),
    });
  } catch (patchError) {
    const error =
      outcome.error === undefined
        ? patchError
        : new AggregateError([outcome.error, patchError], `${String(outcome.error)}; ${String(patchError)}`);
    return { result: outcome.result, error };
  }
  return { result: outcome.result, error: outcome.error };
}
