// SPDX-License-Identifier: Apache-2.0
/** kstatus result types and the field readers the rules share (cli-utils `pkg/kstatus/status`). */

/** The status of an object, as kstatus defines it. */
export type KStatus = 'InProgress' | 'Failed' | 'Current' | 'Terminating' | 'NotFound' | 'Unknown';

/** A standard kstatus condition derived for the object (`Reconciling` or `Stalled`, always True). */
export interface KStatusCondition {
  type: 'Reconciling' | 'Stalled';
  status: 'True';
  reason: string;
  message: string;
}

/** The computed status, a human message, and the standard conditions that would belong on the object. */
export interface KStatusResult {
  status: KStatus;
  message: string;
  conditions: KStatusCondition[];
}

/** A condition as read from any object's `status.conditions`. */
export interface BasicCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** Plain JSON object view used by the rules. */
export type Json = { [key: string]: unknown };

/** `Current` with a message and no conditions. */
export function current(message: string): KStatusResult {
  return { status: 'Current', message, conditions: [] };
}

/** `InProgress` with a Reconciling condition. */
export function inProgress(reason: string, message: string): KStatusResult {
  return { status: 'InProgress', message, conditions: [{ type: 'Reconciling', status: 'True', reason, message }] };
}

/** `Failed` with a Stalled condition. */
export function failed(reason: string, message: string): KStatusResult {
  return { status: 'Failed', message, conditions: [{ type: 'Stalled', status: 'True', reason, message }] };
}

function at(obj: Json, path: string): unknown {
  let v: unknown = obj;
  for (const k of path.split('.').filter(Boolean)) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    v = (v as Json)[k];
  }
  return v;
}

/** An integer field (`.spec.replicas`), or `def` when missing or not an integer (cli-utils `GetIntField`). */
export function intField(obj: Json, path: string, def: number): number {
  const v = at(obj, path);
  return typeof v === 'number' && Number.isInteger(v) ? v : def;
}

/** A string field, or `def` when missing or not a string (cli-utils `GetStringField`). */
export function stringField(obj: Json, path: string, def: string): string {
  const v = at(obj, path);
  return typeof v === 'string' ? v : def;
}

/** Whether an integer field is present; throws when present but not an integer (Go's `NestedInt64`). */
export function nestedInt(obj: Json, path: string): number | undefined {
  const v = at(obj, path);
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${path} accessor error: ${JSON.stringify(v)} is not an integer`);
  return v;
}

/** The object's `status.conditions`, tolerating junk entries. */
export function conditionsOf(obj: Json): BasicCondition[] {
  const cs = at(obj, '.status.conditions');
  if (!Array.isArray(cs)) return [];
  return cs.filter((c): c is BasicCondition => typeof c === 'object' && c !== null && typeof (c as Json)['type'] === 'string');
}

/** The first condition of `type` with `status`, if any. */
export function conditionWithStatus(obj: Json, type: string, status: string): BasicCondition | undefined {
  return conditionsOf(obj).find((c) => c.type === type && c.status === status);
}
