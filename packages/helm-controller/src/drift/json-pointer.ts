// SPDX-License-Identifier: Apache-2.0
/** RFC 6901 JSON Pointers: parsing and removal, for drift ignore rules. */

/** Splits a pointer into unescaped tokens (`""` is the whole document: no tokens). */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`invalid JSON pointer ${JSON.stringify(pointer)}: must start with /`);
  return pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Escapes one token for a pointer. */
export function escapeToken(t: string): string {
  return t.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Removes the value at `pointer` from `doc` (in place); missing paths are ignored. */
export function removeAt(doc: unknown, pointer: string): void {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return;
  let cur: unknown = doc;
  for (const t of tokens.slice(0, -1)) {
    if (cur === null || typeof cur !== 'object') return;
    cur = Array.isArray(cur) ? cur[Number(t)] : (cur as Record<string, unknown>)[t];
  }
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(cur)) {
    const i = Number(last);
    if (Number.isInteger(i) && i >= 0 && i < cur.length) cur.splice(i, 1);
  } else if (cur !== null && typeof cur === 'object') {
    delete (cur as Record<string, unknown>)[last];
  }
}
