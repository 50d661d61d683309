// SPDX-License-Identifier: Apache-2.0
/**
 * Boolean CEL expressions (fluxcd/pkg `runtime/cel.Expression`), such as `dependsOn[].readyExpr`,
 * evaluated with `@marcbachmann/cel-js`.
 *
 * Expressions are parsed, not type-checked, like Flux does for health checks (objects of custom
 * kinds do not all have the usual fields): variables are dynamic. Integers are passed as CEL `int`
 * (JSON numbers without a fraction become BigInt), so `status.replicas == 3` works as in cel-go.
 *
 * The CEL library costs ~25 ms and ~6 MB to load, so it is loaded on the first parse (a synchronous
 * `require` of the ES module, which Node ≥ 20.19 supports): controllers that never see a CEL
 * expression do not pay for it.
 */
import { createRequire } from 'node:module';
import type * as CelJs from '@marcbachmann/cel-js';

/** An invalid CEL expression: Flux stalls the object with reason `InvalidCELExpression`. */
export class InvalidCELExpressionError extends Error {
  override readonly name = 'InvalidCELExpressionError';
  /** The Flux condition reason. */
  readonly reason = 'InvalidCELExpression';
}

type Program = (vars: Record<string, unknown>) => unknown;

let env: CelJs.Environment | undefined;

/** The shared CEL environment, created (and the library loaded) on first use. */
function environment(): CelJs.Environment {
  if (!env) {
    const require = createRequire(import.meta.url);
    const { Environment } = require('@marcbachmann/cel-js') as typeof CelJs;
    env = new Environment({
      unlistedVariablesAreDyn: true,
      enableOptionalTypes: true,
      homogeneousAggregateLiterals: true,
      limits: { maxAstNodes: 10000, maxDepth: 100, maxListElements: 1000, maxMapEntries: 1000, maxCallArguments: 32 },
    });
  }
  return env;
}

/** True once the CEL library has been loaded (for tests of the lazy loading). */
export function celLoaded(): boolean {
  return env !== undefined;
}

/** A parsed boolean CEL expression. */
export class CelExpression {
  private constructor(
    readonly expr: string,
    private readonly program: Program,
  ) {}

  /** Parses an expression. @throws InvalidCELExpressionError */
  static parse(expr: string): CelExpression {
    try {
      return new CelExpression(expr, environment().parse(expr) as unknown as Program);
    } catch (err) {
      throw new InvalidCELExpressionError(`failed to parse the CEL expression '${expr}': ${firstLine(err)}`);
    }
  }

  /** Evaluates to a boolean. @throws Error when evaluation fails or the result is not a bool. */
  evaluateBoolean(vars: Record<string, unknown>): boolean {
    let v: unknown;
    try {
      v = this.program(toCel(vars) as Record<string, unknown>);
    } catch (err) {
      throw new Error(`failed to evaluate the CEL expression '${this.expr}': ${firstLine(err)}`);
    }
    if (typeof v !== 'boolean') throw new Error(`failed to evaluate CEL expression as boolean: '${this.expr}'`);
    return v;
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

/** JSON values as CEL values: whole numbers become `int` (BigInt). */
export function toCel(v: unknown): unknown {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(toCel);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toCel(x)]));
  return v;
}
