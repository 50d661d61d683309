// SPDX-License-Identifier: Apache-2.0
/**
 * Summarising many conditions into one target condition (`Ready`), with the semantics of
 * `fluxcd/pkg/runtime/conditions` `SetSummary`/`merge`:
 *
 * 1. The conditions in scope (all but the target, or only `conditions` when given) are grouped by
 *    status and polarity (and observedGeneration with `latestGeneration`, keeping only the groups of
 *    the highest generation).
 * 2. Groups are ranked: True+negative, False+positive, True+positive, False+negative, Unknown.
 * 3. The top group decides the target status, inverted when its polarity differs from the target's.
 * 4. Reason and message come from the first condition of the top group in `conditions` order (or the
 *    first by the setter's sort order); with `stepCounter` the message is "x of y completed".
 *
 * With no condition in scope no summary is produced and the target is left as it is.
 */
import type { Clock } from '../clock/index.ts';
import { compareConditions, set, type ConditionInput } from './setter.ts';
import type { Condition, ConditionStatus, ObjectWithConditions } from './types.ts';

/** How to summarise. */
export interface SummaryOptions {
  /** Types in scope, in priority order for picking the reason and message. @default every type but the target */
  conditions?: readonly string[];
  /** Abnormal-true types (e.g. `Stalled`, `Reconciling`, `FetchFailed`). @default [] */
  negativePolarity?: readonly string[];
  /** Replace the message with "x of y completed". @default false */
  stepCounter?: boolean;
  /** Keep the step counter only while every in-scope condition is one of these types. */
  stepCounterIfOnly?: readonly string[];
  /** Consider only the conditions of the highest observedGeneration. @default false */
  latestGeneration?: boolean;
}

interface Group {
  status: ConditionStatus;
  negative: boolean;
  generation: number;
  conditions: Condition[];
}

function priority(g: Group): number {
  if (g.status === 'True') return g.negative ? 0 : 2;
  if (g.status === 'False') return g.negative ? 3 : 1;
  return g.status === 'Unknown' ? 4 : 99;
}

function groupConditions(inScope: readonly Condition[], opts: SummaryOptions): Group[] {
  const negative = new Set(opts.negativePolarity ?? []);
  let groups: Group[] = [];
  for (const c of inScope) {
    const neg = negative.has(c.type);
    const gen = c.observedGeneration ?? 0;
    const g = groups.find(
      (x) => x.status === c.status && x.negative === neg && (!opts.latestGeneration || x.generation === gen),
    );
    if (g) g.conditions.push(c);
    else groups.push({ status: c.status, negative: neg, generation: gen, conditions: [c] });
  }
  if (opts.latestGeneration && groups.length > 0) {
    const latest = Math.max(...groups.map((g) => g.generation));
    groups = groups.filter((g) => g.generation === latest);
  }
  groups.sort((a, b) => priority(a) - priority(b));
  groups[0]?.conditions.sort(compareConditions);
  return groups;
}

function firstCondition(top: Group, order: readonly string[] | undefined): Condition {
  if (top.conditions.length > 1) {
    for (const t of order ?? []) {
      const c = top.conditions.find((x) => x.type === t);
      if (c) return c;
    }
  }
  return top.conditions[0]!;
}

function stepCounterTotal(inScope: readonly Condition[], opts: SummaryOptions): number | undefined {
  let enabled = opts.stepCounter ?? false;
  const only = opts.stepCounterIfOnly;
  if (only !== undefined && inScope.some((c) => !only.includes(c.type))) enabled = false;
  if (!enabled) return undefined;
  if (only !== undefined) return only.length;
  return opts.conditions !== undefined ? opts.conditions.length : inScope.length;
}

/**
 * Computes the summary of `obj`'s conditions as condition `target`, or undefined when no condition
 * is in scope. Does not modify `obj`.
 */
export function summary(obj: ObjectWithConditions, target: string, opts: SummaryOptions = {}): ConditionInput | undefined {
  const scope = opts.conditions;
  const inScope = (obj.status?.conditions ?? []).filter((c) => c.type !== target && (scope === undefined || scope.includes(c.type)));
  const groups = groupConditions(inScope, opts);
  const top = groups[0];
  if (top === undefined) return undefined;
  const first = firstCondition(top, scope);
  const total = stepCounterTotal(inScope, opts);
  let message = first.message;
  if (total !== undefined) {
    const truePositive = groups.find((g) => !g.negative && g.status === 'True');
    message = `${truePositive?.conditions.length ?? 0} of ${total} completed`;
  }
  const targetNegative = (opts.negativePolarity ?? []).includes(target);
  let status: ConditionStatus = top.status;
  if (top.status !== 'Unknown' && top.negative !== targetNegative) status = top.status === 'True' ? 'False' : 'True';
  return { type: target, status, reason: first.reason, message };
}

/** Sets the summary of `obj`'s conditions as condition `target`; a no-op when nothing is in scope. */
export function setSummary(obj: ObjectWithConditions, target: string, opts: SummaryOptions = {}, clock?: Clock): void {
  const s = summary(obj, target, opts);
  if (s !== undefined) set(obj, s, clock);
}
