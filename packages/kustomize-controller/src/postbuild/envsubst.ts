// SPDX-License-Identifier: Apache-2.0
/**
 * Evaluation of envsubst templates (fluxcd/pkg `envsubst`). Lengths and substring offsets are
 * byte-based, as in Go. In strict mode a variable the mapping does not know fails the evaluation
 * unless the operator supplies its own fallback (`-`, `:-`, `=`, `:=`, `+`, `:+`, `?`, `:?`).
 */
import { parseTemplate, type FuncNode, type Node } from './envsubst-parse.ts';

export { EnvsubstParseError, parseTemplate } from './envsubst-parse.ts';

/** Looks a variable up; `exists=false` marks it unset (only meaningful in strict mode). */
export type Mapping = (name: string) => [value: string, exists: boolean];

/** A variable was unset in strict mode (fluxcd/pkg `errVarNotSet`). */
export class VariableNotSetError extends Error {
  override readonly name = 'VariableNotSetError';
  constructor(readonly variable: string) {
    super(`variable not set (strict mode): ${JSON.stringify(variable)}`);
  }
}

const DEFAULT_OPS = new Set(['-', '+', '=', '?', ':-', ':+', ':=', ':?']);

/** Evaluates `input` with `mapping`. @throws EnvsubstParseError, VariableNotSetError */
export function envsubst(input: string, mapping: Mapping): string {
  return evalNode(parseTemplate(input), mapping);
}

function evalNode(node: Node, mapping: Mapping): string {
  switch (node.type) {
    case 'text':
      return node.value;
    case 'list':
      return node.nodes.map((n) => evalNode(n, mapping)).join('');
    case 'func':
      return evalFunc(node, mapping);
  }
}

function evalFunc(node: FuncNode, mapping: Mapping): string {
  const args = node.args.map((a) => evalNode(a, mapping));
  const [v, exists] = mapping(node.param);
  if (!exists && !DEFAULT_OPS.has(node.name)) throw new VariableNotSetError(node.param);
  return lookup(node.name, args.length)(v, args);
}

type Fn = (s: string, args: string[]) => string;

function lookup(name: string, nargs: number): Fn {
  switch (name) {
    case ',':
      return (s) => mapFirst(s, (c) => c.toLowerCase());
    case ',,':
      return (s) => s.toLowerCase();
    case '^':
      return (s) => mapFirst(s, (c) => c.toUpperCase());
    case '^^':
      return (s) => s.toUpperCase();
    case '#':
      return nargs === 0 ? (s) => String(Buffer.byteLength(s)) : (s, a) => (a.length ? trimShortest(s, a[0]!) : s);
    case '##':
      return (s, a) => (a.length ? trimLongest(s, a[0]!) : s);
    case '%':
      return (s, a) => (a.length ? reverse(trimShortest(reverse(s), reverse(a[0]!))) : s);
    case '%%':
      return (s, a) => (a.length ? reverse(trimLongest(reverse(s), reverse(a[0]!))) : s);
    case ':':
      return toSubstr;
    case '/#':
      return (s, a) => (a.length === 2 && s.startsWith(a[0]!) ? a[1]! + s.slice(a[0]!.length) : s);
    case '/%':
      return (s, a) => (a.length === 2 && s.endsWith(a[0]!) ? s.slice(0, s.length - a[0]!.length) + a[1]! : s);
    case '/':
      return (s, a) => replace(s, a, false);
    case '//':
      return (s, a) => replace(s, a, true);
    default:
      return (s, a) => (s.length === 0 && a.length > 0 ? a.join('') : s);
  }
}

function mapFirst(s: string, f: (c: string) => string): string {
  if (s === '') return s;
  const first = String.fromCodePoint(s.codePointAt(0)!);
  return f(first) + s.slice(first.length);
}

function reverse(s: string): string {
  return Array.from(s).reverse().join('');
}

function replace(s: string, a: string[], all: boolean): string {
  if (a.length === 0) return s;
  const pattern = a[0]!;
  const repl = a[1] ?? '';
  if (all) {
    // Go strings.Replace with an empty old string inserts at every rune boundary.
    if (pattern === '') return repl + Array.from(s).join(repl) + (s === '' ? '' : repl);
    return s.split(pattern).join(repl);
  }
  if (pattern === '') return repl + s;
  const i = s.indexOf(pattern);
  return i < 0 ? s : s.slice(0, i) + repl + s.slice(i + pattern.length);
}

/** Go's `strconv.Atoi`. */
function atoi(v: string): number | undefined {
  return /^[+-]?\d+$/.test(v) ? Number(v) : undefined;
}

function toSubstr(s: string, args: string[]): string {
  if (args.length === 0) return s;
  const b = Buffer.from(s, 'utf8');
  let pos = atoi(args[0]!);
  if (pos === undefined) return s;
  if (pos < 0) pos = Math.max(0, b.length + pos);
  if (args.length === 1) return pos < b.length ? b.subarray(pos).toString('utf8') : '';
  const length = atoi(args[1]!);
  if (length === undefined) return s;
  if (length < 0) {
    const end = b.length + length;
    return end < pos ? '' : b.subarray(pos, end).toString('utf8');
  }
  if (pos + length >= b.length) return pos < b.length ? b.subarray(pos).toString('utf8') : '';
  return b.subarray(pos, pos + length).toString('utf8');
}

function trimShortest(s: string, pattern: string): string {
  const r = Array.from(s);
  let shortest: string | undefined;
  for (let i = 0; i < r.length; i++) {
    const prefix = r.slice(0, r.length - i).join('');
    const m = globMatch(pattern, prefix);
    if (m === undefined) return s;
    if (m) shortest = prefix;
  }
  return shortest ? s.slice(shortest.length) : s;
}

function trimLongest(s: string, pattern: string): string {
  const r = Array.from(s);
  for (let i = 0; i < r.length; i++) {
    const prefix = r.slice(0, r.length - i).join('');
    const m = globMatch(pattern, prefix);
    if (m === undefined) return s;
    if (m) return s.slice(prefix.length);
  }
  return s;
}

/**
 * Shell glob match of the whole `name` (`*` any run, including `/`; `?` one character;
 * `[...]` classes with ranges and `^`/`!` negation; `\` escapes). Undefined on a bad pattern.
 */
export function globMatch(pattern: string, name: string): boolean | undefined {
  const p = Array.from(pattern);
  const n = Array.from(name);
  const memo = new Map<string, boolean | undefined>();
  const match = (pi: number, ni: number): boolean | undefined => {
    const key = `${pi},${ni}`;
    if (memo.has(key)) return memo.get(key);
    let res: boolean | undefined;
    if (pi === p.length) res = ni === n.length;
    else if (p[pi] === '*') {
      res = false;
      for (let k = ni; k <= n.length; k++) {
        const r = match(pi + 1, k);
        if (r === undefined) return undefined;
        if (r) {
          res = true;
          break;
        }
      }
    } else if (ni === n.length) res = p[pi] === '[' || p[pi] === '\\' ? classOrEscapeValid(p, pi) && false : false;
    else if (p[pi] === '?') res = match(pi + 1, ni + 1);
    else if (p[pi] === '[') {
      const cls = parseClass(p, pi);
      if (!cls) return undefined;
      res = cls.test(n[ni]!) ? match(cls.end, ni + 1) : false;
    } else if (p[pi] === '\\') {
      if (pi + 1 >= p.length) return undefined;
      res = p[pi + 1] === n[ni] ? match(pi + 2, ni + 1) : false;
    } else res = p[pi] === n[ni] ? match(pi + 1, ni + 1) : false;
    memo.set(key, res);
    return res;
  };
  return match(0, 0);
}

function classOrEscapeValid(p: string[], pi: number): boolean {
  return p[pi] === '[' ? parseClass(p, pi) !== undefined : pi + 1 < p.length;
}

function parseClass(p: string[], start: number): { test: (c: string) => boolean; end: number } | undefined {
  let i = start + 1;
  const negate = p[i] === '^' || p[i] === '!';
  if (negate) i++;
  const ranges: Array<[string, string]> = [];
  let first = true;
  while (i < p.length && (p[i] !== ']' || first)) {
    first = false;
    let lo = p[i]!;
    if (lo === '\\') {
      if (++i >= p.length) return undefined;
      lo = p[i]!;
    }
    let hi = lo;
    if (p[i + 1] === '-' && p[i + 2] !== undefined && p[i + 2] !== ']') {
      hi = p[i + 2] === '\\' ? (p[i + 3] ?? '') : p[i + 2]!;
      i += p[i + 2] === '\\' ? 3 : 2;
      if (hi === '') return undefined;
    }
    ranges.push([lo, hi]);
    i++;
  }
  if (i >= p.length) return undefined;
  const test = (c: string): boolean => ranges.some(([lo, hi]) => c >= lo && c <= hi) !== negate;
  return { test, end: i + 1 };
}
