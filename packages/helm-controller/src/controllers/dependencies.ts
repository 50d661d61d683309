// SPDX-License-Identifier: Apache-2.0
/**
 * HelmRelease `dependsOn` (Flux's `checkDependencies` in `helmrelease_controller.go`): every
 * dependency must exist; when it has a `readyExpr`, that CEL expression (variables `dep`, the
 * dependency, and `self`, this HelmRelease) must be true; and, unless a `readyExpr` is set and the
 * `AdditiveCELDependencyCheck` feature gate is off, the built-in check must pass: the latest
 * generation observed and Ready=True. So by default a `readyExpr` replaces the built-in check; with
 * the gate it is checked in addition. A `readyExpr` that does not parse is a terminal
 * configuration error ({@link InvalidCELExpressionError}, reason `InvalidCELExpression`); one that
 * fails to evaluate (a missing field, say) only keeps the dependency not ready.
 */
import type { KubeClient, KubeObject } from '@eddy/runtime/client';
import { CelExpression, InvalidCELExpressionError } from '@eddy/runtime/cel';

type Dep = KubeObject & { status?: { observedGeneration?: number; conditions?: Array<{ type: string; status: string }> } };

/** One `spec.dependsOn` entry. */
export interface HelmReleaseDependency {
  name: string;
  namespace?: string;
  readyExpr?: string;
}

/** Options of {@link checkDependencies}. */
export interface DependencyCheckOptions {
  /** The `AdditiveCELDependencyCheck` feature gate: `readyExpr` adds to the built-in check instead of replacing it. @default false */
  additiveCELDependencyCheck?: boolean;
}

/**
 * Evaluates a `readyExpr` with `self` and `dep`: undefined when true, `false` when false, the
 * evaluation error's message when it fails. @throws InvalidCELExpressionError when it does not parse.
 */
function evalReadyExpr(depName: string, readyExpr: string, self: KubeObject, dep: Dep): false | string | undefined {
  let expr: CelExpression;
  try {
    expr = CelExpression.parse(readyExpr);
  } catch (e) {
    throw new InvalidCELExpressionError(`failed to evaluate dependency ${depName}: ${(e as Error).message}`, { cause: e });
  }
  try {
    return expr.evaluateBoolean({ self, dep }) ? undefined : false;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Why one dependency is not ready, or undefined when it is. @throws InvalidCELExpressionError */
async function checkDependency(client: Pick<KubeClient, 'get'>, hr: KubeObject, d: HelmReleaseDependency, additive: boolean): Promise<string | undefined> {
  const namespace = d.namespace || hr.metadata.namespace || '';
  const ref = `${namespace}/${d.name}`;
  let dep: Dep | undefined;
  try {
    dep = await client.get<Dep>({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', namespace, name: d.name });
  } catch (e) {
    return `unable to get '${ref}' dependency: ${(e as Error).message}`;
  }
  if (!dep) return `unable to get '${ref}' dependency: helmreleases.helm.toolkit.fluxcd.io "${d.name}" not found`;
  if (d.readyExpr) {
    const notReady = evalReadyExpr(d.name, d.readyExpr, hr, dep);
    if (notReady !== undefined) return notReady === false ? `dependency '${ref}' is not ready according to readyExpr eval` : notReady;
    // Without the AdditiveCELDependencyCheck gate the expression replaces the built-in check.
    if (!additive) return undefined;
  }
  return isReady(dep) ? undefined : `dependency '${ref}' is not ready`;
}

/** The built-in check: the latest generation observed and Ready=True. */
function isReady(dep: Dep): boolean {
  const ready = (dep.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  return (dep.metadata.generation ?? 0) === (dep.status?.observedGeneration ?? -1) && ready;
}

/**
 * Returns why the dependencies are not ready, or undefined when they all are.
 * @throws InvalidCELExpressionError for a `readyExpr` that does not parse.
 */
export async function checkDependencies(
  client: Pick<KubeClient, 'get'>,
  hr: KubeObject & { spec: { dependsOn?: HelmReleaseDependency[] } },
  opts: DependencyCheckOptions = {},
): Promise<string | undefined> {
  for (const d of hr.spec.dependsOn ?? []) {
    const notReady = await checkDependency(client, hr, d, opts.additiveCELDependencyCheck ?? false);
    if (notReady !== undefined) return notReady;
  }
  return undefined;
}
