// SPDX-License-Identifier: Apache-2.0
/**
 * HelmRelease `dependsOn` (Flux's `checkDependencies`): every dependency must exist, have its latest
 * generation observed and be Ready=True. `readyExpr` (CEL) is not evaluated: such dependencies use
 * the built-in check (documented gap).
 */
import type { KubeClient, KubeObject } from '@eddy/runtime/client';

type Dep = KubeObject & { status?: { observedGeneration?: number; conditions?: Array<{ type: string; status: string }> } };

/** Returns why the dependencies are not ready, or undefined when they all are. */
export async function checkDependencies(
  client: Pick<KubeClient, 'get'>,
  hr: { metadata: { namespace?: string }; spec: { dependsOn?: Array<{ name: string; namespace?: string }> } },
): Promise<string | undefined> {
  for (const d of hr.spec.dependsOn ?? []) {
    const namespace = d.namespace || hr.metadata.namespace || '';
    const ref = `${namespace}/${d.name}`;
    let dep: Dep | undefined;
    try {
      dep = await client.get<Dep>({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', namespace, name: d.name });
    } catch (e) {
      return `unable to get '${ref}' dependency: ${(e as Error).message}`;
    }
    if (!dep) return `unable to get '${ref}' dependency: helmreleases.helm.toolkit.fluxcd.io "${d.name}" not found`;
    const ready = (dep.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
    if ((dep.metadata.generation ?? 0) !== (dep.status?.observedGeneration ?? -1) || !ready) return `dependency '${ref}' is not ready`;
  }
  return undefined;
}
