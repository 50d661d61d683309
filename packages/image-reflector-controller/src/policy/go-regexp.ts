// SPDX-License-Identifier: Apache-2.0
/**
 * Go (RE2) regular expressions on a JavaScript engine.
 *
 * Flux compiles `filterTags.pattern` and `exclusionList` entries with Go's `regexp` package. Users
 * write them in RE2 syntax (`(?P<ts>\d+)`, `(?i)`, `\z`, `[[:alpha:]]`), so this module translates an
 * RE2 pattern into an equivalent `RegExp` and refuses what RE2 refuses (look-around,
 * back-references), so a pattern is valid in Eddy exactly when it is valid in Flux.
 *
 * Every group is compiled as a plain numbered group; names are kept on the side. That keeps Go's
 * group numbering, allows names JavaScript would reject (`(?P<1st>…)`), and lets
 * {@link expandGoTemplate} implement `regexp.Expand` (`$name`, `${name}`, `$1`, `$$`) exactly.
 */

/** The pattern is not a valid (or supported) Go regular expression. */
export class GoRegexpError extends Error {
  override readonly name = 'GoRegexpError';
  constructor(
    readonly pattern: string,
    detail: string,
  ) {
    super(`error parsing regexp: ${detail}: \`${pattern}\``);
  }
}

/** A compiled Go regular expression. */
export interface GoRegexp {
  /** The original RE2 pattern. */
  readonly pattern: string;
  /** The translated JavaScript expression (no `g` flag: stateless). */
  readonly regex: RegExp;
  /** Name of each capturing group by Go group number (index 0 is the whole match, unnamed). */
  readonly groupNames: readonly string[];
}

const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const JS_SYNTAX = new Set('^$\\.*+?()[]{}|/'.split(''));
const GO_FLAGS = /^\(\?([imsU]+)\)/;
const GROUP_NAME = /^[A-Za-z0-9_]+$/;

interface Translation {
  out: string;
  names: string[];
  unicode: boolean;
  /** Go's `(?U)`: swap greedy and lazy quantifiers. */
  ungreedy: boolean;
}

const REPEAT = /^\{([0-9]+)(,([0-9]*))?\}/;
const MAX_REPEAT = 1000;

/** Translates a quantifier at `body[i]`, or returns undefined when there is none. */
function translateQuantifier(pattern: string, body: string, i: number, t: Translation): [string, number] | undefined {
  let q = body[i]!;
  if (q === '{') {
    const m = REPEAT.exec(body.slice(i));
    if (!m) return undefined;
    if (Number(m[1]) > MAX_REPEAT || Number(m[3] || 0) > MAX_REPEAT) {
      throw new GoRegexpError(pattern, `invalid repeat count: \`${m[0]}\``);
    }
    q = m[0];
  } else if (q !== '*' && q !== '+' && q !== '?') return undefined;
  const lazy = body[i + q.length] === '?';
  const n = q.length + (lazy ? 1 : 0);
  return [q + (lazy !== t.ungreedy ? '?' : ''), n];
}

/** Escapes one literal character for a JS pattern (valid with and without the `u` flag). */
function literal(ch: string, inClass: boolean): string {
  if (JS_SYNTAX.has(ch) || (inClass && ch === '-')) return `\\${ch}`;
  return ch;
}

function octalEscape(rest: string, pattern: string): [string, number] {
  // Go: a single non-zero digit is a back-reference (unsupported); `\0`, `\12`, `\123` are octal.
  const m = /^[0-7]{1,3}/.exec(rest);
  if (!m || (m[0].length === 1 && m[0] !== '0')) throw new GoRegexpError(pattern, `invalid escape sequence: \`\\${rest[0]}\``);
  const code = parseInt(m[0], 8);
  return [`\\x${code.toString(16).padStart(2, '0')}`, m[0].length];
}

/** Translates the escape at `pattern[i]` (a backslash); returns the JS text and the characters consumed. */
function translateEscape(pattern: string, i: number, inClass: boolean, t: Translation): [string, number] {
  const next = pattern[i + 1];
  if (next === undefined) throw new GoRegexpError(pattern, 'trailing backslash at end of expression');
  if (next === 'Q') {
    const end = pattern.indexOf('\\E', i + 2);
    const body = end < 0 ? pattern.slice(i + 2) : pattern.slice(i + 2, end);
    const text = [...body].map((c) => literal(c, inClass)).join('');
    return [text, (end < 0 ? pattern.length : end + 2) - i];
  }
  if (!inClass && next === 'z') return ['$(?![\\s\\S])', 2];
  if (!inClass && next === 'A') return ['(?<![\\s\\S])', 2];
  if (/[0-9]/.test(next)) {
    const [text, n] = octalEscape(pattern.slice(i + 1), pattern);
    return [text, n + 1];
  }
  if (next === 'p' || next === 'P') {
    t.unicode = true;
    if (pattern[i + 2] === '{') {
      const end = pattern.indexOf('}', i + 2);
      if (end < 0) throw new GoRegexpError(pattern, 'invalid character class range');
      return [`\\${next}{${pattern.slice(i + 3, end)}}`, end + 1 - i];
    }
    return [`\\${next}{${pattern[i + 2] ?? ''}}`, 3];
  }
  if ('dDsSwWbBfnrtv'.includes(next)) return [`\\${next}`, 2];
  if (next === 'x') {
    const m = /^x(\{[0-9A-Fa-f]+\}|[0-9A-Fa-f]{2})/.exec(pattern.slice(i + 1));
    if (!m) throw new GoRegexpError(pattern, 'invalid escape sequence: `\\x`');
    const hex = m[1]!.replace(/[{}]/g, '');
    const code = parseInt(hex, 16);
    return [code > 0xff ? (t.unicode = true, `\\u{${hex}}`) : `\\x${hex.padStart(2, '0')}`, 1 + m[0].length];
  }
  if (/[A-Za-z]/.test(next)) throw new GoRegexpError(pattern, `invalid escape sequence: \`\\${next}\``);
  return [literal(next, inClass), 2];
}

/** Translates a `(` group opener at `pattern[i]`; returns the JS text and characters consumed. */
function translateGroup(pattern: string, i: number, t: Translation): [string, number] {
  if (pattern[i + 1] !== '?') {
    t.names.push('');
    return ['(', 1];
  }
  const rest = pattern.slice(i);
  const named = /^\(\?P?<([^>]*)>/.exec(rest);
  if (named && !rest.startsWith('(?<=') && !rest.startsWith('(?<!')) {
    const name = named[1]!;
    if (!GROUP_NAME.test(name)) throw new GoRegexpError(pattern, `invalid named capture: \`${named[0]}\``);
    if (t.names.includes(name)) throw new GoRegexpError(pattern, `duplicate capture group name: \`${named[0]}\``);
    t.names.push(name);
    return ['(', named[0].length];
  }
  if (rest.startsWith('(?:')) return ['(?:', 3];
  throw new GoRegexpError(pattern, `invalid or unsupported Perl syntax: \`${rest.slice(0, 3)}\``);
}

/** Translates a character class starting at `pattern[i]` (`[`); returns JS text and characters consumed. */
function translateClass(pattern: string, i: number, t: Translation): [string, number] {
  let j = i + 1;
  let out = '[';
  if (pattern[j] === '^') {
    out += '^';
    j++;
  }
  let first = true;
  for (;;) {
    const ch = pattern[j];
    if (ch === undefined) throw new GoRegexpError(pattern, `missing closing ]: \`${pattern.slice(i)}\``);
    if (ch === ']' && !first) break;
    first = false;
    if (ch === '[' && pattern[j + 1] === ':') {
      const m = /^\[:(\^?)([a-z]+):\]/.exec(pattern.slice(j));
      if (m) {
        const body = POSIX_CLASSES[m[2]!];
        if (!body) throw new GoRegexpError(pattern, `invalid character class range: \`${m[0]}\``);
        if (m[1]) throw new GoRegexpError(pattern, `unsupported negated POSIX class: \`${m[0]}\``);
        out += body;
        j += m[0].length;
        continue;
      }
    }
    if (ch === '\\') {
      const [text, n] = translateEscape(pattern, j, true, t);
      out += text;
      j += n;
      continue;
    }
    out += ch === ']' || ch === '[' ? `\\${ch}` : ch;
    j++;
  }
  return [`${out}]`, j + 1 - i];
}

function translate(pattern: string, body: string, ungreedy: boolean): Translation {
  const t: Translation = { out: '', names: [''], unicode: false, ungreedy };
  for (let i = 0; i < body.length; ) {
    const ch = body[i]!;
    let text: string;
    let n: number;
    if (ch === '\\') [text, n] = translateEscape(body, i, false, t);
    else if (ch === '(') [text, n] = translateGroup(body, i, t);
    else if (ch === '[') [text, n] = translateClass(body, i, t);
    else [text, n] = translateQuantifier(pattern, body, i, t) ?? [ch, 1];
    t.out += text;
    i += n;
  }
  return t;
}

/**
 * Compiles a Go RE2 pattern. Leading flag groups (`(?i)`, `(?s)`, `(?m)`) become JS flags; flag
 * groups elsewhere, look-around and back-references raise {@link GoRegexpError}; `(?U)` swaps
 * greedy and lazy quantifiers.
 */
export function compileGoRegexp(pattern: string): GoRegexp {
  let body = pattern;
  let flags = '';
  const f = GO_FLAGS.exec(body);
  let ungreedy = false;
  if (f) {
    ungreedy = f[1]!.includes('U');
    flags = [...new Set(f[1]!.replace(/U/g, '').split(''))].join('');
    body = body.slice(f[0].length);
  }
  const t = translate(pattern, body, ungreedy);
  if (t.unicode) flags += 'u';
  try {
    return { pattern, regex: new RegExp(t.out, flags), groupNames: t.names };
  } catch (err) {
    throw new GoRegexpError(pattern, (err as Error).message);
  }
}

/** Go's `regexp.MatchString`: true when the expression matches anywhere in `s`. */
export function goMatch(re: GoRegexp, s: string): boolean {
  return re.regex.test(s);
}

function groupValue(re: GoRegexp, m: RegExpExecArray, name: string): string {
  if (/^[0-9]+$/.test(name) && !(name.length > 1 && name[0] === '0')) {
    const num = Number(name);
    return num < m.length ? (m[num] ?? '') : '';
  }
  const idx = re.groupNames.findIndex((n, i) => i > 0 && n === name && m[i] !== undefined);
  return idx > 0 ? m[idx]! : '';
}

/**
 * Go's `Regexp.ExpandString`: replaces `$name`/`${name}` in `template` with the submatch of `m`
 * (a number selects by index, a name by group name; unknown ones expand to ""), `$$` with `$`;
 * a malformed reference keeps its `$`. A bare `$name` takes the longest run of letters, digits and
 * underscores (`$1x` means `${1x}`).
 */
export function expandGoTemplate(re: GoRegexp, template: string, m: RegExpExecArray): string {
  let out = '';
  let rest = template;
  for (;;) {
    const at = rest.indexOf('$');
    if (at < 0) break;
    out += rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (rest.startsWith('$')) {
      out += '$';
      rest = rest.slice(1);
      continue;
    }
    const ref = /^(?:\{([\p{L}\p{N}_]+)\}|([\p{L}\p{N}_]+))/u.exec(rest);
    if (!ref) {
      out += '$';
      continue;
    }
    out += groupValue(re, m, ref[1] ?? ref[2]!);
    rest = rest.slice(ref[0].length);
  }
  return out + rest;
}
