// SPDX-License-Identifier: Apache-2.0
/**
 * CEL for Kustomizations: `spec.healthCheckExprs` status evaluators (fluxcd/pkg
 * `runtime/cel.StatusEvaluator`, RFC 0009) and boolean expressions such as `dependsOn[].readyExpr`.
 *
 * Health expressions see the object's top-level fields as variables (`status`, `spec`, …); they
 * are parsed, not type-checked, like Flux does (CRDs do not all have the usual five fields).
 * Evaluation order: a stale `status.observedGeneration` means InProgress; then `inProgress`,
 * `failed`, `current`; the first true one wins; none true means InProgress. Integers are passed
 * as CEL `int` (JSON numbers without a fraction), so `status.replicas == 3` works as in cel-go.
 */
import { Environment } from '@marcbachmann/cel-js';
import type { KStatusResult } from '@eddy/runtime/kstatus';
import type { KubeObject } from '../build/manifests.ts';
import { splitApiVersion } from '../apply/objects.ts';

/** One `spec.healthCheckExprs` entry. */
export interface HealthCheckExpr {
  apiVersion: string;
  kind: string;
  current: string;
  inProgress?: string;
  failed?: string;
}

/** An invalid CEL expression: Flux stalls the Kustomization with reason `InvalidCELExpression`. */
export class InvalidCELExpressionError extends Error {
  override readonly name = 'InvalidCELExpressionError';
  /** The Flux condition reason. */
  readonly reason = 'InvalidCELExpression';
}

const env = new Environment({
  unlistedVariablesAreDyn: true,
  enableOptionalTypes: true,
  homogeneousAggregateLiterals: true,
  limits: { maxAstNodes: 10000, maxDepth: 100, maxListElements: 1000, maxMapEntries: 1000, maxCallArguments: 32 },
});

type Program = (vars: Record<string, unknown>) => unknown;

/** A parsed boolean CEL expression. */
export class CelExpression {
  private constructor(
    readonly expr: string,
    private readonly program: Program,
  ) {}

  /** Parses an expression. @throws InvalidCELExpressionError */
  static parse(expr: string): CelExpression {
    try {
      return new CelExpression(expr, env.parse(expr) as unknown as Program);
    } catch (err) {
      throw new InvalidCELExpressionError(`failed to parse the CEL expression '${expr}': ${(err as Error).message.split('\n')[0]}`);
    }
  }

  /** Evaluates to a boolean. @throws Error when evaluation fails or the result is not a bool. */
  evaluateBoolean(vars: Record<string, unknown>): boolean {
    let v: unknown;
    try {
      v = this.program(toCel(vars) as Record<string, unknown>);
    } catch (err) {
      throw new Error(`failed to evaluate the CEL expression '${this.expr}': ${(err as Error).message.split('\n')[0]}`);
    }
    if (typeof v !== 'boolean') throw new Error(`failed to evaluate CEL expression as boolean: '${this.expr}'`);
    return v;
  }
}

/** JSON values as CEL values: whole numbers become `int` (BigInt). */
export function toCel(v: unknown): unknown {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(toCel);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toCel(x)]));
  return v;
}

interface Evaluator {
  group: string;
  kind: string;
  current: CelExpression;
  inProgress?: CelExpression;
  failed?: CelExpression;
}

/** The custom status rules of a Kustomization, by group and kind. */
export class CelStatusEvaluators {
  private constructor(private readonly evaluators: Evaluator[]) {}

  /** Compiles `spec.healthCheckExprs`. @throws InvalidCELExpressionError */
  static compile(exprs: HealthCheckExpr[] = []): CelStatusEvaluators {
    return new CelStatusEvaluators(
      exprs.map((e) => {
        if (!e.current) throw new InvalidCELExpressionError('expression Current not specified');
        const wrap = (name: string, s: string): CelExpression => {
          try {
            return CelExpression.parse(s);
          } catch (err) {
            throw new InvalidCELExpressionError(`failed to parse the expression ${name}: ${(err as Error).message}`);
          }
        };
        return {
          group: splitApiVersion(e.apiVersion)[0],
          kind: e.kind,
          current: wrap('Current', e.current),
          inProgress: e.inProgress ? wrap('InProgress', e.inProgress) : undefined,
          failed: e.failed ? wrap('Failed', e.failed) : undefined,
        };
      }),
    );
  }

  /** Number of rules. */
  get size(): number {
    return this.evaluators.length;
  }

  /** True when a rule applies to the object's group and kind. */
  supports(obj: KubeObject): boolean {
    return this.find(obj) !== undefined;
  }

  private find(obj: KubeObject): Evaluator | undefined {
    const group = splitApiVersion(String(obj.apiVersion ?? ''))[0];
    return this.evaluators.find((e) => e.group === group && e.kind === obj.kind);
  }

  /** The status of an object under its custom rule, or `undefined` without one. Never throws. */
  evaluate(obj: KubeObject): KStatusResult | undefined {
    const ev = this.find(obj);
    if (!ev) return undefined;
    const status = (obj as { status?: { observedGeneration?: unknown } }).status;
    const generation = (obj.metadata as { generation?: unknown } | undefined)?.generation;
    if (typeof status?.observedGeneration === 'number' && typeof generation === 'number' && status.observedGeneration !== generation) {
      return { status: 'InProgress', message: 'Status is stale: observedGeneration does not match generation', conditions: [] };
    }
    try {
      if (ev.inProgress?.evaluateBoolean(obj)) return { status: 'InProgress', message: 'inProgress expression is true', conditions: [] };
      if (ev.failed?.evaluateBoolean(obj)) return { status: 'Failed', message: 'failed expression is true', conditions: [] };
      if (ev.current.evaluateBoolean(obj)) return { status: 'Current', message: 'current expression is true', conditions: [] };
    } catch (err) {
      return { status: 'Unknown', message: (err as Error).message, conditions: [] };
    }
    return { status: 'InProgress', message: 'no health check expression is true', conditions: [] };
  }
}
