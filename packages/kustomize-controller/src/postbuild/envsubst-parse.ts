// SPDX-License-Identifier: Apache-2.0
/**
 * A port of the scanner and parser of fluxcd/pkg `envsubst` (forked from drone/envsubst), the
 * bash-like substitution Flux runs in `postBuild`. The grammar and its quirks are kept exactly:
 * `${var}`, `${#var}`, `${var^}`/`^^`/`,`/`,,`, `${var:pos[:len]}`, `${var=d}`, `${var:=d}`,
 * `${var:-d}` (and `:?`/`:+`, which act as defaults), `${var/p/r}`, `//`, `/#`, `/%`,
 * `${var#p}`/`##`/`%`/`%%`, nesting, and `$${var}` to escape. `$var` without braces is text.
 */

/** A parsed template node. */
export type Node = TextNode | FuncNode | ListNode;
/** Literal text. */
export interface TextNode {
  type: 'text';
  value: string;
}
/** A substitution: `param` is the variable, `name` the operator (`''` for plain `${var}`). */
export interface FuncNode {
  type: 'func';
  param: string;
  name: string;
  args: Node[];
}
/** A sequence of nodes. */
export interface ListNode {
  type: 'list';
  nodes: Node[];
}

/** The parser's errors, with fluxcd/pkg's messages. */
export class EnvsubstParseError extends Error {
  override readonly name = 'EnvsubstParseError';
}
const errBad = (): EnvsubstParseError => new EnvsubstParseError('bad substitution');
const errMissingBrace = (): EnvsubstParseError => new EnvsubstParseError('missing closing brace');
const errVarName = (): EnvsubstParseError => new EnvsubstParseError('unable to parse variable name');
const errFuncSub = (): EnvsubstParseError => new EnvsubstParseError('unable to parse substitution within function');
const errDefault = (): EnvsubstParseError => new EnvsubstParseError('unable to parse default function');

const EOF = '';
const enum Tok {
  Illegal,
  EOF,
  Ident,
  Lbrack,
  Rbrack,
}
const SCAN_IDENT = 1;
const SCAN_LBRACK = 2;
const SCAN_RBRACK = 4;
const SCAN_ESCAPE = 8;
const ESC_DOLLAR = 1;
const ESC_BACKSLASH = 2;
const ESC_ALL = ESC_DOLLAR | ESC_BACKSLASH;

type Accept = (r: string, i: number) => boolean;

const isLetter = (r: string): boolean => /\p{L}/u.test(r);
const isDigit = (r: string): boolean => /\p{Nd}/u.test(r);
const acceptRune: Accept = () => true;
const acceptIdent: Accept = (r) => isLetter(r) || isDigit(r) || r === '_';
const acceptColon: Accept = (r) => r === ':';
const acceptOneHash: Accept = (r, i) => r === '#' && i === 1;
const acceptNotClosing: Accept = (r) => r !== '}';
const acceptHashFunc: Accept = (r, i) => r === '#' && i < 3;
const acceptPercentFunc: Accept = (r, i) => r === '%' && i < 3;
const acceptDefaultFunc: Accept = (r, i) => (i === 1 && r === ':') || (i === 2 && '=-?+'.includes(r));
const acceptReplaceFunc: Accept = (r, i) => (i === 1 && r === '/') || (i === 2 && '/#%'.includes(r));
const acceptOneEqual: Accept = (r, i) => i === 1 && r === '=';
const acceptOneColon: Accept = (r, i) => i === 1 && r === ':';
const rejectColonClose: Accept = (r) => r !== ':' && r !== '}';
const acceptSlash: Accept = (r) => r === '/';
const acceptNotSlash: Accept = (r) => r !== '/';
const acceptCasingFunc: Accept = (r, i) => (r === ',' || r === '^') && i < 3;

/** The rune scanner; positions count code points (all operators are ASCII, so this equals bytes). */
class Scanner {
  buf: string[] = [];
  pos = 0;
  start = 0;
  width = 0;
  mode = 0;
  escapeChars = 0;
  accept: Accept = acceptRune;

  init(s: string): void {
    this.buf = Array.from(s);
    this.pos = 0;
    this.start = 0;
    this.width = 0;
  }
  read(): string {
    if (this.pos >= this.buf.length) {
      this.width = 0;
      return EOF;
    }
    this.width = 1;
    return this.buf[this.pos++]!;
  }
  unread(): void {
    this.pos -= this.width;
  }
  skip(): void {
    this.buf.splice(this.pos - 1, 1);
  }
  peek(): string {
    const r = this.read();
    this.unread();
    return r;
  }
  string(): string {
    return this.buf.slice(this.start, this.pos).join('');
  }
  scan(): Tok {
    this.start = this.pos;
    const r = this.read();
    if (r === EOF) return Tok.EOF;
    if (this.scanLbrack(r)) return Tok.Lbrack;
    if (this.scanRbrack(r)) return Tok.Rbrack;
    if (this.scanIdent(r)) return Tok.Ident;
    return Tok.Illegal;
  }
  private scanIdent(r: string): boolean {
    if ((this.mode & SCAN_IDENT) === 0) return false;
    if (this.scanEscaped(r)) this.skip();
    else if (!this.accept(r, this.pos - this.start)) return false;
    for (;;) {
      const c = this.read();
      if (c === EOF) {
        this.unread();
        break;
      }
      if (this.scanLbrack(c)) {
        this.unread();
        this.unread();
        break;
      }
      if (this.scanEscaped(c)) {
        this.skip();
        continue;
      }
      if (!this.accept(c, this.pos - this.start)) {
        this.unread();
        break;
      }
    }
    return true;
  }
  private scanLbrack(r: string): boolean {
    if ((this.mode & SCAN_LBRACK) === 0) return false;
    if (r === '$') {
      if (this.read() === '{') return true;
      this.unread();
    }
    return false;
  }
  private scanRbrack(r: string): boolean {
    return (this.mode & SCAN_RBRACK) !== 0 && r === '}';
  }
  private scanEscaped(r: string): boolean {
    if ((this.mode & SCAN_ESCAPE) === 0) return false;
    if (r === '$' && (this.escapeChars & ESC_DOLLAR) !== 0 && this.peek() === '$') return true;
    if (r === '\\' && (this.escapeChars & ESC_BACKSLASH) !== 0) {
      const p = this.peek();
      return p === '/' || p === '\\';
    }
    return false;
  }
}

const text = (value: string): TextNode => ({ type: 'text', value });
const EMPTY = text('');

/** Parses an envsubst template. @throws EnvsubstParseError */
export function parseTemplate(input: string): Node {
  return new Parser(input).parseAny();
}

class Parser {
  private readonly s = new Scanner();
  constructor(input: string) {
    this.s.init(input);
  }

  parseAny(): Node {
    const s = this.s;
    s.accept = acceptRune;
    s.mode = SCAN_IDENT | SCAN_LBRACK | SCAN_ESCAPE;
    s.escapeChars = ESC_DOLLAR;
    switch (s.scan()) {
      case Tok.Ident:
        return this.join(text(s.string()));
      case Tok.EOF:
        return EMPTY;
      case Tok.Lbrack:
        return this.join(this.parseFunc());
      default:
        throw errBad();
    }
  }

  private join(left: Node): Node {
    const right = this.parseAny();
    return right === EMPTY ? left : { type: 'list', nodes: [left, right] };
  }

  private parseFunc(): Node {
    const s = this.s;
    s.escapeChars = ESC_ALL;
    if (s.peek() === '#') return this.parseLenFunc();
    s.accept = acceptIdent;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Tok.Ident) throw errVarName();
    const name = s.string();
    switch (s.peek()) {
      case ':':
        return this.parseDefaultOrSubstr(name);
      case '=':
        return this.parseDefaultFunc(name);
      case ',':
      case '^':
        return this.parseCasingFunc(name);
      case '/':
        return this.parseReplaceFunc(name);
      case '#':
        return this.parseRemoveFunc(name, acceptHashFunc);
      case '%':
        return this.parseRemoveFunc(name, acceptPercentFunc);
    }
    s.accept = acceptIdent;
    s.mode = SCAN_RBRACK;
    if (s.scan() !== Tok.Rbrack) throw errMissingBrace();
    return { type: 'func', param: name, name: '', args: [] };
  }

  private parseParam(accept: Accept, mode: number): Node {
    const s = this.s;
    s.accept = accept;
    s.mode = mode | SCAN_LBRACK;
    switch (s.scan()) {
      case Tok.Lbrack:
        return this.parseFunc();
      case Tok.Ident:
      case Tok.Rbrack:
        return text(s.string());
      default:
        throw errFuncSub();
    }
  }

  private op(param: string, accept: Accept, err: () => EnvsubstParseError = errBad): FuncNode {
    const s = this.s;
    s.accept = accept;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Tok.Ident) throw err();
    return { type: 'func', param, name: s.string(), args: [] };
  }

  private parseDefaultOrSubstr(name: string): Node {
    const s = this.s;
    s.read();
    const r = s.peek();
    s.unread();
    return '=-?+'.includes(r) && r !== EOF ? this.parseDefaultFunc(name) : this.parseSubstrFunc(name);
  }

  private parseSubstrFunc(name: string): Node {
    const s = this.s;
    const node = this.op(name, acceptOneColon);
    node.args.push(this.parseParam(rejectColonClose, SCAN_IDENT));
    s.accept = acceptColon;
    s.mode = SCAN_IDENT | SCAN_RBRACK;
    const t = s.scan();
    if (t === Tok.Rbrack) return node;
    if (t !== Tok.Ident) throw errBad();
    node.args.push(this.parseParam(acceptNotClosing, SCAN_IDENT));
    this.consumeRbrack();
    return node;
  }

  private parseRemoveFunc(name: string, accept: Accept): Node {
    const node = this.op(name, accept);
    node.args.push(this.parseParam(acceptNotClosing, SCAN_IDENT));
    this.consumeRbrack();
    return node;
  }

  private parseReplaceFunc(name: string): Node {
    const s = this.s;
    const node = this.op(name, acceptReplaceFunc);
    if (s.peek() === '/') node.args.push(text(''));
    else node.args.push(this.parseParam(acceptNotSlash, SCAN_IDENT | SCAN_ESCAPE));
    s.accept = acceptSlash;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Tok.Ident) throw errBad();
    if (s.peek() === '}') {
      this.consumeRbrack();
      return node;
    }
    node.args.push(this.parseParam(acceptNotClosing, SCAN_IDENT | SCAN_ESCAPE));
    this.consumeRbrack();
    return node;
  }

  private parseDefaultFunc(name: string): Node {
    const s = this.s;
    const node = this.op(name, s.peek() === '=' ? acceptOneEqual : acceptDefaultFunc, errDefault);
    for (;;) {
      if (s.peek() === '}') {
        this.consumeRbrack();
        return node;
      }
      node.args.push(this.parseParam(acceptNotClosing, SCAN_IDENT));
    }
  }

  private parseCasingFunc(name: string): Node {
    const node = this.op(name, acceptCasingFunc);
    this.consumeRbrack();
    return node;
  }

  private parseLenFunc(): Node {
    const s = this.s;
    const node = this.op('', acceptOneHash);
    s.accept = acceptIdent;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Tok.Ident) throw errBad();
    node.param = s.string();
    this.consumeRbrack();
    return node;
  }

  private consumeRbrack(): void {
    this.s.mode = SCAN_RBRACK;
    if (this.s.scan() !== Tok.Rbrack) throw errBad();
  }
}
