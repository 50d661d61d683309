// SPDX-License-Identifier: Apache-2.0
/**
 * A Go `text/template` engine for commit message templates: parse once, execute against
 * Go-modelled data, with Go's builtins and Flux's (hermetic) Sprig functions.
 */
import { execute } from './exec.ts';
import type { TemplateFunc } from './exec.ts';
import { TEMPLATE_FUNCS } from './funcs.ts';
import { parseTemplate } from './parser.ts';
import type { Node } from './parser.ts';

/** A parsed template, ready to execute any number of times. */
export class GoTemplate {
  private constructor(
    readonly name: string,
    private readonly nodes: Node[],
    private readonly funcs: ReadonlyMap<string, TemplateFunc>,
  ) {}

  /**
   * Parses `src`. Throws `TemplateParseError` (`template: <name>:<line>: <detail>`).
   * @param extraFuncs functions added to (or replacing) the defaults.
   */
  static parse(name: string, src: string, extraFuncs: Record<string, TemplateFunc> = {}): GoTemplate {
    const funcs = new Map([...TEMPLATE_FUNCS, ...Object.entries(extraFuncs)]);
    return new GoTemplate(name, parseTemplate(name, src, (f) => funcs.has(f)), funcs);
  }

  /** Executes with `data` as dot and `$`. Throws `TemplateExecError` in Go's wording. */
  execute(data: unknown): string {
    return execute(this.name, this.nodes, data, this.funcs);
  }
}

/** Parses and executes in one go. */
export function renderTemplate(name: string, src: string, data: unknown): string {
  return GoTemplate.parse(name, src).execute(data);
}
