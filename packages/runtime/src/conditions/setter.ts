// SPDX-License-Identifier: Apache-2.0
/**
 * Condition setters with the exact semantics of `fluxcd/pkg/runtime/conditions/setter.go`:
 *
 * - `observedGeneration` is always stamped from `metadata.generation`;
 * - an existing condition keeps its `lastTransitionTime` unless its status, reason **or** message
 *   change (a new generation alone rewrites the condition but keeps the time);
 * - a new condition keeps a `lastTransitionTime` it already carries, else gets "now";
 * - the message is trimmed to 32 KiB;
 * - conditions are sorted Stalled, Reconciling, Ready, then the others by highest
 *   observedGeneration first and type.
 *
 * "Now" comes from an injected {@link Clock} (truncated to the second).
 */
import { realClock, type Clock } from '../clock/index.ts';
import { generationOf } from './getter.ts';
import { trimConditionMessage } from './trim.ts';
import { ConditionType, type Condition, type ConditionStatus, type ObjectWithConditions } from './types.ts';

/** Formats epoch milliseconds as RFC 3339 without fractional seconds (`metav1.Time`). */
export function formatTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** What {@link set} needs; `lastTransitionTime` and `observedGeneration` are filled in. */
export interface ConditionInput {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

/** Same status, reason and message (Flux's `hasSameState`; type is compared by the caller). */
export function hasSameState(a: Omit<ConditionInput, 'type'>, b: Omit<ConditionInput, 'type'>): boolean {
  return a.status === b.status && a.reason === b.reason && a.message === b.message;
}

const WEIGHTS: Record<string, number> = {
  [ConditionType.Stalled]: 0,
  [ConditionType.Reconciling]: 1,
  [ConditionType.Ready]: 2,
};

/** Flux's `lexicographicLess` as a comparator. */
export function compareConditions(a: Condition, b: Condition): number {
  const wa = WEIGHTS[a.type];
  const wb = WEIGHTS[b.type];
  if (wa !== undefined && wb !== undefined) return wa - wb;
  if (wa !== undefined) return -1;
  if (wb !== undefined) return 1;
  const ga = a.observedGeneration ?? 0;
  const gb = b.observedGeneration ?? 0;
  if (ga !== gb) return gb - ga;
  return a.type < b.type ? -1 : a.type > b.type ? 1 : 0;
}

/** Builds a condition in the apiserver's field order, omitting a zero observedGeneration. */
function build(c: ConditionInput, generation: number, lastTransitionTime: string): Condition {
  const { type, status, reason, message } = c;
  return generation !== 0
    ? { type, status, observedGeneration: generation, lastTransitionTime, reason, message }
    : { type, status, lastTransitionTime, reason, message };
}

function writeConditions(obj: ObjectWithConditions, conditions: Condition[]): void {
  obj.status ??= {};
  if (conditions.length === 0) delete obj.status.conditions;
  else obj.status.conditions = conditions;
}

/**
 * Sets `condition` on `obj` (see the module doc for the rules). Mutates `obj.status.conditions`,
 * creating `status` when absent.
 */
export function set(obj: ObjectWithConditions, condition: ConditionInput, clock: Clock = realClock): void {
  const generation = generationOf(obj);
  const input: ConditionInput = { ...condition, message: trimConditionMessage(condition.message) };
  const conditions = [...(obj.status?.conditions ?? [])];
  const i = conditions.findIndex((c) => c.type === input.type);
  if (i >= 0) {
    const existing = conditions[i]!;
    if (!hasSameState(existing, input)) {
      conditions[i] = build(input, generation, formatTime(clock.now()));
    } else if ((existing.observedGeneration ?? 0) !== generation) {
      conditions[i] = build(input, generation, existing.lastTransitionTime);
    }
  } else {
    conditions.push(build(input, generation, input.lastTransitionTime || formatTime(clock.now())));
  }
  conditions.sort(compareConditions);
  writeConditions(obj, conditions);
}

/** Sets a True condition. */
export function markTrue(obj: ObjectWithConditions, type: string, reason: string, message: string, clock?: Clock): void {
  set(obj, { type, status: 'True', reason, message }, clock);
}

/** Sets a False condition. */
export function markFalse(obj: ObjectWithConditions, type: string, reason: string, message: string, clock?: Clock): void {
  set(obj, { type, status: 'False', reason, message }, clock);
}

/** Sets an Unknown condition. */
export function markUnknown(obj: ObjectWithConditions, type: string, reason: string, message: string, clock?: Clock): void {
  set(obj, { type, status: 'Unknown', reason, message }, clock);
}

/** Deletes Stalled and sets Reconciling=True; called when a run starts working on a change. */
export function markReconciling(obj: ObjectWithConditions, reason: string, message: string, clock?: Clock): void {
  remove(obj, ConditionType.Stalled);
  markTrue(obj, ConditionType.Reconciling, reason, message, clock);
}

/** Deletes Reconciling and sets Stalled=True; for failures no retry can fix. */
export function markStalled(obj: ObjectWithConditions, reason: string, message: string, clock?: Clock): void {
  remove(obj, ConditionType.Reconciling);
  markTrue(obj, ConditionType.Stalled, reason, message, clock);
}

/** Deletes the condition of the given type (no-op when absent). Exported as `delete` too. */
export function remove(obj: ObjectWithConditions, type: string): void {
  const current = obj.status?.conditions;
  if (current === undefined) return;
  writeConditions(obj, current.filter((c) => c.type !== type));
}

/** The setters bound to one clock, so a reconciler passes its clock once. */
export interface ConditionSetters {
  set(obj: ObjectWithConditions, condition: ConditionInput): void;
  markTrue(obj: ObjectWithConditions, type: string, reason: string, message: string): void;
  markFalse(obj: ObjectWithConditions, type: string, reason: string, message: string): void;
  markUnknown(obj: ObjectWithConditions, type: string, reason: string, message: string): void;
  markReconciling(obj: ObjectWithConditions, reason: string, message: string): void;
  markStalled(obj: ObjectWithConditions, reason: string, message: string): void;
  remove(obj: ObjectWithConditions, type: string): void;
}

/** Returns the setters bound to `clock`. */
export function settersFor(clock: Clock): ConditionSetters {
  return {
    set: (o, c) => set(o, c, clock),
    markTrue: (o, t, r, m) => markTrue(o, t, r, m, clock),
    markFalse: (o, t, r, m) => markFalse(o, t, r, m, clock),
    markUnknown: (o, t, r, m) => markUnknown(o, t, r, m, clock),
    markReconciling: (o, r, m) => markReconciling(o, r, m, clock),
    markStalled: (o, r, m) => markStalled(o, r, m, clock),
    remove,
  };
}
