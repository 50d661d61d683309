// SPDX-License-Identifier: Apache-2.0
/**
 * Helm's `--set` / `--set-string` / `--set-literal` parsers (`helm.sh/helm/v4/pkg/strvals`), used by
 * Flux for `valuesFrom[].targetPath`. Ported rune for rune so keys such as `a.b[0].c`, escapes
 * (`a\.b`), `{x,y}` lists and typed values (`true`, `null`, integers) behave as in Helm.
 */

/** A strvals syntax error (Helm's message). */
export class StrvalsError extends Error {
  override readonly name = 'StrvalsError';
}

/** Helm's `MaxIndex`. */
const MAX_INDEX = 65536;
/** Helm's `MaxNestedNameLevel`. */
const MAX_NESTED_NAME_LEVEL = 30;

const EOF = Symbol('EOF');
class EofError extends Error {
  readonly [EOF] = true;
}
const isEof = (e: unknown): boolean => e instanceof EofError;

/** A rune reader over a string (code points, not UTF-16 units). */
class Scanner {
  private readonly runes: string[];
  private pos = 0;
  constructor(s: string) {
    this.runes = Array.from(s);
  }
  read(): string | undefined {
    return this.pos < this.runes.length ? this.runes[this.pos++] : undefined;
  }
  unread(): void {
    this.pos--;
  }
}

type Values = Record<string, unknown>;
type Reader = (v: string) => unknown;

/** Helm's `typedVal`: `true`/`false`/`null` (any case), integers without leading zero, else string. */
export function typedVal(val: string, forceString: boolean): unknown {
  if (forceString) return val;
  const lower = val.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  if (val === '0') return 0;
  if (val.length > 0 && val[0] !== '0' && /^[+-]?[0-9]+$/.test(val)) {
    const n = BigInt(val.replace(/^\+/, ''));
    if (n >= -(2n ** 63n) && n < 2n ** 63n) return Number(n);
  }
  return val;
}

/** Reads runes until one in `stop`; a backslash escapes the next rune unless `literal`. */
function runesUntil(sc: Scanner, stop: string, literal = false): { v: string; last: string | undefined; eof: boolean } {
  let v = '';
  for (;;) {
    const r = sc.read();
    if (r === undefined) return { v, last: undefined, eof: true };
    if (stop.includes(r)) return { v, last: r, eof: false };
    if (r === '\\' && !literal) {
      const next = sc.read();
      if (next === undefined) return { v, last: undefined, eof: true };
      v += next;
    } else v += r;
  }
}

function setIndex(list: unknown[], index: number, val: unknown): unknown[] {
  if (index < 0) throw new StrvalsError(`negative ${index} index not allowed`);
  if (index > MAX_INDEX) throw new StrvalsError(`index of ${index} is greater than maximum supported index of ${MAX_INDEX}`);
  while (list.length <= index) list.push(null);
  list[index] = val;
  return list;
}

function set(data: Values, key: string, val: unknown): void {
  if (key.length > 0) data[key] = val;
}

class Parser {
  constructor(
    private readonly sc: Scanner,
    private readonly data: Values,
    private readonly reader: Reader,
    private readonly literal: boolean,
  ) {}

  parse(): void {
    for (;;) {
      try {
        this.key(this.data, 0);
      } catch (e) {
        if (isEof(e)) return;
        throw e;
      }
    }
  }

  private keyIndex(): number {
    const { v, eof } = runesUntil(this.sc, ']');
    if (eof) throw new EofError();
    if (!/^[+-]?[0-9]+$/.test(v)) throw new StrvalsError(`error parsing index: strconv.Atoi: parsing "${v}": invalid syntax`);
    return Number(v);
  }

  private key(data: Values, level: number): void {
    const stop = this.literal ? '=[.' : '=[,.';
    const { v: k, last, eof } = runesUntil(this.sc, stop);
    if (eof) {
      if (k.length === 0) throw new EofError();
      throw new StrvalsError(`key "${k}" has no value`);
    }
    if (last === '[') return this.keyList(data, k, level);
    if (last === '=') return this.keyValue(data, k);
    if (last === ',') {
      set(data, k, '');
      throw new StrvalsError(`key "${k}" has no value (cannot end with ,)`);
    }
    this.keyNested(data, k, level);
  }

  /** `key[i]…`. */
  private keyList(data: Values, k: string, level: number): void {
    const i = this.keyIndex();
    const existing = data[k];
    if (existing !== undefined && !Array.isArray(existing)) {
      throw new StrvalsError(`unable to parse key: interface conversion: interface {} is ${goTypeName(existing)}, not []interface {}`);
    }
    let list: unknown[] = existing ?? [];
    let err: unknown;
    try {
      list = this.listItem(list, i, level);
    } catch (e) {
      err = e;
    }
    set(data, k, list);
    if (err !== undefined) throw err;
  }

  /** `key=value` or `key={a,b}`. */
  private keyValue(data: Values, k: string): void {
    if (this.literal) {
      set(data, k, runesUntil(this.sc, '', true).v);
      return;
    }
    const vl = this.valList();
    if (vl === EOF) {
      set(data, k, '');
      throw new EofError();
    }
    set(data, k, vl !== undefined ? vl : this.reader(runesUntil(this.sc, ',').v));
  }

  /** `key.rest…`. */
  private keyNested(data: Values, k: string, level: number): void {
    if (++level > MAX_NESTED_NAME_LEVEL) {
      throw new StrvalsError(`value name nested level is greater than maximum supported nested level of ${MAX_NESTED_NAME_LEVEL}`);
    }
    const existing = data[k];
    if (existing !== undefined && (existing === null || typeof existing !== 'object' || Array.isArray(existing))) {
      throw new StrvalsError(`unable to parse key: interface conversion: interface {} is ${goTypeName(existing)}, not map[string]interface {}`);
    }
    const inner: Values = (existing as Values | undefined) ?? {};
    let err: unknown;
    try {
      this.key(inner, level);
    } catch (e) {
      err = e;
    }
    if (err === undefined && Object.keys(inner).length === 0) throw new StrvalsError(`key map "${k}" has no value`);
    if (Object.keys(inner).length !== 0) set(data, k, inner);
    if (err !== undefined) throw err;
  }

  private listItem(list: unknown[], i: number, level: number): unknown[] {
    if (i < 0) throw new StrvalsError(`negative ${i} index not allowed`);
    const { v: k, last, eof } = runesUntil(this.sc, '[.=');
    if (k.length > 0) throw new StrvalsError(`unexpected data at end of array index: "${k}"`);
    if (eof) throw new EofError();
    if (last === '=') {
      if (this.literal) return setIndex(list, i, runesUntil(this.sc, '', true).v);
      const vl = this.valList();
      if (vl === EOF) return setIndex(list, i, '');
      if (vl !== undefined) return setIndex(list, i, vl);
      return setIndex(list, i, this.reader(runesUntil(this.sc, ',').v));
    }
    if (last === '[') {
      const next = this.keyIndex();
      const existing = list.length > i ? list[i] : null;
      const crt = Array.isArray(existing) ? existing : [];
      return setIndex(list, i, this.listItem(crt, next, level));
    }
    // last === '.'
    let inner: Values = {};
    if (list.length > i) {
      const cur = list[i];
      if (cur !== null && typeof cur === 'object' && !Array.isArray(cur)) inner = cur as Values;
      else list[i] = inner;
    }
    this.key(inner, level);
    return setIndex(list, i, inner);
  }

  /** Returns a `{a,b}` list, `undefined` when the value is not a list, or EOF. */
  private valList(): unknown[] | undefined | typeof EOF {
    const r = this.sc.read();
    if (r === undefined) return EOF;
    if (r !== '{') {
      this.sc.unread();
      return undefined;
    }
    const list: unknown[] = [];
    for (;;) {
      const { v, last, eof } = runesUntil(this.sc, ',}');
      if (eof) throw new StrvalsError("list must terminate with '}'");
      if (last === '}') {
        const next = this.sc.read();
        if (next !== undefined && next !== ',') this.sc.unread();
        list.push(this.reader(v));
        return list;
      }
      list.push(this.reader(v));
    }
  }
}

function goTypeName(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  if (Array.isArray(v)) return '[]interface {}';
  if (v === null) return 'nil';
  return 'map[string]interface {}';
}

/** Helm's `strvals.ParseInto`: typed values merged into `dest`. */
export function parseInto(s: string, dest: Values): void {
  new Parser(new Scanner(s), dest, (v) => typedVal(v, false), false).parse();
}

/** Helm's `strvals.ParseIntoString`: every value a string. */
export function parseIntoString(s: string, dest: Values): void {
  new Parser(new Scanner(s), dest, (v) => typedVal(v, true), false).parse();
}

/**
 * Helm's `strvals.ParseLiteralInto` (`--set-literal`): the value after the first `=` verbatim. Unlike
 * Helm, keys keep `--set` escapes (`a\\.b`), as Flux documents for `valuesFrom[].literal`.
 */
export function parseLiteralInto(s: string, dest: Values): void {
  new Parser(new Scanner(s), dest, (v) => v, true).parse();
}

/**
 * Flux's `ReplacePathValue`: sets `value` at the `--set`-style `path`. Quoted values (`'x'` or
 * `"x"`) are set as strings with the quotes trimmed; `literal` skips strvals parsing of the value.
 */
export function replacePathValue(values: Values, path: string, value: string, literal = false): void {
  if (literal) {
    parseLiteralInto(`${path}=${value}`, values);
    return;
  }
  const single = value.startsWith("'") && value.endsWith("'");
  const double = value.startsWith('"') && value.endsWith('"');
  if (single || double) {
    parseIntoString(`${path}=${value.replace(/^['"]+|['"]+$/g, '')}`, values);
    return;
  }
  parseInto(`${path}=${value}`, values);
}
