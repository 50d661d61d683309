// SPDX-License-Identifier: Apache-2.0
/**
 * JSON exactly as Go's `encoding/json` Encoder writes it for values decoded from Go-written JSON:
 * HTML-safe escaping (`<`, `>`, `&` as `\u003c`…), U+2028/U+2029 escaped, map keys in Go's byte
 * order, a trailing newline. Used to recompute Flux's release snapshot digests byte for byte.
 */
import { compareGoStrings } from '../values/go-yaml.ts';

const INTEGER_KEY = /^(0|[1-9][0-9]*)$/;

function reorder(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reorder);
  if (v === null || typeof v !== 'object') return v;
  const keys = Object.keys(v);
  // JS moves integer-like keys first; Go maps were written in byte order, which restores them.
  // Struct-like objects (no integer keys) keep their field order.
  if (keys.some((k) => INTEGER_KEY.test(k))) keys.sort(compareGoStrings);
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = reorder((v as Record<string, unknown>)[k]);
  return out;
}

/** `json.NewEncoder(w).Encode(v)` for JSON-like `v`; `sortKeys` forces Go map ordering at the top. */
export function goJsonEncode(v: unknown): string {
  const s = JSON.stringify(reorder(v));
  return `${s.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}
