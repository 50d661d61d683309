// SPDX-License-Identifier: Apache-2.0
/**
 * A small RFC 6902 diff: the operations that turn `from` into `to`. Objects are compared key by
 * key; arrays element by element when their lengths match, else replaced whole.
 */
import { escapeToken } from './json-pointer.ts';

/** One JSON Patch operation. */
export type JsonPatchOp =
  | { op: 'add'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'replace'; path: string; value: unknown };

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Deep equality of JSON values. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** The operations turning `from` into `to`. */
export function diff(from: unknown, to: unknown, path = ''): JsonPatchOp[] {
  if (jsonEqual(from, to)) return [];
  if (isObj(from) && isObj(to)) {
    const ops: JsonPatchOp[] = [];
    for (const k of Object.keys(from)) if (!(k in to)) ops.push({ op: 'remove', path: `${path}/${escapeToken(k)}` });
    for (const [k, v] of Object.entries(to)) {
      const p = `${path}/${escapeToken(k)}`;
      if (!(k in from)) ops.push({ op: 'add', path: p, value: v });
      else ops.push(...diff(from[k], v, p));
    }
    return ops;
  }
  if (Array.isArray(from) && Array.isArray(to) && from.length === to.length) {
    return from.flatMap((x, i) => diff(x, to[i], `${path}/${i}`));
  }
  return [{ op: 'replace', path, value: to }];
}
