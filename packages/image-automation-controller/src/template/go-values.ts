// SPDX-License-Identifier: Apache-2.0
/**
 * How Go values are modelled for templates, and Go's `fmt` rendering of them.
 *
 * - string, number, boolean: Go basic values (integral numbers print as integers);
 * - `null`: Go `nil`; `undefined`: a missing map entry ("<no value>" when printed);
 * - arrays: slices; `Map`: Go maps (printed and ranged in sorted key order);
 * - other objects: structs. Exported fields and methods start with an upper-case letter; a
 *   `String()` method makes the value a `fmt.Stringer`; {@link GO_TYPE} names the type for errors
 *   and {@link GO_FORMAT} overrides `%v` (used to print embedded structs like Go does).
 */

/** Symbol holding a struct's Go type name (e.g. `source.TemplateData`). */
export const GO_TYPE = Symbol.for('eddy.template.goType');
/** Symbol holding a custom `%v` formatter. */
export const GO_FORMAT = Symbol.for('eddy.template.goFormat');

type Struct = Record<string | symbol, unknown>;

/** True for values modelled as Go structs. */
export function isStruct(v: unknown): v is Struct {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map);
}

/** The Go type name of a value, for error messages. */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (Array.isArray(v)) return '[]interface {}';
  if (v instanceof Map) return 'map[string]interface {}';
  return ((v as Struct)[GO_TYPE] as string | undefined) ?? 'struct';
}

/** Go's `%v` of a number: integral values print as integers (Go ints); others as shortest `%g`. */
export function formatFloat(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  const exp = Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= 6) {
    const [m, e] = n.toExponential().split('e');
    const sign = e!.startsWith('-') ? '-' : '+';
    const digits = e!.replace(/^[+-]/, '').padStart(2, '0');
    return `${m}e${sign}${digits}`;
  }
  return String(n);
}

/** Sorted entries of a Go map (keys compared like `fmtsort`: numbers numerically, strings bytewise). */
export function sortedEntries(m: Map<unknown, unknown>): [unknown, unknown][] {
  return [...m.entries()].sort(([a], [b]) => compareKeys(a, b));
}

function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (isStruct(a) && isStruct(b)) {
    for (const k of Object.keys(a)) {
      const c = compareKeys(a[k], b[k]);
      if (c !== 0) return c;
    }
    return 0;
  }
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** The exported fields of a struct, in declaration order. */
export function structFields(v: Struct): [string, unknown][] {
  return Object.entries(v).filter(([k]) => /^[A-Z]/.test(k));
}

/** Go's `%v` formatting (`fmt.Sprint` of one value). */
export function formatValue(v: unknown, nested = false): string {
  if (v === undefined) return nested ? '<nil>' : '<no value>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatFloat(v);
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (typeof v === 'function') return '0x0';
  if (v instanceof Error) return v.message;
  if (Array.isArray(v)) return `[${v.map((x) => formatValue(x, true)).join(' ')}]`;
  if (v instanceof Map) return `map[${sortedEntries(v).map(([k, x]) => `${formatValue(k, true)}:${formatValue(x, true)}`).join(' ')}]`;
  const s = v as Struct;
  const custom = s[GO_FORMAT];
  if (typeof custom === 'function') return (custom as () => string).call(s);
  const str = s.String;
  if (typeof str === 'function') return String((str as () => unknown).call(s));
  return `{${structFields(s).map(([, x]) => formatValue(x, true)).join(' ')}}`;
}

/** Go's `strconv.Quote`, as `%q` prints strings. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function pad(s: string, width: number | undefined, left: boolean, zero: boolean): string {
  if (width === undefined || s.length >= width) return s;
  if (left) return s.padEnd(width);
  if (zero && /^[+-]?\d/.test(s)) {
    const sign = /^[+-]/.test(s) ? s[0]! : '';
    return sign + s.slice(sign.length).padStart(width - sign.length, '0');
  }
  return s.padStart(width);
}

function formatVerb(verb: string, arg: unknown, prec: number | undefined, plus: boolean): string {
  switch (verb) {
    case 'v':
      return formatValue(arg, true);
    case 's':
      return prec === undefined ? formatValue(arg, true) : formatValue(arg, true).slice(0, prec);
    case 'q':
      return typeof arg === 'string' ? goQuote(arg) : formatValue(arg, true);
    case 'd':
      if (typeof arg !== 'number' || !Number.isInteger(arg)) return `%!d(${goTypeName(arg)}=${formatValue(arg, true)})`;
      return (plus && arg >= 0 ? '+' : '') + String(arg);
    case 'f':
    case 'F':
      if (typeof arg !== 'number') return `%!f(${goTypeName(arg)}=${formatValue(arg, true)})`;
      return (plus && arg >= 0 ? '+' : '') + arg.toFixed(prec ?? 6);
    case 't':
      return typeof arg === 'boolean' ? String(arg) : `%!t(${goTypeName(arg)}=${formatValue(arg, true)})`;
    case 'x':
    case 'X': {
      const hex = typeof arg === 'number' ? arg.toString(16) : Buffer.from(formatValue(arg, true)).toString('hex');
      return verb === 'X' ? hex.toUpperCase() : hex;
    }
    case 'T':
      return goTypeName(arg);
    default:
      return `%!${verb}(${goTypeName(arg)}=${formatValue(arg, true)})`;
  }
}

/** Go's `fmt.Sprintf` for the verbs templates use: `%v %s %q %d %f %t %x %X %T %%`, flags `-+0`, width, precision. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argi = 0;
  const re = /%([-+0 #]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g;
  let last = 0;
  for (let m = re.exec(format); m; m = re.exec(format)) {
    out += format.slice(last, m.index);
    last = re.lastIndex;
    const [, flags = '', width, prec, verb = ''] = m;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const text = formatVerb(verb, args[argi++], prec === undefined ? undefined : Number(prec), flags.includes('+'));
    out += pad(text, width === undefined ? undefined : Number(width), flags.includes('-'), flags.includes('0'));
  }
  out += format.slice(last);
  if (argi < args.length) out += `%!(EXTRA ${args.slice(argi).map((a) => `${goTypeName(a)}=${formatValue(a, true)}`).join(', ')})`;
  return out;
}

/** Go's `fmt.Sprint`: spaces between operands when neither side is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(a, true);
  });
  return out;
}

/** Go's `fmt.Sprintln`: spaces between all operands, newline at the end. */
export function sprintln(args: readonly unknown[]): string {
  return `${args.map((a) => formatValue(a, true)).join(' ')}\n`;
}
