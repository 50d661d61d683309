// SPDX-License-Identifier: Apache-2.0
/**
 * Applying a set of manifests the way Flux's `install` does: server-side apply in stages
 * (Namespaces and CRDs first, waiting for the CRDs to be Established, then everything else),
 * printing `Kind/namespace/name created|configured|unchanged`, then waiting for Deployments.
 */
import type { KubeObject } from '@eddy/runtime/client';
import { computeStatus } from '@eddy/runtime/kstatus';
import { CliError, pause, type CliContext } from '../context.ts';

/** The field manager of objects the CLI applies. */
export const FIELD_MANAGER = 'eddy';

/** What applying one object did. */
export type ApplyAction = 'created' | 'configured' | 'unchanged';

/** `Kind/namespace/name`, or `Kind/name` for cluster-scoped objects (Flux's `ssa.FmtUnstructured`). */
export function subjectOf(obj: KubeObject): string {
  const ns = obj.metadata.namespace;
  return ns ? `${obj.kind}/${ns}/${obj.metadata.name ?? ''}` : `${obj.kind}/${obj.metadata.name ?? ''}`;
}

function refOf(obj: KubeObject): { apiVersion: string; kind: string; name: string; namespace?: string } {
  return { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name ?? '', ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}) };
}

/** Applies one object with server-side apply and says what changed. */
export async function applyOne(ctx: CliContext, obj: KubeObject): Promise<ApplyAction> {
  const before = await ctx.client().get(refOf(obj));
  const after = await ctx.client().apply(obj, { fieldManager: FIELD_MANAGER, force: true });
  if (!before) return 'created';
  return before.metadata.resourceVersion === after.metadata.resourceVersion ? 'unchanged' : 'configured';
}

/** The first stage of an apply: kinds others depend on. */
function isClusterDefinition(obj: KubeObject): boolean {
  return obj.kind === 'CustomResourceDefinition' || obj.kind === 'Namespace';
}

/** Waits until every CRD is Established (its kinds are served). */
export async function waitForCrds(ctx: CliContext, names: string[]): Promise<void> {
  const deadline = ctx.clock.now() + ctx.opts.timeoutMs;
  for (const name of names) {
    for (;;) {
      const crd = await ctx.client().get({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name });
      const conds = ((crd?.['status'] ?? {}) as { conditions?: Array<{ type: string; status: string }> }).conditions ?? [];
      if (conds.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (ctx.clock.now() >= deadline) throw new CliError(`timed out waiting for CustomResourceDefinition/${name} to be established`);
      await pause(ctx, 250);
    }
  }
}

/** Applies manifests in stages, printing one line per object; returns the applied objects. */
export async function applyManifests(ctx: CliContext, objs: KubeObject[]): Promise<KubeObject[]> {
  const first = objs.filter(isClusterDefinition);
  const rest = objs.filter((o) => !isClusterDefinition(o));
  for (const stage of [first, rest]) {
    for (const obj of stage) ctx.out(`${subjectOf(obj)} ${await applyOne(ctx, obj)}`);
    const crds = stage.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => o.metadata.name ?? '');
    if (crds.length > 0) await waitForCrds(ctx, crds);
  }
  return objs;
}

/** How one Deployment is doing. */
export interface DeploymentHealth {
  name: string;
  ready: boolean;
  message: string;
}

/** Reads the kstatus of Deployments by name. */
export async function deploymentHealth(ctx: CliContext, namespace: string, names: string[]): Promise<DeploymentHealth[]> {
  const out: DeploymentHealth[] = [];
  for (const name of names) {
    const d = await ctx.client().get({ apiVersion: 'apps/v1', kind: 'Deployment', name, namespace });
    if (!d) {
      out.push({ name, ready: false, message: 'deployment not found' });
      continue;
    }
    const k = computeStatus(d);
    out.push({ name, ready: k.status === 'Current', message: k.message || k.status });
  }
  return out;
}

/** Waits until every Deployment is Current (Available with updated replicas) or the timeout passes. */
export async function waitForDeployments(ctx: CliContext, namespace: string, names: string[]): Promise<DeploymentHealth[]> {
  const deadline = ctx.clock.now() + ctx.opts.timeoutMs;
  for (;;) {
    const health = await deploymentHealth(ctx, namespace, names);
    if (health.every((h) => h.ready) || ctx.clock.now() >= deadline) return health;
    await pause(ctx, 2000);
  }
}
