// SPDX-License-Identifier: Apache-2.0
/**
 * A three-way merge of condition lists, as `fluxcd/pkg/runtime/conditions/patch.go` does it. The
 * status patcher records what a reconcile changed (`diffConditions(before, after)`) and replays it
 * on the latest object from the apiserver (`applyConditionsPatch(latest, patch)`), so controllers
 * sharing an object do not overwrite each other's conditions. Owned conditions always win.
 */
import type { Clock } from '../clock/index.ts';
import { get, list } from './getter.ts';
import { hasSameState, remove, set } from './setter.ts';
import type { Condition, ObjectWithConditions } from './types.ts';

/** One change to one condition. */
export type ConditionPatchOperation =
  | { op: 'Add'; after: Condition }
  | { op: 'Change'; before: Condition; after: Condition }
  | { op: 'Remove'; before: Condition };

/** The changes that turn one condition list into another. Empty when nothing changed. */
export type ConditionsPatch = ConditionPatchOperation[];

/** How to resolve conflicts when applying a {@link ConditionsPatch}. */
export interface ApplyConditionsOptions {
  /** Types whose desired value always wins over a concurrent change. @default [] */
  ownedConditions?: readonly string[];
  /** Every condition is treated as owned. @default false */
  forceOverwrite?: boolean;
  /** Clock for the lastTransitionTime of conditions that change on `latest`. */
  clock?: Clock;
}

/** Raised when another writer changed a non-owned condition in an incompatible way. */
export class ConditionsConflictError extends Error {
  override readonly name = 'ConditionsConflictError';
}

/** Field-by-field equality of two conditions (Flux compares them with `reflect.DeepEqual`). */
export function conditionsEqual(a: Condition, b: Condition): boolean {
  return (
    a.type === b.type &&
    hasSameState(a, b) &&
    a.lastTransitionTime === b.lastTransitionTime &&
    (a.observedGeneration ?? 0) === (b.observedGeneration ?? 0)
  );
}

/** The operations that align `before`'s conditions with `after`'s. */
export function diffConditions(before: ObjectWithConditions, after: ObjectWithConditions): ConditionsPatch {
  const patch: ConditionsPatch = [];
  for (const target of list(after)) {
    const current = get(before, target.type);
    if (current === undefined) patch.push({ op: 'Add', after: { ...target } });
    else if (!conditionsEqual(current, target)) patch.push({ op: 'Change', before: current, after: { ...target } });
  }
  for (const base of list(before)) {
    if (get(after, base.type) === undefined) patch.push({ op: 'Remove', before: { ...base } });
  }
  return patch;
}

function conflict(type: string, what: string, latest: Condition, wanted: Condition): ConditionsConflictError {
  return new ConditionsConflictError(
    `error patching conditions: The condition "${type}" was ${what} by a different process and this caused a merge conflict: ` +
      `latest ${latest.status}/${latest.reason}/${JSON.stringify(latest.message)}, ` +
      `wanted ${wanted.status}/${wanted.reason}/${JSON.stringify(wanted.message)}`,
  );
}

/**
 * Applies `patch` to `latest` (mutating it). Throws {@link ConditionsConflictError} when a
 * non-owned condition was changed concurrently in a way that disagrees with the patch.
 */
export function applyConditionsPatch(latest: ObjectWithConditions, patch: ConditionsPatch, opts: ApplyConditionsOptions = {}): void {
  const owned = (t: string): boolean => opts.forceOverwrite === true || (opts.ownedConditions ?? []).includes(t);
  for (const p of patch) {
    if (p.op === 'Remove') {
      const current = get(latest, p.before.type);
      if (!owned(p.before.type) && current !== undefined && !hasSameState(current, p.before)) {
        throw conflict(p.before.type, 'modified', current, p.before);
      }
      remove(latest, p.before.type);
      continue;
    }
    const current = get(latest, p.after.type);
    if (owned(p.after.type)) {
      set(latest, p.after, opts.clock);
    } else if (p.op === 'Add') {
      if (current === undefined) set(latest, p.after, opts.clock);
      else if (!hasSameState(current, p.after)) throw conflict(p.after.type, 'modified', current, p.after);
    } else if (current === undefined) {
      throw new ConditionsConflictError(
        `error patching conditions: The condition "${p.after.type}" was deleted by a different process ` +
          'and this caused a merge/ChangeCondition conflict',
      );
    } else if (conditionsEqual(current, p.before)) {
      set(latest, p.after, opts.clock);
    } else if (!hasSameState(current, p.after)) {
      throw conflict(p.after.type, 'modified', current, p.after);
    }
  }
}
