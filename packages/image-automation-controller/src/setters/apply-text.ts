// SPDX-License-Identifier: Apache-2.0
/**
 * Applies setters to one YAML file's text. Only marked scalar values change, by splicing the
 * original text at the value's range, so comments, quoting, indentation, line endings and every
 * other byte stay as they were: one changed line per change.
 *
 * Which scalar a marker belongs to follows yaml.v3 (what Flux's kyaml uses): the line comment
 * after the value (also after a `,` in a multi-line flow collection), or a single-line head
 * comment directly above a block sequence item. A comment after a flow collection's closing
 * bracket belongs to the collection, not to a scalar, and sets nothing (as in Flux).
 *
 * Quoting of a new value: single- and double-quoted values keep their style; a plain value stays
 * plain unless YAML 1.1 would read the new text as something other than that string
 * (`1.10`, `yes`, `0x1F`, `null`, `a: b`), in which case it becomes double-quoted, as kyaml's
 * `FormatNonStringStyle` does.
 */
import { isMap, isSeq, parse, parseAllDocuments, visit } from 'yaml';
import type { Document, Scalar } from 'yaml';

import { parseMarker } from './markers.ts';
import type { SetterDef } from './markers.ts';
import type { Change, ObjectIdentifier } from './result.ts';

/** A change made in a file, with its object and 1-based line. */
export interface TextChange {
  object: ObjectIdentifier;
  change: Change;
  line: number;
}

/** A marker that names no known setter (policy missing, or without a latest image). */
export interface UnresolvedMarker {
  setter: string;
  line: number;
  reason: 'unknown-setter' | 'unsupported-block-scalar';
}

/** Outcome of {@link applySettersToText}. */
export type TextUpdate =
  | { ok: true; text: string; changes: TextChange[]; unresolved: UnresolvedMarker[] }
  | { ok: false; error: string };

const LINE_COMMENT = /^(?:[ \t]*,)?[ \t]+#(.*)$/;
const ITEM_PREFIX = /^[ \t]*(?:-[ \t]+)+$/;
const COMMENT_LINE = /^[ \t]*#(.*)$/;

function lineAt(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function lineBounds(text: string, offset: number): [number, number] {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const nl = text.indexOf('\n', offset);
  return [start, nl < 0 ? text.length : nl];
}

const stripCr = (s: string): string => (s.endsWith('\r') ? s.slice(0, -1) : s);

function lineComment(text: string, valueEnd: number): string | undefined {
  const [, end] = lineBounds(text, valueEnd);
  const m = LINE_COMMENT.exec(stripCr(text.slice(valueEnd, end)));
  return m ? m[1] : undefined;
}

function headComment(text: string, valueStart: number): string | undefined {
  const [start] = lineBounds(text, valueStart);
  if (start === 0 || !ITEM_PREFIX.test(text.slice(start, valueStart))) return undefined;
  const [prevStart, prevEnd] = lineBounds(text, start - 1);
  const prev = COMMENT_LINE.exec(stripCr(text.slice(prevStart, prevEnd)));
  if (!prev) return undefined;
  if (prevStart > 0) {
    const [ppStart, ppEnd] = lineBounds(text, prevStart - 1);
    if (COMMENT_LINE.test(stripCr(text.slice(ppStart, ppEnd)))) return undefined;
  }
  return prev[1];
}

function scalarString(doc: Document, path: readonly string[]): string {
  const v: unknown = doc.getIn(path);
  return v === undefined || v === null || typeof v === 'object' ? '' : String(v as string | number | boolean);
}

function identify(doc: Document): ObjectIdentifier {
  if (!isMap(doc.contents)) return { APIVersion: '', Kind: '', Name: '', Namespace: '' };
  return {
    APIVersion: scalarString(doc, ['apiVersion']),
    Kind: scalarString(doc, ['kind']),
    Name: scalarString(doc, ['metadata', 'name']),
    Namespace: scalarString(doc, ['metadata', 'namespace']),
  };
}

/** True when `value`, written plain, reads back under YAML 1.1 as exactly that string. */
function plainIsSafe(value: string): boolean {
  if (value === '' || value.trim() !== value) return false;
  try {
    return parse(value, { version: '1.1' }) === value;
  } catch {
    return false;
  }
}

function render(value: string, type: Scalar.Type | undefined): string {
  if (type === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  if (type === 'PLAIN' && plainIsSafe(value)) return value;
  return JSON.stringify(value);
}

interface Edit {
  start: number;
  end: number;
  replacement: string;
}

/**
 * Applies the setters to a file's text. Returns `ok: false` (a "problem file", skipped like in
 * Flux) when the text does not parse as YAML.
 */
export function applySettersToText(text: string, defs: ReadonlyMap<string, SetterDef>): TextUpdate {
  const docs = parseAllDocuments(text, { version: '1.2' });
  if (!Array.isArray(docs)) return { ok: true, text, changes: [], unresolved: [] };
  const failed = docs.find((d) => d.errors.length > 0);
  if (failed) return { ok: false, error: failed.errors[0]!.message };
  const edits: Edit[] = [];
  const changes: TextChange[] = [];
  const unresolved: UnresolvedMarker[] = [];
  for (const doc of docs) {
    const object = identify(doc);
    visit(doc, {
      Scalar(key, node, path) {
        if (key === 'key' || !node.range) return;
        const [start, valueEnd] = node.range;
        const parent = path[path.length - 1];
        const inBlockSeq = isSeq(parent) && !parent.flow;
        const comment = lineComment(text, valueEnd) ?? (inBlockSeq ? headComment(text, start) : undefined);
        const setter = comment === undefined ? undefined : parseMarker(comment);
        if (setter === undefined) return;
        const line = lineAt(text, start);
        const def = defs.get(setter);
        if (!def) {
          unresolved.push({ setter, line, reason: 'unknown-setter' });
          return;
        }
        if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
          unresolved.push({ setter, line, reason: 'unsupported-block-scalar' });
          return;
        }
        const old = typeof node.value === 'string' ? node.value : text.slice(start, valueEnd);
        if (old === def.value) return;
        edits.push({ start, end: valueEnd, replacement: render(def.value, node.type) });
        changes.push({ object, change: { OldValue: old, NewValue: def.value, Setter: setter }, line });
      },
    });
  }
  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.replacement + out.slice(e.end);
  return { ok: true, text: out, changes, unresolved };
}
