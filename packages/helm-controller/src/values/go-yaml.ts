// SPDX-License-Identifier: Apache-2.0
/**
 * A byte-exact re-implementation of the YAML that Flux hashes for values digests: go-yaml v2 (as
 * vendored by `sigs.k8s.io/yaml/goyaml.v2`) encoding a `MapSlice` produced by
 * `yaml.JSONObjectToYAMLObject`, keys sorted (fluxcd/pkg `chartutil.Encode` + `SortMapSlice`).
 *
 * Only the block-style subset that JSON-like values produce is implemented: block mappings and
 * sequences, `{}`/`[]` for empty collections, plain / single-quoted / double-quoted / literal
 * scalars chosen by libyaml's scalar analysis, and line folding at 80 columns. The golden vectors in
 * `testdata/goyaml-v2-vectors.json` were produced by the Go encoder itself.
 */

const BEST_WIDTH = 80;
const BEST_INDENT = 2;

const isBreak = (c: number | undefined): boolean =>
  c === 0x0d || c === 0x0a || c === 0x85 || c === 0x2028 || c === 0x2029;
const isSpace = (c: number | undefined): boolean => c === 0x20;
const isBlank = (c: number | undefined): boolean => c === 0x20 || c === 0x09;
const isBlankz = (c: number | undefined): boolean => c === undefined || c === 0 || isBlank(c) || isBreak(c);
const isPrintable = (c: number): boolean =>
  c === 0x0a ||
  (c >= 0x20 && c <= 0x7e) ||
  (c >= 0xa0 && c <= 0xd7ff) ||
  (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff);

type Style = 'plain' | 'single' | 'double' | 'literal';

interface Analysis {
  multiline: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

/** libyaml's indicator scan: does a plain scalar need quoting in block context? */
function hasBlockIndicators(cps: number[]): boolean {
  const s3 = String.fromCodePoint(...cps.slice(0, 3));
  if (s3 === '---' || s3 === '...') return true;
  let precededByWs = true;
  for (let i = 0; i < cps.length; i++) {
    const ch = String.fromCodePoint(cps[i]!);
    const followedByWs = i + 1 >= cps.length || isBlank(cps[i + 1]);
    if (i === 0 && ('#,[]{}&*!|>\'"%@`'.includes(ch) || ('?:-'.includes(ch) && followedByWs))) return true;
    if (i > 0 && ((ch === ':' && followedByWs) || (ch === '#' && precededByWs))) return true;
    precededByWs = isBlankz(cps[i]);
  }
  return false;
}

/** libyaml's whitespace and special-character scan. */
function whitespace(cps: number[]): Record<'special' | 'lineBreaks' | 'leading' | 'trailingSpace' | 'trailingBreak' | 'breakSpace' | 'spaceBreak', boolean> {
  const w = { special: false, lineBreaks: false, leading: false, trailingSpace: false, trailingBreak: false, breakSpace: false, spaceBreak: false };
  let prevSpace = false;
  let prevBreak = false;
  cps.forEach((c, i) => {
    if (!isPrintable(c)) w.special = true;
    const last = i === cps.length - 1;
    const space = isSpace(c);
    const brk = isBreak(c);
    if (brk) w.lineBreaks = true;
    if ((space || brk) && i === 0) w.leading = true;
    if (space && last) w.trailingSpace = true;
    if (brk && last) w.trailingBreak = true;
    if (space && prevBreak) w.breakSpace = true;
    if (brk && prevSpace) w.spaceBreak = true;
    prevSpace = space;
    prevBreak = brk;
  });
  return w;
}

/** libyaml's `yaml_emitter_analyze_scalar`, for the block context (flow level 0). */
function analyze(cps: number[]): Analysis {
  if (cps.length === 0) {
    return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  }
  const w = whitespace(cps);
  const a: Analysis = { multiline: w.lineBreaks, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: true };
  if (w.leading || w.trailingSpace || w.trailingBreak) a.blockPlainAllowed = false;
  if (w.trailingSpace) a.blockAllowed = false;
  if (w.breakSpace) a.blockPlainAllowed = a.singleQuotedAllowed = false;
  if (w.spaceBreak || w.special) a.blockPlainAllowed = a.singleQuotedAllowed = a.blockAllowed = false;
  if (w.lineBreaks || hasBlockIndicators(cps)) a.blockPlainAllowed = false;
  return a;
}

const RESOLVE_MAP = new Set([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'],
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'],
  ...['', '~', 'null', 'Null', 'NULL', '.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF'],
  ...['+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF'],
]);
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const TIMESTAMPS = [
  /^(\d{4})-(\d{1,2})-(\d{1,2})[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
  /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d+)?$/,
  /^(\d{4})-(\d{1,2})-(\d{1,2})$/,
];

function isTimestamp(s: string): boolean {
  for (const re of TIMESTAMPS) {
    const m = re.exec(s);
    if (!m) continue;
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) return false;
    if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59)) return false;
    return true;
  }
  return false;
}

const INT_FORMS: Array<[RegExp, number, number]> = [
  [/^([+-]?)0[xX]([0-9a-fA-F]+)$/, 16, 2],
  [/^([+-]?)0[oO]([0-7]+)$/, 8, 2],
  [/^([+-]?)0[bB]([01]+)$/, 2, 2],
  [/^([+-]?)0([0-7]+)$/, 8, 2],
  [/^([+-]?)([0-9]+)$/, 10, 2],
];

/** Go's `strconv.ParseInt(s, 0, 64)` or `ParseUint(s, 0, 64)` succeeding. */
function goParsesAsInt(s: string): boolean {
  for (const [re, base, group] of INT_FORMS) {
    const m = re.exec(s);
    if (!m) continue;
    const digits = m[group]!;
    const prefix = base === 16 ? '0x' : base === 8 ? '0o' : base === 2 ? '0b' : '';
    const v = BigInt(prefix + digits);
    const neg = m[1] === '-';
    if (neg) return v <= 2n ** 63n;
    return v <= 2n ** 64n - 1n;
  }
  return false;
}

/** True when go-yaml v2 would resolve the unquoted string to something other than `!!str`. */
export function resolvesToNonString(s: string): boolean {
  if (RESOLVE_MAP.has(s)) return true;
  const c = s[0]!;
  if (c === '.') return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s);
  if (c === '+' || c === '-' || (c >= '0' && c <= '9')) {
    if (isTimestamp(s)) return true;
    const plain = s.replaceAll('_', '');
    if (goParsesAsInt(plain)) return true;
    if (YAML_STYLE_FLOAT.test(plain)) return true;
    if (/^-?0b[01]+$/.test(plain)) return true;
  }
  return false;
}

function isBase60Float(s: string): boolean {
  const c = s[0];
  if (c === undefined || !(c === '+' || c === '-' || (c >= '0' && c <= '9')) || !s.includes(':')) return false;
  return BASE60_FLOAT.test(s);
}

/** Go's `strconv.FormatFloat(f, 'g', -1, 64)` with go-yaml's spelling of infinities and NaN. */
export function formatGoFloat(f: number): string {
  if (Number.isNaN(f)) return '.nan';
  if (f === Infinity) return '.inf';
  if (f === -Infinity) return '-.inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mant, expStr] = f.toExponential().split('e') as [string, string];
  const exp = Number(expStr);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    const abs = Math.abs(exp);
    return `${mant}e${sign}${abs < 10 ? '0' : ''}${abs}`;
  }
  return String(f);
}

/** `yaml.JSONObjectToYAMLObject` turns integral floats into int64/uint64; everything else stays float. */
function formatNumber(n: number): string {
  if (Number.isInteger(n)) {
    if (Math.abs(n) < 2 ** 63 || (n >= 0 && n < 2 ** 64)) return BigInt(n).toString();
  }
  return formatGoFloat(n);
}

/** The writer state of libyaml's emitter that matters for block output. */
class Emitter {
  private out: string[] = [];
  private column = 0;
  private whitespace = true;
  private indention = true;
  private indent = -1;
  private readonly indents: number[] = [];

  result(): string {
    this.writeIndent();
    return this.out.join('');
  }

  private put(s: string): void {
    this.out.push(s);
    this.column += 1;
  }
  private putBreak(): void {
    this.out.push('\n');
    this.column = 0;
  }
  private writeBreak(c: number): void {
    if (c === 0x0a) this.putBreak();
    else {
      this.out.push(String.fromCodePoint(c));
      this.column = 0;
    }
  }
  private writeIndicator(ind: string, needWs: boolean, isWs: boolean, isIndention: boolean): void {
    if (needWs && !this.whitespace) this.put(' ');
    this.out.push(ind);
    this.column += ind.length;
    this.whitespace = isWs;
    this.indention = this.indention && isIndention;
  }
  private writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.putBreak();
    while (this.column < indent) this.put(' ');
    this.whitespace = true;
    this.indention = true;
  }
  private pushIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? BEST_INDENT : 0;
    else if (!indentless) this.indent += BEST_INDENT;
  }
  private popIndent(): void {
    this.indent = this.indents.pop()!;
  }

  /** Emits any JSON-like value as a node. */
  node(v: unknown, ctx: { mapping: boolean; simpleKey: boolean }): void {
    if (Array.isArray(v)) this.sequence(v, ctx.mapping);
    else if (v !== null && typeof v === 'object') this.mapping(v as Record<string, unknown>);
    else if (typeof v === 'string') this.string(v, ctx.simpleKey);
    else this.scalar(v === null || v === undefined ? 'null' : typeof v === 'number' ? formatNumber(v) : String(v), 'plain', ctx.simpleKey);
  }

  private mapping(m: Record<string, unknown>): void {
    const keys = Object.keys(m).sort(compareGoStrings);
    if (keys.length === 0) {
      this.writeIndicator('{', true, true, false);
      this.writeIndicator('}', false, false, false);
      return;
    }
    this.pushIndent(false, false);
    for (const k of keys) {
      this.writeIndent();
      const cps = Array.from(k, (ch) => ch.codePointAt(0)!);
      const simple = cps.length <= 128 && !cps.some(isBreak);
      if (simple) {
        this.string(k, true);
        this.writeIndicator(':', false, false, false);
      } else {
        this.writeIndicator('?', true, false, true);
        this.string(k, false);
        this.writeIndent();
        this.writeIndicator(':', true, false, true);
      }
      this.node(m[k], { mapping: true, simpleKey: false });
    }
    this.popIndent();
  }

  private sequence(items: unknown[], mappingContext: boolean): void {
    if (items.length === 0) {
      this.writeIndicator('[', true, true, false);
      this.writeIndicator(']', false, false, false);
      return;
    }
    this.pushIndent(false, mappingContext && !this.indention);
    for (const item of items) {
      this.writeIndent();
      this.writeIndicator('-', true, false, true);
      this.node(item, { mapping: false, simpleKey: false });
    }
    this.popIndent();
  }

  private string(s: string, simpleKey: boolean): void {
    const canUsePlain = s !== '' && !resolvesToNonString(s) && !isBase60Float(s);
    const style: Style = s.includes('\n') ? 'literal' : canUsePlain ? 'plain' : 'double';
    this.scalar(s, style, simpleKey);
  }

  private scalar(s: string, requested: Style, simpleKey: boolean): void {
    const cps = Array.from(s, (ch) => ch.codePointAt(0)!);
    const a = analyze(cps);
    let style = requested;
    if (simpleKey && a.multiline) style = 'double';
    if (style === 'plain' && (!a.blockPlainAllowed || (cps.length === 0 && simpleKey))) style = 'single';
    if (style === 'single' && !a.singleQuotedAllowed) style = 'double';
    if (style === 'literal' && (!a.blockAllowed || simpleKey)) style = 'double';
    this.pushIndent(true, false);
    const allowBreaks = !simpleKey;
    if (style === 'plain') this.writePlain(cps, allowBreaks);
    else if (style === 'single') this.writeSingle(cps, allowBreaks);
    else if (style === 'double') this.writeDouble(cps, allowBreaks);
    else this.writeLiteral(cps);
    this.popIndent();
  }

  private writePlain(cps: number[], allowBreaks: boolean): void {
    if (!this.whitespace) this.put(' ');
    let spaces = false;
    for (let i = 0; i < cps.length; i++) {
      const c = cps[i]!;
      if (isSpace(c)) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && !isSpace(cps[i + 1])) this.writeIndent();
        else this.put(' ');
        spaces = true;
      } else {
        this.put(String.fromCodePoint(c));
        this.indention = false;
        spaces = false;
      }
    }
    this.whitespace = false;
    this.indention = false;
  }

  private writeSingle(cps: number[], allowBreaks: boolean): void {
    this.writeIndicator("'", true, false, false);
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < cps.length; i++) {
      const c = cps[i]!;
      if (isSpace(c)) {
        const wrap = allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < cps.length - 1;
        if (wrap && !isSpace(cps[i + 1])) this.writeIndent();
        else this.put(' ');
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === 0x0a) this.putBreak();
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        if (c === 0x27) this.put("'");
        this.put(String.fromCodePoint(c));
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.writeIndicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private writeDouble(cps: number[], allowBreaks: boolean): void {
    this.writeIndicator('"', true, false, false);
    // libyaml's is_bom ignores its index: a leading BOM makes every character escaped.
    const bom = cps[0] === 0xfeff;
    let spaces = false;
    for (let i = 0; i < cps.length; i++) {
      const c = cps[i]!;
      if (!isPrintable(c) || bom || isBreak(c) || c === 0x22 || c === 0x5c) {
        this.put('\\');
        this.escape(c);
        spaces = false;
      } else if (isSpace(c)) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < cps.length - 1) {
          this.writeIndent();
          if (isSpace(cps[i + 1])) this.put('\\');
        } else this.put(' ');
        spaces = true;
      } else {
        this.put(String.fromCodePoint(c));
        spaces = false;
      }
    }
    this.writeIndicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private escape(c: number): void {
    const named: Record<number, string> = {
      0x00: '0', 0x07: 'a', 0x08: 'b', 0x09: 't', 0x0a: 'n', 0x0b: 'v', 0x0c: 'f', 0x0d: 'r', 0x1b: 'e',
      0x22: '"', 0x5c: '\\', 0x85: 'N', 0xa0: '_', 0x2028: 'L', 0x2029: 'P',
    };
    const n = named[c];
    if (n !== undefined) {
      this.put(n);
      return;
    }
    const [letter, width] = c <= 0xff ? ['x', 2] : c <= 0xffff ? ['u', 4] : ['U', 8];
    this.put(letter);
    for (const d of c.toString(16).toUpperCase().padStart(width, '0')) this.put(d);
  }

  private writeLiteral(cps: number[]): void {
    this.writeIndicator('|', true, false, false);
    if (isSpace(cps[0]) || isBreak(cps[0])) this.writeIndicator(String(BEST_INDENT), false, false, false);
    const last = cps[cps.length - 1];
    let chomp = '';
    if (!isBreak(last)) chomp = '-';
    else if (cps.length === 1 || isBreak(cps[cps.length - 2])) chomp = '+';
    if (chomp) this.writeIndicator(chomp, false, false, false);
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (const c of cps) {
      if (isBreak(c)) {
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.put(String.fromCodePoint(c));
        this.indention = false;
        breaks = false;
      }
    }
  }
}

/** Go's string ordering: byte-wise on UTF-8. */
export function compareGoStrings(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Encodes a values map the way Flux hashes it. An empty or absent map encodes to the empty string
 * (fluxcd/pkg `chartutil.DigestValues` treats empty values as nil).
 */
export function encodeGoYamlV2(values: Record<string, unknown> | undefined | null): string {
  if (!values || Object.keys(values).length === 0) return '';
  const e = new Emitter();
  e.node(values, { mapping: false, simpleKey: false });
  return e.result();
}
