// SPDX-License-Identifier: Apache-2.0
/**
 * Lexer for the Go `text/template` syntax used by commit message templates: text, `{{ }}` actions
 * with `{{-`/`-}}` trim markers, comments, and the tokens inside actions.
 */

/** A template syntax error; `message` follows Go: `template: <name>:<line>: <detail>`. */
export class TemplateParseError extends Error {
  override readonly name = 'TemplateParseError';
  constructor(
    readonly templateName: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`template: ${templateName}:${line}: ${detail}`);
  }
}

/** Token kinds inside an action. */
export type TokenKind =
  | 'text'
  | 'open'
  | 'close'
  | 'comment'
  | 'ident'
  | 'field'
  | 'var'
  | 'dot'
  | 'string'
  | 'number'
  | 'char'
  | 'bool'
  | 'nil'
  | 'lparen'
  | 'rparen'
  | 'pipe'
  | 'declare'
  | 'assign'
  | 'comma'
  | 'eof';

/** One token with its position (1-based line, 0-based byte column as Go reports it). */
export interface Token {
  kind: TokenKind;
  value: string;
  line: number;
  col: number;
  /** Offset in the source. */
  pos: number;
}

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'break', 'continue', 'define', 'template', 'block', 'nil', 'true', 'false']);

/** Tokenises a template. Trim markers are applied to the neighbouring text tokens here. */
export function lex(name: string, src: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  const lineOf = (p: number): number => src.slice(0, p).split('\n').length;
  const colOf = (p: number): number => p - src.lastIndexOf('\n', p - 1) - 1;
  const push = (kind: TokenKind, value: string, p: number): void => {
    tokens.push({ kind, value, line: lineOf(p), col: colOf(p), pos: p });
  };
  const fail = (p: number, detail: string): never => {
    throw new TemplateParseError(name, lineOf(p), detail);
  };
  let trimNext = false;
  while (pos < src.length) {
    const open = src.indexOf('{{', pos);
    let text = src.slice(pos, open < 0 ? src.length : open);
    const trimBefore = open >= 0 && /^\{\{-[ \t\r\n]/.test(src.slice(open, open + 4));
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
    if (trimBefore) text = text.replace(/[ \t\r\n]+$/, '');
    if (text !== '') push('text', text, pos);
    trimNext = false;
    if (open < 0) break;
    let p = open + (trimBefore ? 3 : 2);
    push('open', '{{', open);
    const rest = src.slice(p);
    const comment = /^[ \t\r\n]*\/\*/.exec(rest);
    if (comment) {
      const end = src.indexOf('*/', p + comment[0].length);
      if (end < 0) fail(open, 'unclosed comment');
      const close = /^(?:[ \t\r\n]+-\}\}|\}\})/.exec(src.slice(end + 2));
      if (!close) fail(end, 'comment ends before closing delimiter');
      push('comment', src.slice(p, end + 2), p);
      trimNext = close![0].includes('-');
      pos = end + 2 + close![0].length;
      push('close', '}}', pos - 2);
      continue;
    }
    for (;;) {
      const ws = /^[ \t\r\n]+/.exec(src.slice(p));
      if (ws) p += ws[0].length;
      if (src.startsWith('-}}', p) && ws) {
        trimNext = true;
        push('close', '}}', p + 1);
        pos = p + 3;
        break;
      }
      if (src.startsWith('}}', p)) {
        push('close', '}}', p);
        pos = p + 2;
        break;
      }
      if (p >= src.length) fail(open, 'unclosed action');
      p = lexToken(src, p, push, fail);
    }
  }
  push('eof', '', src.length);
  return tokens;
}

type Push = (kind: TokenKind, value: string, p: number) => void;
type Fail = (p: number, detail: string) => never;

function lexToken(src: string, p: number, push: Push, fail: Fail): number {
  const rest = src.slice(p);
  const single: Record<string, TokenKind> = { '(': 'lparen', ')': 'rparen', '|': 'pipe', ',': 'comma' };
  const c = rest[0]!;
  if (single[c]) {
    push(single[c], c, p);
    return p + 1;
  }
  if (rest.startsWith(':=')) {
    push('declare', ':=', p);
    return p + 2;
  }
  if (c === '=') {
    push('assign', '=', p);
    return p + 1;
  }
  let m: RegExpExecArray | null;
  if ((m = /^"(?:[^"\\\n]|\\.)*"/.exec(rest))) {
    push('string', m[0], p);
    return p + m[0].length;
  }
  if ((m = /^`[^`]*`/.exec(rest))) {
    push('string', m[0], p);
    return p + m[0].length;
  }
  if ((m = /^'(?:[^'\\\n]|\\.)+'/.exec(rest))) {
    push('char', m[0], p);
    return p + m[0].length;
  }
  if ((m = /^\$[A-Za-z0-9_]*/.exec(rest))) {
    push('var', m[0], p);
    return p + m[0].length;
  }
  if ((m = /^(?:\.[A-Za-z_][A-Za-z0-9_]*)+/.exec(rest))) {
    push('field', m[0], p);
    return p + m[0].length;
  }
  if ((m = /^[+-]?(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(?:[0-9][0-9_]*)?\.?[0-9_]+(?:[eE][+-]?[0-9]+)?)/.exec(rest)) && /[0-9]/.test(m[0])) {
    push('number', m[0], p);
    return p + m[0].length;
  }
  if (c === '.') {
    push('dot', '.', p);
    return p + 1;
  }
  if ((m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest))) {
    const word = m[0];
    if (word === 'true' || word === 'false') push('bool', word, p);
    else if (word === 'nil') push('nil', word, p);
    else push('ident', word, p);
    return p + word.length;
  }
  return fail(p, `unexpected ${JSON.stringify(c)} in command`);
}

/** True for words that start or structure control actions. */
export function isKeyword(word: string): boolean {
  return KEYWORDS.has(word);
}
