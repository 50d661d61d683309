// SPDX-License-Identifier: Apache-2.0
/**
 * JSON merge patches (RFC 7386) computed from two plain JSON values, as controller-runtime's
 * `client.MergeFrom` does: objects are diffed key by key, removed keys become `null`, and arrays
 * (finalizers, conditions) are replaced whole.
 */

/** A JSON object. */
export type JsonObject = { [key: string]: unknown };

/** True for a non-null, non-array object. */
export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Structural equality of JSON values (key order does not matter, array order does). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (!isJsonObject(a) || !isJsonObject(b)) return false;
  const ka = Object.keys(a).filter((k) => a[k] !== undefined);
  const kb = Object.keys(b).filter((k) => b[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => jsonEqual(a[k], b[k]));
}

/** A deep copy of a JSON value (undefined properties are dropped, as serialisation would). */
export function cloneJson<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/**
 * The merge patch that turns `before` into `after`, or undefined when they are equal. Both must
 * be JSON objects; the result is `{}`-free (empty nested diffs are dropped).
 */
export function createMergePatch(before: JsonObject, after: JsonObject): JsonObject | undefined {
  const patch: JsonObject = {};
  for (const key of Object.keys(before)) {
    if (before[key] !== undefined && after[key] === undefined) patch[key] = null;
  }
  for (const key of Object.keys(after)) {
    const a = after[key];
    const b = before[key];
    if (a === undefined || jsonEqual(a, b)) continue;
    if (isJsonObject(a) && isJsonObject(b)) {
      const nested = createMergePatch(b, a);
      if (nested !== undefined) patch[key] = nested;
    } else {
      patch[key] = cloneJson(a);
    }
  }
  return Object.keys(patch).length === 0 ? undefined : patch;
}

/** Applies a merge patch to a JSON value (RFC 7386), returning the new value. Used by test fakes. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return cloneJson(patch);
  const out: JsonObject = isJsonObject(target) ? cloneJson(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}
