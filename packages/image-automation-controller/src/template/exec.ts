// SPDX-License-Identifier: Apache-2.0
/**
 * Executes a parsed Go template against Go-modelled data (see `go-values.ts`), with Go's rules:
 * truthiness, field and method lookup (exported names only), map lookups yielding "<no value>"
 * when missing, `range` over slices, maps (sorted keys) and integers, lexical variables, and
 * short-circuit `and`/`or`. Errors read like Go's:
 * `template: <name>:<line>:<col>: executing "<name>" at <<node>>: <message>`.
 */
import { formatValue, goTypeName, isStruct, sortedEntries } from './go-values.ts';
import type { Arg, BranchNode, Command, Node, Pipeline, Position } from './parser.ts';

/** A template function: receives evaluated arguments, returns a value or throws. */
export type TemplateFunc = (...args: unknown[]) => unknown;

/** A runtime failure; the message follows Go's format. */
export class TemplateExecError extends Error {
  override readonly name = 'TemplateExecError';
  constructor(
    message: string,
    readonly detail: string,
  ) {
    super(message);
  }
}

class Fail extends Error {
  at: Position | undefined;
}
class BreakSignal {}
class ContinueSignal {}

/** Go's `truth`: false, 0, "", empty slices/maps, nil and missing values are false. */
export function truth(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  return true;
}

interface Frame {
  name: string;
  value: unknown;
}

class Executor {
  private vars: Frame[];
  private out = '';
  private at: Pipeline | undefined;

  constructor(
    private readonly tmplName: string,
    private readonly funcs: ReadonlyMap<string, TemplateFunc>,
    data: unknown,
  ) {
    this.vars = [{ name: '$', value: data }];
  }

  run(nodes: Node[], dot: unknown): string {
    try {
      this.walk(nodes, dot);
    } catch (err) {
      if (err instanceof Fail) {
        const at = err.at ?? this.at;
        const where = at ? `${at.line}:${at.col}` : '1:0';
        const node = at ? `<${at.text}>` : '<>';
        throw new TemplateExecError(`template: ${this.tmplName}:${where}: executing "${this.tmplName}" at ${node}: ${err.message}`, err.message);
      }
      throw err;
    }
    return this.out;
  }

  private walk(nodes: Node[], dot: unknown): void {
    for (const n of nodes) this.node(n, dot);
  }

  private scoped(fn: () => void): void {
    const mark = this.vars.length;
    try {
      fn();
    } finally {
      this.vars.length = mark;
    }
  }

  private node(n: Node, dot: unknown): void {
    switch (n.kind) {
      case 'text':
        this.out += n.text;
        return;
      case 'action': {
        const v = this.pipeline(n.pipe, dot);
        if (n.pipe.decl.length === 0) this.out += formatValue(v);
        return;
      }
      case 'break':
        throw new BreakSignal();
      case 'continue':
        throw new ContinueSignal();
      case 'range':
        this.scoped(() => this.range(n, dot));
        return;
      default:
        this.scoped(() => {
          const v = this.pipeline(n.pipe, dot);
          if (truth(v)) this.scoped(() => this.walk(n.list, n.kind === 'with' ? v : dot));
          else if (n.elseList) this.scoped(() => this.walk(n.elseList!, dot));
        });
    }
  }

  private range(n: BranchNode, dot: unknown): void {
    const v = this.pipeline(n.pipe, dot, false);
    const [k1, k2] = n.pipe.decl;
    let items: [unknown, unknown][];
    if (Array.isArray(v)) items = v.map((x, i) => [i, x]);
    else if (v instanceof Map) items = sortedEntries(v);
    else if (typeof v === 'number' && Number.isInteger(v)) {
      if (k2) throw new Fail(`can't use ${v} to iterate over more than one variable`);
      items = Array.from({ length: Math.max(0, v) }, (_, i) => [i, i]);
    } else if (v === undefined || v === null) items = [];
    else throw new Fail(`range can't iterate over ${formatValue(v, true)}`);
    if (items.length === 0) {
      if (n.elseList) this.scoped(() => this.walk(n.elseList!, dot));
      return;
    }
    for (const [key, elem] of items) {
      const mark = this.vars.length;
      if (k1 && k2) this.vars.push({ name: k1, value: key }, { name: k2, value: elem });
      else if (k1) this.vars.push({ name: k1, value: typeof v === 'number' ? key : elem });
      try {
        this.walk(n.list, elem);
      } catch (sig) {
        if (sig instanceof BreakSignal) break;
        if (!(sig instanceof ContinueSignal)) throw sig;
      } finally {
        this.vars.length = mark;
      }
    }
  }

  private pipeline(p: Pipeline, dot: unknown, declare = true): unknown {
    this.at = p;
    let value: unknown;
    p.cmds.forEach((cmd, i) => {
      value = this.command(cmd, dot, i === 0 ? [] : [value]);
    });
    if (p.decl.length > 0 && declare) {
      if (p.isAssign) this.lookupFrame(p.decl[0]!).value = value;
      else this.vars.push({ name: p.decl[0]!, value });
    }
    return value;
  }

  private lookupFrame(name: string): Frame {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!;
    throw new Fail(`undefined variable: ${name}`);
  }

  private command(cmd: Command, dot: unknown, final: unknown[]): unknown {
    const [first, ...rest] = cmd.args;
    if (first!.kind === 'func') return this.call(first!.name, rest, dot, final, first!.at);
    if (first!.kind === 'field') {
      const args = [...rest.map((a) => this.arg(a, dot)), ...final];
      return this.fieldChain(first!.base === undefined ? dot : this.arg(first!.base, dot), first!, args);
    }
    if (rest.length > 0 || final.length > 0) throw new Fail(`can't give argument to non-function ${describeArg(first!)}`);
    return this.arg(first!, dot);
  }

  private call(name: string, argNodes: Arg[], dot: unknown, final: unknown[], at: Position): unknown {
    if (name === 'and' || name === 'or') {
      const thunks = [...argNodes.map((a) => () => this.arg(a, dot)), ...final.map((f) => () => f)];
      if (thunks.length === 0) throw new Fail(`wrong number of args for ${name}: want at least 1 got 0`);
      let v: unknown;
      for (const t of thunks) {
        v = t();
        if (truth(v) === (name === 'or')) return v;
      }
      return v;
    }
    const fn = this.funcs.get(name);
    if (!fn) throw new Fail(`"${name}" is not a defined function`);
    const args = [...argNodes.map((a) => this.arg(a, dot)), ...final];
    try {
      return fn(...args);
    } catch (err) {
      if (err instanceof Fail) throw err;
      const f = new Fail(`error calling ${name}: ${(err as Error).message}`);
      f.at = at;
      throw f;
    }
  }

  private arg(a: Arg, dot: unknown): unknown {
    switch (a.kind) {
      case 'dot':
        return dot;
      case 'var':
        return this.lookupFrame(a.name).value;
      case 'literal':
        return a.value;
      case 'pipe':
        return this.pipeline(a.pipe, dot);
      case 'func':
        return this.call(a.name, [], dot, [], a.at);
      case 'field':
        return this.fieldChain(a.base === undefined ? dot : this.arg(a.base, dot), a, []);
    }
  }

  private fieldChain(recv: unknown, f: Extract<Arg, { kind: 'field' }>, args: unknown[]): unknown {
    let v = recv;
    f.names.forEach((name, i) => {
      try {
        v = field(v, name, i === f.names.length - 1 ? args : []);
      } catch (err) {
        if (err instanceof Fail && !err.at) err.at = f.at[i];
        throw err;
      }
    });
    return v;
  }
}

function field(recv: unknown, name: string, args: unknown[]): unknown {
  if (recv === undefined || recv === null) throw new Fail(`nil pointer evaluating interface {}.${name}`);
  if (recv instanceof Map) {
    if (args.length > 0) throw new Fail(`${name} is not a method but has arguments`);
    return recv.get(name);
  }
  if (!isStruct(recv)) throw new Fail(`can't evaluate field ${name} in type ${goTypeName(recv)}`);
  if (!/^[A-Z]/.test(name)) {
    if (name in recv) throw new Fail(`${name} is an unexported field of struct type ${goTypeName(recv)}`);
    throw new Fail(`can't evaluate field ${name} in type ${goTypeName(recv)}`);
  }
  if (!(name in recv)) throw new Fail(`can't evaluate field ${name} in type ${goTypeName(recv)}`);
  const v = (recv as Record<string, unknown>)[name];
  if (typeof v === 'function') return (v as (...a: unknown[]) => unknown).apply(recv, args);
  if (args.length > 0) throw new Fail(`${name} has arguments but cannot be invoked as function`);
  return v;
}

function describeArg(a: Arg): string {
  if (a.kind === 'literal') return a.text;
  if (a.kind === 'var') return a.name;
  return '.';
}

/** Runs parsed `nodes` with `data` as dot and `$`. */
export function execute(name: string, nodes: Node[], data: unknown, funcs: ReadonlyMap<string, TemplateFunc>): string {
  return new Executor(name, funcs, data).run(nodes, data);
}
