// SPDX-License-Identifier: Apache-2.0
/**
 * Custom health checks (`spec.healthCheckExprs` of Kustomizations and HelmReleases): CEL status
 * evaluators per kind, as fluxcd/pkg `runtime/cel.StatusEvaluator` (RFC 0009).
 *
 * Health expressions see the object's top-level fields as variables (`status`, `spec`, …).
 * Evaluation order: a stale `status.observedGeneration` means InProgress; then `inProgress`,
 * `failed`, `current`; the first true one wins; none true means InProgress. An evaluation error
 * gives Unknown (the wait goes on). Rules match objects by API group and kind (any version).
 */
import { groupOf } from '@eddy/api/helpers';
import type { KStatusResult } from '../kstatus/types.ts';
import { CelExpression, InvalidCELExpressionError } from './expression.ts';

/** One `spec.healthCheckExprs` entry. */
export interface HealthCheckExpr {
  apiVersion: string;
  kind: string;
  current: string;
  inProgress?: string;
  failed?: string;
}

/** The fields of an object the rules match on. */
interface TypeMeta {
  apiVersion?: unknown;
  kind?: unknown;
}

interface Evaluator {
  group: string;
  kind: string;
  current: CelExpression;
  inProgress?: CelExpression;
  failed?: CelExpression;
}

/** The custom status rules of an object, by group and kind. */
export class CelStatusEvaluators {
  private constructor(private readonly evaluators: Evaluator[]) {}

  /** Compiles `spec.healthCheckExprs`. @throws InvalidCELExpressionError */
  static compile(exprs: readonly HealthCheckExpr[] = []): CelStatusEvaluators {
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
          group: groupOf(e.apiVersion),
          kind: e.kind,
          current: wrap('Current', e.current),
          ...(e.inProgress ? { inProgress: wrap('InProgress', e.inProgress) } : {}),
          ...(e.failed ? { failed: wrap('Failed', e.failed) } : {}),
        };
      }),
    );
  }

  /** Number of rules. */
  get size(): number {
    return this.evaluators.length;
  }

  /** True when a rule applies to objects of this group and kind. */
  supportsKind(group: string, kind: string): boolean {
    return this.evaluators.some((e) => e.group === group && e.kind === kind);
  }

  /** True when a rule applies to the object's group and kind. */
  supports(obj: object): boolean {
    return this.find(obj) !== undefined;
  }

  private find(obj: object): Evaluator | undefined {
    const t = obj as TypeMeta;
    const group = groupOf(String(t.apiVersion ?? ''));
    return this.evaluators.find((e) => e.group === group && e.kind === t.kind);
  }

  /** The status of an object under its custom rule, or `undefined` without one. Never throws. */
  evaluate(obj: object): KStatusResult | undefined {
    const ev = this.find(obj);
    if (!ev) return undefined;
    const vars = obj as Record<string, unknown> & { status?: { observedGeneration?: unknown }; metadata?: { generation?: unknown } };
    const status = vars.status;
    const generation = vars.metadata?.generation;
    if (typeof status?.observedGeneration === 'number' && typeof generation === 'number' && status.observedGeneration !== generation) {
      return { status: 'InProgress', message: 'Status is stale: observedGeneration does not match generation', conditions: [] };
    }
    try {
      if (ev.inProgress?.evaluateBoolean(vars)) return { status: 'InProgress', message: `inProgress expression is true: ${ev.inProgress.expr}`, conditions: [] };
      if (ev.failed?.evaluateBoolean(vars)) return { status: 'Failed', message: `failed expression is true: ${ev.failed.expr}`, conditions: [] };
      if (ev.current.evaluateBoolean(vars)) return { status: 'Current', message: `current expression is true: ${ev.current.expr}`, conditions: [] };
    } catch (err) {
      return { status: 'Unknown', message: (err as Error).message, conditions: [] };
    }
    return { status: 'InProgress', message: `no health check expression is true (current: ${ev.current.expr})`, conditions: [] };
  }
}
