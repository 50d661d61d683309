// SPDX-License-Identifier: Apache-2.0
/**
 * Scalar handling of go-yaml v3 as sops uses it: resolving plain scalars to Go values
 * (`resolve`), choosing a style when encoding a string (`stringv` + libyaml's scalar analysis
 * and style selection), and writing single-quoted, double-quoted and literal scalars.
 */
import { goFloat, goInt, type TreeValue } from './values.ts';

const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const BASE60 = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const OLD_BOOL = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF']);
const MAP: Record<string, TreeValue> = {
  true: true,
  True: true,
  TRUE: true,
  false: false,
  False: false,
  FALSE: false,
  '': null,
  '~': null,
  null: null,
  Null: null,
  NULL: null,
  '.nan': goFloat(NaN),
  '.NaN': goFloat(NaN),
  '.NAN': goFloat(NaN),
  '.inf': goFloat(Infinity),
  '.Inf': goFloat(Infinity),
  '.INF': goFloat(Infinity),
  '+.inf': goFloat(Infinity),
  '+.Inf': goFloat(Infinity),
  '+.INF': goFloat(Infinity),
  '-.inf': goFloat(-Infinity),
  '-.Inf': goFloat(-Infinity),
  '-.INF': goFloat(-Infinity),
};

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/** Go `strconv.ParseInt(s, 0, 64)`/`ParseUint` (prefixes 0x, 0o, 0b and leading-zero octal). */
function parseGoInt(s: string): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const body = m[2]!;
  let v: bigint;
  if (/^0[oO]/.test(body)) v = BigInt('0o' + body.slice(2));
  else if (/^0[0-7]+$/.test(body)) v = BigInt('0o' + body.slice(1));
  else v = BigInt(body.toLowerCase());
  if (m[1] === '-') v = -v;
  if (v < INT64_MIN || v > UINT64_MAX || (m[1] === '-' && v < INT64_MIN)) return undefined;
  return v;
}

/** Go `time.Parse` with yaml.v3's timestamp formats, rendered as `time.RFC3339Nano`. */
function parseTimestamp(s: string): string | undefined {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:([Tt ])(\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, sep, h, mi, se, frac, zone] = m;
  if (sep && sep !== ' ' && !zone) return undefined;
  if (sep === ' ' && zone) return undefined;
  const pad = (x: string | undefined): string => (x ?? '0').padStart(2, '0');
  const date = `${y}-${pad(mo)}-${pad(d)}`;
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31) return undefined;
  if (!sep) return `${date}T00:00:00Z`;
  let fraction = (frac ?? '').replace(/0+$/, '');
  if (fraction === '.') fraction = '';
  const z = !zone || zone === 'Z' || zone === '+00:00' || zone === '-00:00' ? 'Z' : zone;
  return `${date}T${pad(h)}:${pad(mi)}:${pad(se)}${fraction}${z}`;
}

/** Resolves a plain (unquoted, untagged) scalar like go-yaml v3 into a Go value. */
export function resolvePlain(s: string): TreeValue {
  if (s in MAP) return MAP[s]!;
  const c = s[0] ?? '';
  if (c === '.') return FLOAT.test(s) ? goFloat(Number(s)) : s;
  if (!/[-+0-9]/.test(c)) return s;
  const ts = parseTimestamp(s);
  if (ts) return { t: 'time', v: ts };
  const plain = s.replaceAll('_', '');
  const i = parseGoInt(plain);
  if (i !== undefined) return goInt(i);
  if (FLOAT.test(plain)) return goFloat(Number(plain));
  return s;
}

/** What `stringv` would request for a string value. */
function requestedStyle(s: string): 'plain' | 'double' | 'literal' {
  if (s.includes('\n')) return 'literal';
  const resolvesToStr = typeof resolvePlain(s) === 'string';
  return resolvesToStr && !BASE60.test(s) && !OLD_BOOL.has(s) ? 'plain' : 'double';
}

const isBreak = (c: string): boolean => c === '\n' || c === '\r' || c === '\u0085' || c === '\u2028' || c === '\u2029';
const isSpace = (c: string): boolean => c === ' ';
const isBlank = (c: string | undefined): boolean => c === undefined || c === ' ' || c === '\t' || isBreak(c);

function isPrintable(c: string): boolean {
  const v = c.codePointAt(0)!;
  return (
    v === 0x0a ||
    (v >= 0x20 && v <= 0x7e) ||
    v === 0x85 ||
    (v >= 0xa0 && v <= 0xd7ff) ||
    (v >= 0xe000 && v <= 0xfffd && v !== 0xfeff) ||
    (v >= 0x10000 && v <= 0x10ffff)
  );
}

interface Analysis {
  multiline: boolean;
  blockPlain: boolean;
  singleQuoted: boolean;
  block: boolean;
}

/** libyaml's `yaml_emitter_analyze_scalar` (block context, unicode on). */
function analyze(value: string): Analysis {
  if (value === '') return { multiline: false, blockPlain: true, singleQuoted: true, block: false };
  const chars = Array.from(value);
  let blockInd = value.startsWith('---') || value.startsWith('...');
  let lineBreaks = false;
  let special = false;
  let tabs = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let precededByWs = true;
  let prevSpace = false;
  let prevBreak = false;
  chars.forEach((c, i) => {
    const followedByWs = isBlank(chars[i + 1]);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) blockInd = true;
      else if ((c === '?' || c === ':' || c === '-') && followedByWs) blockInd = true;
    } else if ((c === ':' && followedByWs) || (c === '#' && precededByWs)) blockInd = true;
    if (c === '\t') tabs = true;
    else if (!isPrintable(c)) special = true;
    if (isSpace(c)) {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (prevBreak) breakSpace = true;
      prevSpace = true;
      prevBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (prevSpace) spaceBreak = true;
      prevSpace = false;
      prevBreak = true;
    } else {
      prevSpace = false;
      prevBreak = false;
    }
    precededByWs = isBlank(c);
  });
  const a: Analysis = { multiline: lineBreaks, blockPlain: true, singleQuoted: true, block: true };
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) a.blockPlain = false;
  if (trailingSpace) a.block = false;
  if (breakSpace) a.blockPlain = a.singleQuoted = false;
  if (spaceBreak || tabs || special) a.blockPlain = a.singleQuoted = false;
  if (spaceBreak || special) a.block = false;
  if (lineBreaks || blockInd) a.blockPlain = false;
  return a;
}

/** The style go-yaml v3 ends up writing a string with. */
export function scalarStyle(s: string, simpleKey: boolean): 'plain' | 'single' | 'double' | 'literal' {
  const a = analyze(s);
  let style: 'plain' | 'single' | 'double' | 'literal' = requestedStyle(s);
  if (simpleKey && a.multiline) style = 'double';
  if (style === 'plain' && (!a.blockPlain || (s === '' && simpleKey))) style = 'single';
  if (style === 'single' && !a.singleQuoted) style = 'double';
  if (style === 'literal' && (!a.block || simpleKey)) style = 'double';
  return style;
}

/** libyaml's double-quoted writer (no line folding). */
export function doubleQuoted(s: string): string {
  let out = '"';
  for (const c of s) {
    const v = c.codePointAt(0)!;
    if (!isPrintable(c) || v === 0xfeff || isBreak(c) || c === '"' || c === '\\') {
      const named: Record<number, string> = { 0: '0', 7: 'a', 8: 'b', 9: 't', 10: 'n', 11: 'v', 12: 'f', 13: 'r', 27: 'e', 0x22: '"', 0x5c: '\\', 0x85: 'N', 0xa0: '_', 0x2028: 'L', 0x2029: 'P' };
      if (named[v] !== undefined) out += '\\' + named[v];
      else if (v <= 0xff) out += '\\x' + v.toString(16).toUpperCase().padStart(2, '0');
      else if (v <= 0xffff) out += '\\u' + v.toString(16).toUpperCase().padStart(4, '0');
      else out += '\\U' + v.toString(16).toUpperCase().padStart(8, '0');
    } else out += c;
  }
  return out + '"';
}

/** libyaml's single-quoted writer. */
export function singleQuoted(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** The literal block header (`|`, indentation and chomping hints) for a value. */
export function literalHeader(s: string, indent: number): string {
  let h = '|';
  if (s[0] === ' ' || (s[0] !== undefined && isBreak(s[0]))) h += String(indent);
  const chars = Array.from(s);
  const last = chars.length - 1;
  if (chars.length === 0 || !isBreak(chars[last]!)) h += '-';
  else if (last === 0 || isBreak(chars[last - 1]!)) h += '+';
  return h;
}

/** Splits a literal's content into lines as libyaml writes them (breaks end lines). */
export function literalLines(s: string): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const c of s) {
    if (isBreak(c)) {
      lines.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur !== '') lines.push(cur);
  return lines;
}
