// SPDX-License-Identifier: Apache-2.0
/**
 * Read-only condition helpers, with the semantics of `fluxcd/pkg/runtime/conditions/getter.go`:
 * a missing condition is neither True nor False, but it *is* Unknown.
 */
import { ConditionType, type Condition, type ObjectWithConditions } from './types.ts';

/** The conditions of `obj`, or an empty list. Never undefined. */
export function list(obj: ObjectWithConditions): readonly Condition[] {
  return obj.status?.conditions ?? [];
}

/** The condition of the given type, or undefined. The returned object is a copy. */
export function get(obj: ObjectWithConditions, type: string): Condition | undefined {
  const c = list(obj).find((x) => x.type === type);
  return c === undefined ? undefined : { ...c };
}

/** True if a condition of the given type exists, whatever its status. */
export function has(obj: ObjectWithConditions, type: string): boolean {
  return list(obj).some((x) => x.type === type);
}

/** True if the condition exists and is True. */
export function isTrue(obj: ObjectWithConditions, type: string): boolean {
  return get(obj, type)?.status === 'True';
}

/** True if the condition exists and is False. */
export function isFalse(obj: ObjectWithConditions, type: string): boolean {
  return get(obj, type)?.status === 'False';
}

/** True if the condition is Unknown **or missing**. */
export function isUnknown(obj: ObjectWithConditions, type: string): boolean {
  const c = get(obj, type);
  return c === undefined || c.status === 'Unknown';
}

/** Stalled=True while Reconciling is not True. */
export function isStalled(obj: ObjectWithConditions): boolean {
  return !isTrue(obj, ConditionType.Reconciling) && isTrue(obj, ConditionType.Stalled);
}

/** Reconciling=True while Stalled is not True. */
export function isReconciling(obj: ObjectWithConditions): boolean {
  return !isTrue(obj, ConditionType.Stalled) && isTrue(obj, ConditionType.Reconciling);
}

/** Ready=True and neither stalled nor reconciling (Flux's `IsReady`). Use {@link isTrue} for Ready=True alone. */
export function isReady(obj: ObjectWithConditions): boolean {
  return !isStalled(obj) && !isReconciling(obj) && isTrue(obj, ConditionType.Ready);
}

/** The reason of the condition, or `''`. */
export function getReason(obj: ObjectWithConditions, type: string): string {
  return get(obj, type)?.reason ?? '';
}

/** The message of the condition, or `''`. */
export function getMessage(obj: ObjectWithConditions, type: string): string {
  return get(obj, type)?.message ?? '';
}

/** The lastTransitionTime of the condition, or undefined. */
export function getLastTransitionTime(obj: ObjectWithConditions, type: string): string | undefined {
  return get(obj, type)?.lastTransitionTime;
}

/** The observedGeneration of the condition, or 0. */
export function getObservedGeneration(obj: ObjectWithConditions, type: string): number {
  return get(obj, type)?.observedGeneration ?? 0;
}

/** `metadata.generation`, or 0 when unset (Go's zero value). */
export function generationOf(obj: ObjectWithConditions): number {
  return obj.metadata.generation ?? 0;
}
