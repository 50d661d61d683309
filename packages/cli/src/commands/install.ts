// SPDX-License-Identifier: Apache-2.0
/**
 * `eddy install` and `eddy uninstall`, as Flux does them. Install prints (`--export`) or applies
 * the generated install manifests for the chosen components and waits for the controllers'
 * Deployments. Uninstall removes, in this order, the controllers (so nothing re-adds finalizers),
 * the finalizers of every Eddy object, the CRDs (which deletes the objects) and the namespace.
 */
import type { KubeObject } from '@eddy/runtime/client';
import { ApiError } from '@eddy/runtime/client';
import { CliError, type CliContext } from '../context.ts';
import { retryTransient } from '../retry.ts';
import { KINDS } from '../kinds.ts';
import { applyManifests, waitForDeployments } from '../install/apply.ts';
import { installManifests, PART_OF, toYamlStream } from '../install/manifests.ts';

/** Options of `install`. */
export interface InstallOptions {
  export?: boolean;
  components: string[];
}

/** Runs `install`. */
export async function install(ctx: CliContext, opts: InstallOptions): Promise<void> {
  const objs = installManifests(ctx.opts.namespace, opts.components);
  if (opts.export) {
    ctx.out(toYamlStream(objs).trimEnd());
    return;
  }
  ctx.out('✚ generating manifests');
  ctx.out('✔ manifests build completed');
  ctx.out(`► installing components in ${ctx.opts.namespace} namespace`);
  await applyManifests(ctx, objs);
  ctx.out('✔ install completed');
  await verifyDeployments(ctx, objs);
  ctx.out('✔ install finished');
}

/** Waits for the Deployments among `objs` and reports each; throws when one is not ready. */
export async function verifyDeployments(ctx: CliContext, objs: KubeObject[]): Promise<void> {
  const names = objs.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name ?? '');
  if (names.length === 0) return;
  ctx.out('◎ verifying installation');
  const health = await waitForDeployments(ctx, ctx.opts.namespace, names);
  for (const h of health) ctx.out(h.ready ? `✔ ${h.name}: deployment ready` : `✗ ${h.name}: ${h.message}`);
  if (health.some((h) => !h.ready)) throw new CliError('install failed: timed out waiting for the controllers to become ready (--timeout)');
}

/** Options of `uninstall`. */
export interface UninstallOptions {
  keepNamespace?: boolean;
  dryRun?: boolean;
  silent?: boolean;
}

type Ref = { apiVersion: string; kind: string; name: string; namespace?: string };

async function deleteAll(ctx: CliContext, refs: Ref[], dryRun: boolean): Promise<void> {
  const suffix = dryRun ? ' (dry run)' : '';
  for (const r of refs) {
    const subject = r.namespace ? `${r.kind}/${r.namespace}/${r.name}` : `${r.kind}/${r.name}`;
    try {
      await ctx.client().delete(r, { dryRun });
      ctx.out(`✔ ${subject} deleted${suffix}`);
    } catch (err) {
      ctx.out(`✗ ${subject} deletion failed: ${(err as Error).message}`);
    }
  }
}

async function listRefs(ctx: CliContext, apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<Ref[]> {
  try {
    const list = await retryTransient(ctx, () => ctx.client().list(apiVersion, kind, { ...(namespace ? { namespace } : {}), ...(labelSelector ? { labelSelector } : {}) }));
    return list.items.map((o) => ({ apiVersion, kind, name: o.metadata.name ?? '', ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) }));
  } catch (err) {
    if (ApiError.is(err) && err.code === 404) return [];
    throw err;
  }
}

async function removeFinalizers(ctx: CliContext, dryRun: boolean): Promise<void> {
  const suffix = dryRun ? ' (dry run)' : '';
  for (const kind of KINDS) {
    for (const r of await listRefs(ctx, kind.apiVersion, kind.kind)) {
      try {
        await ctx.client().patch(r, { metadata: { finalizers: null } }, { type: 'merge', dryRun });
        ctx.out(`✔ ${r.kind}/${r.namespace ?? ''}/${r.name} finalizers deleted${suffix}`);
      } catch (err) {
        ctx.out(`✗ ${r.kind}/${r.namespace ?? ''}/${r.name} removing finalizers failed: ${(err as Error).message}`);
      }
    }
  }
}

/** Runs `uninstall`. */
export async function uninstall(ctx: CliContext, opts: UninstallOptions): Promise<void> {
  const dryRun = opts.dryRun === true;
  if (!dryRun && !opts.silent && !(await ctx.confirm('Are you sure you want to delete Eddy and its custom resource definitions'))) {
    throw new CliError('aborting');
  }
  const ns = ctx.opts.namespace;
  const selector = `${PART_OF}=flux`;
  ctx.out(`► deleting components in ${ns} namespace`);
  const namespaced: Array<[string, string]> = [
    ['apps/v1', 'Deployment'],
    ['v1', 'Service'],
    ['networking.k8s.io/v1', 'NetworkPolicy'],
    ['v1', 'ServiceAccount'],
  ];
  for (const [apiVersion, kind] of namespaced) await deleteAll(ctx, await listRefs(ctx, apiVersion, kind, ns, selector), dryRun);
  for (const kind of ['ClusterRole', 'ClusterRoleBinding']) {
    await deleteAll(ctx, await listRefs(ctx, 'rbac.authorization.k8s.io/v1', kind, undefined, selector), dryRun);
  }
  ctx.out('► deleting toolkit.fluxcd.io finalizers in all namespaces');
  await removeFinalizers(ctx, dryRun);
  ctx.out('► deleting toolkit.fluxcd.io custom resource definitions');
  await deleteAll(ctx, await listRefs(ctx, 'apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, selector), dryRun);
  if (!opts.keepNamespace) await deleteAll(ctx, [{ apiVersion: 'v1', kind: 'Namespace', name: ns }], dryRun);
  ctx.out('✔ uninstall finished');
}
