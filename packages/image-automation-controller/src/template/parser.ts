// SPDX-License-Identifier: Apache-2.0
/**
 * Parser for Go `text/template`: builds the node tree that {@link execute} walks. Supported:
 * text, actions, pipelines with `|`, variable declaration/assignment, `if`/`else if`/`else`,
 * `range` (with `$i, $v :=`, `else`, `break`, `continue`), `with`/`else with`, comments,
 * parenthesised pipelines and field chains on any term. `define`/`template`/`block` are rejected
 * with a parse error.
 */
import { TemplateParseError, isKeyword, lex } from './lexer.ts';
import type { Token } from './lexer.ts';

/** An operand of a command. */
export type Arg =
  | { kind: 'dot' }
  | { kind: 'field'; base: Arg | undefined; names: string[]; text: string; at: Position[] }
  | { kind: 'var'; name: string }
  | { kind: 'func'; name: string; at: Position }
  | { kind: 'literal'; value: unknown; text: string }
  | { kind: 'pipe'; pipe: Pipeline };

/** Where a node starts (for error messages), and its source text. */
export interface Position {
  line: number;
  col: number;
  text: string;
}

/** Positions of each `.name` of a field token. */
function fieldPositions(t: Token, text: string): Position[] {
  let off = 0;
  return t.value
    .slice(1)
    .split('.')
    .map((n) => {
      const at = { line: t.line, col: t.col + off, text };
      off += n.length + 1;
      return at;
    });
}

/** One command of a pipeline: operands, the first of which may be a function. */
export interface Command {
  args: Arg[];
}

/** A pipeline with its optional declarations. */
export interface Pipeline {
  decl: string[];
  isAssign: boolean;
  cmds: Command[];
  line: number;
  col: number;
  text: string;
}

/** A control node: `if`, `with` or `range`. */
export interface BranchNode {
  kind: 'if' | 'with' | 'range';
  pipe: Pipeline;
  list: Node[];
  elseList: Node[] | undefined;
}

/** A template node. */
export type Node = { kind: 'text'; text: string } | { kind: 'action'; pipe: Pipeline } | BranchNode | { kind: 'break' | 'continue'; line: number };

/** Known function names; used to report undefined functions at parse time like Go. */
export type FuncLookup = (name: string) => boolean;

class Parser {
  private i = 0;
  private rangeDepth = 0;

  constructor(
    private readonly name: string,
    private readonly src: string,
    private readonly toks: Token[],
    private readonly hasFunc: FuncLookup,
  ) {}

  private peek(o = 0): Token {
    return this.toks[Math.min(this.i + o, this.toks.length - 1)]!;
  }
  private next(): Token {
    return this.toks[this.i++]!;
  }
  private fail(t: Token, detail: string): never {
    throw new TemplateParseError(this.name, t.line, detail);
  }
  private expect(kind: Token['kind'], context: string): Token {
    const t = this.next();
    if (t.kind !== kind) this.fail(t, `unexpected ${describe(t)} in ${context}`);
    return t;
  }

  parse(): Node[] {
    const [list, end] = this.list();
    if (end) this.fail(end, `unexpected {{${end.value}}}`);
    return list;
  }

  /** Parses nodes until `{{end}}`/`{{else}}` (returned) or EOF. */
  private list(): [Node[], Token | undefined] {
    const out: Node[] = [];
    for (;;) {
      const t = this.next();
      if (t.kind === 'eof') return [out, undefined];
      if (t.kind === 'text') {
        out.push({ kind: 'text', text: t.value });
        continue;
      }
      if (this.peek().kind === 'comment') {
        this.next();
        this.expect('close', 'comment');
        continue;
      }
      const kw = this.peek();
      if (kw.kind === 'ident' && isKeyword(kw.value)) {
        if (kw.value === 'end' || kw.value === 'else') {
          this.next();
          return [out, kw];
        }
        out.push(this.control(kw));
        continue;
      }
      out.push({ kind: 'action', pipe: this.pipeline('command', false) });
    }
  }

  private control(kw: Token): Node {
    this.next();
    switch (kw.value) {
      case 'if':
      case 'with':
      case 'range':
        return this.branch(kw.value, kw);
      case 'break':
      case 'continue':
        if (this.rangeDepth === 0) this.fail(kw, `{{${kw.value}}} outside {{range}}`);
        this.expect('close', kw.value);
        return { kind: kw.value, line: kw.line };
      default:
        return this.fail(kw, `{{${kw.value}}} is not supported in commit message templates`);
    }
  }

  private branch(kind: 'if' | 'with' | 'range', kw: Token): Node {
    const pipe = this.pipeline(kind, kind === 'range');
    if (kind === 'range') this.rangeDepth++;
    const [list, end] = this.list();
    if (kind === 'range') this.rangeDepth--;
    if (!end) this.fail(kw, 'unexpected EOF');
    let elseList: Node[] | undefined;
    if (end.value === 'else') {
      const chained = this.peek();
      if ((kind === 'if' || kind === 'with') && chained.kind === 'ident' && chained.value === kind) {
        this.next();
        elseList = [this.branch(kind, chained)];
        return { kind, pipe, list, elseList };
      }
      this.expect('close', 'else');
      const [els, end2] = this.list();
      if (!end2 || end2.value !== 'end') this.fail(end2 ?? kw, end2 ? `expected end; found {{${end2.value}}}` : 'unexpected EOF');
      elseList = els;
    }
    this.expect('close', 'end');
    return { kind, pipe, list, elseList };
  }

  private pipeline(context: string, allowTwo: boolean): Pipeline {
    const start = this.peek();
    const decl: string[] = [];
    let isAssign = false;
    const v1 = this.peek();
    if (v1.kind === 'var') {
      const n = this.peek(1);
      const two = allowTwo && n.kind === 'comma' && this.peek(2).kind === 'var' && ['declare', 'assign'].includes(this.peek(3).kind);
      if (n.kind === 'declare' || n.kind === 'assign' || two) {
        this.next();
        decl.push(v1.value);
        if (two) {
          this.next();
          decl.push(this.next().value);
        }
        isAssign = this.next().kind === 'assign';
      }
    }
    const cmds: Command[] = [];
    for (;;) {
      cmds.push(this.command(context));
      const t = this.next();
      if (t.kind === 'close' || t.kind === 'rparen') {
        if ((t.kind === 'rparen') !== (context === 'parenthesized pipeline')) this.fail(t, `unexpected ${describe(t)} in ${context}`);
        const end = t.pos;
        return { decl, isAssign, cmds, line: start.line, col: start.col, text: this.src.slice(start.pos, end).trim() };
      }
      if (t.kind !== 'pipe') this.fail(t, `unexpected ${describe(t)} in ${context}`);
    }
  }

  private command(context: string): Command {
    const args: Arg[] = [];
    while (!['close', 'pipe', 'rparen', 'eof'].includes(this.peek().kind)) args.push(this.operand());
    if (args.length === 0) this.fail(this.peek(), `missing value for ${context}`);
    return { args };
  }

  private operand(): Arg {
    const t = this.next();
    let arg: Arg;
    switch (t.kind) {
      case 'dot':
        arg = { kind: 'dot' };
        break;
      case 'field':
        return { kind: 'field', base: undefined, names: t.value.slice(1).split('.'), text: t.value, at: fieldPositions(t, t.value) };
      case 'var':
        arg = { kind: 'var', name: t.value };
        break;
      case 'string':
        arg = { kind: 'literal', value: unquote(t, this), text: t.value };
        break;
      case 'char':
        arg = { kind: 'literal', value: (unquote({ ...t, value: `"${t.value.slice(1, -1)}"` }, this) as string).codePointAt(0), text: t.value };
        break;
      case 'number':
        arg = { kind: 'literal', value: parseNumber(t, this), text: t.value };
        break;
      case 'bool':
        arg = { kind: 'literal', value: t.value === 'true', text: t.value };
        break;
      case 'nil':
        arg = { kind: 'literal', value: null, text: 'nil' };
        break;
      case 'lparen':
        arg = { kind: 'pipe', pipe: this.pipeline('parenthesized pipeline', false) };
        break;
      case 'ident':
        if (isKeyword(t.value)) this.fail(t, `unexpected <${t.value}> in operand`);
        if (!this.hasFunc(t.value)) this.fail(t, `function "${t.value}" not defined`);
        return { kind: 'func', name: t.value, at: { line: t.line, col: t.col, text: t.value } };
      default:
        return this.fail(t, `unexpected ${describe(t)} in operand`);
    }
    const chain = this.peek();
    if (chain.kind === 'field' && chain.pos === this.toks[this.i - 1]!.pos + this.toks[this.i - 1]!.value.length) {
      this.next();
      const prev = this.toks[this.i - 2]!;
      const text = this.src.slice(prev.pos, chain.pos + chain.value.length);
      return { kind: 'field', base: arg, names: chain.value.slice(1).split('.'), text, at: fieldPositions(chain, text) };
    }
    return arg;
  }

  failAt(t: Token, detail: string): never {
    return this.fail(t, detail);
  }
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'EOF';
  if (t.kind === 'close') return '"}}"';
  return `<${t.value}>`;
}

function unquote(t: Token, p: Parser): string {
  if (t.value.startsWith('`')) return t.value.slice(1, -1);
  try {
    const body = t.value.slice(1, -1).replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1').replace(/\\U([0-9a-fA-F]{8})/g, (_, h: string) => `\\u{${h}}`);
    return JSON.parse(`"${body.replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b').replace(/\\'/g, "'").replace(/\\u\{([0-9a-fA-F]+)\}/g, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))}"`) as string;
  } catch {
    return p.failAt(t, `invalid syntax: ${t.value}`);
  }
}

function parseNumber(t: Token, p: Parser): number {
  const clean = t.value.replace(/_/g, '');
  const n = /^[+-]?0[oO]/.test(clean) ? parseInt(clean.replace(/0[oO]/, ''), 8) * (clean.startsWith('-') ? -1 : 1) : Number(clean);
  if (Number.isNaN(n)) return p.failAt(t, `bad number syntax: "${t.value}"`);
  return n;
}

/** Parses a template; `hasFunc` tells which function names exist. */
export function parseTemplate(name: string, src: string, hasFunc: FuncLookup): Node[] {
  return new Parser(name, src, lex(name, src), hasFunc).parse();
}
