// SPDX-License-Identifier: Apache-2.0
/**
 * Functions available to commit message templates: Go's `text/template` builtins plus the Sprig
 * functions Flux adds with `sprig.HermeticTxtFuncMap()` that commit messages use (strings, lists,
 * dicts, math, defaults, regex, encoding). Time, randomness and environment functions are not
 * hermetic and are absent in Flux too. A Sprig function missing here is a parse error
 * (`function "x" not defined`), never a silent difference.
 */
import { createHash } from 'node:crypto';

import type { TemplateFunc } from './exec.ts';
import { truth } from './exec.ts';
import { formatValue, goQuote, goTypeName, isStruct, sortedEntries, sprint, sprintf, sprintln } from './go-values.ts';

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : formatValue(v, true));
const num = (v: unknown): number => {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const n = Number(str(v));
  return Number.isFinite(n) ? n : 0;
};
const int = (v: unknown): number => Math.trunc(num(v));
const list = (v: unknown): unknown[] => {
  if (Array.isArray(v)) return v;
  if (v === undefined || v === null) return [];
  throw new Error(`cannot find first on type ${goTypeName(v)}`);
};

function nonZero(n: number): number {
  if (n === 0) throw new Error('runtime error: integer divide by zero');
  return n;
}

function length(v: unknown): number {
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (Array.isArray(v)) return v.length;
  if (v instanceof Map) return v.size;
  throw new Error(`len of type ${goTypeName(v)}`);
}

function basicEq(a: unknown, b: unknown): boolean {
  for (const v of [a, b]) {
    if (typeof v === 'object' && v !== null) throw new Error('incompatible types for comparison');
  }
  return a === b || (a == null && b == null);
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new Error('incompatible types for comparison');
}

function index(item: unknown, ...keys: unknown[]): unknown {
  let v = item;
  for (const k of keys) {
    if (Array.isArray(v) || typeof v === 'string') {
      const i = int(k);
      if (i < 0 || i >= v.length) throw new Error(`index out of range: ${i}`);
      v = v[i];
    } else if (v instanceof Map) {
      v = v.has(k) ? v.get(k) : [...v.values()].every((x) => typeof x === 'string') ? '' : undefined;
    } else throw new Error(`can't index item of type ${goTypeName(v)}`);
  }
  return v;
}

function empty(v: unknown): boolean {
  return !truth(v);
}

function indent(n: unknown, s: unknown): string {
  const pad = ' '.repeat(int(n));
  return pad + str(s).replace(/\n/g, `\n${pad}`);
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function toJson(v: unknown): unknown {
  if (v instanceof Map) return Object.fromEntries(sortedEntries(v).map(([k, x]) => [str(k), toJson(x)]));
  if (Array.isArray(v)) return v.map(toJson);
  if (isStruct(v)) return Object.fromEntries(Object.entries(v).filter(([k]) => /^[A-Z]/.test(k)).map(([k, x]) => [k, toJson(x)]));
  return v === undefined ? null : v;
}

function fromJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(fromJson);
  if (typeof v === 'object' && v !== null) return new Map(Object.entries(v).map(([k, x]) => [k, fromJson(x)]));
  return v;
}

function dict(...kv: unknown[]): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (let i = 0; i < kv.length; i += 2) m.set(str(kv[i]), i + 1 < kv.length ? kv[i + 1] : '');
  return m;
}

function asMap(v: unknown): Map<unknown, unknown> {
  if (v instanceof Map) return v;
  throw new Error(`expected a dict, got ${goTypeName(v)}`);
}

function title(s: unknown): string {
  return str(s).replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_, sep: string, c: string) => sep + c.toUpperCase());
}

function trunc(n: unknown, s: unknown): string {
  const t = str(s);
  const c = int(n);
  if (c < 0 && t.length + c > 0) return t.slice(t.length + c);
  if (c >= 0 && t.length > c) return t.slice(0, c);
  return t;
}

function regex(pattern: unknown, flags = ''): RegExp {
  return new RegExp(str(pattern).replace(/\(\?P</g, '(?<'), flags);
}

/** Go `text/template` builtins. */
const BUILTINS: Record<string, TemplateFunc> = {
  not: (v) => !truth(v),
  len: length,
  index,
  slice: (item, ...ix) => {
    const v = item as string | unknown[];
    const [a = 0, b = v.length] = ix.map(int);
    return v.slice(a, b);
  },
  print: (...a) => sprint(a),
  printf: (f, ...a) => sprintf(str(f), a),
  println: (...a) => sprintln(a),
  eq: (a, ...bs) => {
    if (bs.length === 0) throw new Error('missing argument for comparison');
    return bs.some((b) => basicEq(a, b));
  },
  ne: (a, b) => !basicEq(a, b),
  lt: (a, b) => compare(a, b) < 0,
  le: (a, b) => compare(a, b) <= 0,
  gt: (a, b) => compare(a, b) > 0,
  ge: (a, b) => compare(a, b) >= 0,
  html: (...a) => sprint(a).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;'),
  urlquery: (...a) => encodeURIComponent(sprint(a)).replace(/%20/g, '+'),
  js: (...a) => sprint(a).replace(/[\\'"<>&=]/g, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`),
  call: (fn, ...a) => {
    if (typeof fn !== 'function') throw new Error(`non-function of type ${goTypeName(fn)}`);
    return (fn as TemplateFunc)(...a);
  },
};

/** The Sprig (hermetic) subset. */
const SPRIG: Record<string, TemplateFunc> = {
  // strings
  trim: (s) => str(s).trim(),
  trimAll: (c, s) => str(s).replace(new RegExp(`^[${escapeRe(str(c))}]+|[${escapeRe(str(c))}]+$`, 'g'), ''),
  trimPrefix: (p, s) => (str(s).startsWith(str(p)) ? str(s).slice(str(p).length) : str(s)),
  trimSuffix: (p, s) => (str(p) !== '' && str(s).endsWith(str(p)) ? str(s).slice(0, -str(p).length) : str(s)),
  upper: (s) => str(s).toUpperCase(),
  lower: (s) => str(s).toLowerCase(),
  title,
  untitle: (s) => str(s).replace(/(^|\s)(\S)/g, (_, a: string, c: string) => a + c.toLowerCase()),
  repeat: (n, s) => str(s).repeat(Math.max(0, int(n))),
  substr: (a, b, s) => {
    const t = str(s);
    const start = int(a) < 0 ? 0 : int(a);
    const end = int(b) < 0 || int(b) > t.length ? t.length : int(b);
    return start > end ? t.slice(start) : t.slice(start, end);
  },
  nospace: (s) => str(s).replace(/\s/g, ''),
  trunc,
  abbrev: (w, s) => (str(s).length <= int(w) ? str(s) : int(w) < 4 ? str(s) : `${str(s).slice(0, int(w) - 3)}...`),
  contains: (sub, s) => str(s).includes(str(sub)),
  hasPrefix: (p, s) => str(s).startsWith(str(p)),
  hasSuffix: (p, s) => str(s).endsWith(str(p)),
  quote: (...a) => a.filter((x) => x !== undefined && x !== null).map((x) => goQuote(str(x))).join(' '),
  squote: (...a) => a.filter((x) => x !== undefined && x !== null).map((x) => `'${str(x)}'`).join(' '),
  cat: (...a) => a.filter((x) => x !== undefined && x !== null).map(str).join(' '),
  indent,
  nindent: (n, s) => `\n${indent(n, s)}`,
  replace: (o, n, s) => str(s).split(str(o)).join(str(n)),
  plural: (one, many, n) => (int(n) === 1 ? str(one) : str(many)),
  snakecase: (s) => str(s).replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[-\s]+/g, '_').toLowerCase(),
  kebabcase: (s) => str(s).replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/[_\s]+/g, '-').toLowerCase(),
  camelcase: (s) => str(s).split(/[_\s-]+/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(''),
  toString: (v: unknown) => str(v),
  toStrings: (v) => list(v).map(str),
  join: (sep, v) => (Array.isArray(v) ? v.map(str).join(str(sep)) : str(v)),
  split: (sep, s) => new Map(str(s).split(str(sep)).map((p, i) => [`_${i}`, p])),
  splitList: (sep, s) => str(s).split(str(sep)),
  splitn: (sep, n, s) => {
    const parts = str(s).split(str(sep));
    const k = int(n);
    const out = k > 0 && parts.length > k ? [...parts.slice(0, k - 1), parts.slice(k - 1).join(str(sep))] : parts;
    return new Map(out.map((p, i) => [`_${i}`, p]));
  },
  sortAlpha: (v) => list(v).map(str).sort(),
  wrap: (w, s) => str(s).replace(new RegExp(`(?![^\\n]{1,${int(w)}}$)([^\\n]{1,${int(w)}})\\s`, 'g'), '$1\n'),
  initials: (s) => str(s).split(/\s+/).filter(Boolean).map((w) => w[0]).join(''),
  // regex (Go RE2 named groups accepted)
  regexMatch: (re, s) => regex(re).test(str(s)),
  regexFind: (re, s) => regex(re).exec(str(s))?.[0] ?? '',
  regexFindAll: (re, s, n) => {
    const all = [...str(s).matchAll(regex(re, 'g'))].map((m) => m[0]);
    return int(n) < 0 ? all : all.slice(0, int(n));
  },
  regexReplaceAll: (re, s, repl) => str(s).replace(regex(re, 'g'), str(repl).replace(/\$\{?(\w+)\}?/g, (_, g: string) => (/^\d+$/.test(g) ? `$${g}` : `$<${g}>`))),
  regexReplaceAllLiteral: (re, s, repl) => str(s).replace(regex(re, 'g'), () => str(repl)),
  regexSplit: (re, s, n) => {
    const parts = str(s).split(regex(re));
    return int(n) < 0 ? parts : parts.slice(0, int(n));
  },
  regexQuoteMeta: (s) => escapeRe(str(s)),
  // defaults and flow
  default: (d, ...v) => (v.length === 0 || empty(v[0]) ? d : v[0]),
  empty,
  coalesce: (...a) => a.find((x) => !empty(x)) ?? null,
  all: (...a) => a.every((x) => !empty(x)),
  any: (...a) => a.some((x) => !empty(x)),
  ternary: (t, f, c) => (truth(c) ? t : f),
  fail: (msg) => {
    throw new Error(str(msg));
  },
  // lists
  list: (...a) => a,
  first: (v) => list(v)[0] ?? null,
  last: (v) => list(v)[list(v).length - 1] ?? null,
  rest: (v) => list(v).slice(1),
  initial: (v) => list(v).slice(0, -1),
  append: (v, x) => [...list(v), x],
  prepend: (v, x) => [x, ...list(v)],
  concat: (...a) => a.flatMap(list),
  reverse: (v) => [...list(v)].reverse(),
  uniq: (v) => list(v).filter((x, i, arr) => arr.findIndex((y) => y === x) === i),
  compact: (v) => list(v).filter((x) => !empty(x)),
  without: (v, ...x) => list(v).filter((y) => !x.includes(y)),
  has: (x, v) => list(v).includes(x),
  until: (n) => Array.from({ length: Math.max(0, int(n)) }, (_, i) => i),
  // dicts
  dict,
  get: (m, k) => asMap(m).get(str(k)) ?? '',
  set: (m, k, v) => asMap(m).set(str(k), v),
  unset: (m, k) => {
    asMap(m).delete(str(k));
    return m;
  },
  hasKey: (m, k) => asMap(m).has(str(k)),
  keys: (...ms) => ms.flatMap((m) => [...asMap(m).keys()]),
  values: (m) => [...asMap(m).values()],
  pick: (m, ...ks) => new Map([...asMap(m)].filter(([k]) => ks.map(str).includes(str(k)))),
  omit: (m, ...ks) => new Map([...asMap(m)].filter(([k]) => !ks.map(str).includes(str(k)))),
  pluck: (k, ...ms) => ms.map((m) => asMap(m).get(str(k))).filter((x) => x !== undefined),
  // math
  add: (...a) => a.reduce<number>((s, x) => s + int(x), 0),
  add1: (a) => int(a) + 1,
  sub: (a, b) => int(a) - int(b),
  mul: (...a) => a.reduce<number>((s, x) => s * int(x), 1),
  div: (a, b) => Math.trunc(int(a) / nonZero(int(b))),
  mod: (a, b) => int(a) % nonZero(int(b)),
  max: (...a) => Math.max(...a.map(int)),
  min: (...a) => Math.min(...a.map(int)),
  floor: (a) => Math.floor(num(a)),
  ceil: (a) => Math.ceil(num(a)),
  round: (a, p) => Number(num(a).toFixed(int(p))),
  atoi: (s) => Number.parseInt(str(s), 10) || 0,
  int: int,
  int64: int,
  float64: num,
  // encoding, hashes, paths, types
  toJson: (v) => JSON.stringify(toJson(v)),
  toRawJson: (v) => JSON.stringify(toJson(v)),
  toPrettyJson: (v) => JSON.stringify(toJson(v), null, 2),
  fromJson: (s) => {
    try {
      return fromJson(JSON.parse(str(s)));
    } catch {
      return new Map();
    }
  },
  b64enc: (s) => Buffer.from(str(s)).toString('base64'),
  b64dec: (s) => Buffer.from(str(s), 'base64').toString('utf8'),
  sha1sum: (s) => createHash('sha1').update(str(s)).digest('hex'),
  sha256sum: (s) => createHash('sha256').update(str(s)).digest('hex'),
  base: (s) => str(s).replace(/\/+$/, '').split('/').pop() || (str(s).startsWith('/') ? '/' : '.'),
  dir: (s) => (str(s).includes('/') ? str(s).replace(/\/[^/]*$/, '') || '/' : '.'),
  ext: (s) => /\.[^./]*$/.exec(str(s))?.[0] ?? '',
  typeOf: (v) => goTypeName(v),
  kindIs: (k, v) => kindOf(v) === str(k),
  kindOf: (v) => kindOf(v),
  deepEqual: (a, b) => JSON.stringify(toJson(a)) === JSON.stringify(toJson(b)),
};

function kindOf(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (Array.isArray(v)) return 'slice';
  if (v instanceof Map) return 'map';
  if (v === null || v === undefined) return 'invalid';
  return 'struct';
}

/** Every function a commit message template may call. */
export const TEMPLATE_FUNCS: ReadonlyMap<string, TemplateFunc> = new Map([...Object.entries(BUILTINS), ...Object.entries(SPRIG), ['and', () => undefined], ['or', () => undefined]]);
