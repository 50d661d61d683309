// SPDX-License-Identifier: Apache-2.0
/**
 * `eddy build kustomization <name> --path <dir>` prints what the Kustomization would apply from a
 * local directory; `eddy diff kustomization <name> --path <dir>` compares it with the cluster by
 * server-side dry-run apply (field manager `kustomize-controller`, as the controller applies):
 * `► Kind/ns/name created|configured|unchanged|deleted`, a unified diff of each configured object,
 * and exit code 1 when anything would change (2 on errors), like `flux diff`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { inventoryEntryOf, parseObjMetadata } from '@eddy/api';
import { ApiError, type KubeObject } from '@eddy/runtime/client';
import { CliError, type CliContext } from '../context.ts';
import { buildLocal } from '../build/local-build.ts';
import { parseObjects } from '../install/manifests.ts';
import { subjectOf } from '../install/apply.ts';
import { unifiedDiff } from '../output/unified-diff.ts';

/** Options of `build` and `diff`. */
export interface BuildOptions {
  path: string;
  kustomizationFile?: string;
  dryRun?: boolean;
}

/** Reads the Kustomization from `--kustomization-file` or the cluster. */
export async function loadKustomization(ctx: CliContext, name: string, opts: BuildOptions): Promise<KubeObject> {
  if (opts.kustomizationFile) {
    const objs = parseObjects(readFileSync(opts.kustomizationFile, 'utf8'));
    const ks = objs.find((o) => o.kind === 'Kustomization' && o.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/') && o.metadata.name === name);
    if (!ks) throw new CliError(`no Kustomization '${name}' in ${opts.kustomizationFile}`);
    ks.metadata.namespace ??= ctx.opts.namespace;
    return ks;
  }
  if (opts.dryRun) throw new CliError('--dry-run needs --kustomization-file');
  const ks = await ctx.client().get({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', name, namespace: ctx.opts.namespace });
  if (!ks) throw new CliError(`failed to get kustomization object: kustomizations.kustomize.toolkit.fluxcd.io "${name}" not found`);
  return ks;
}

/** Runs `build kustomization`. */
export async function buildCommand(ctx: CliContext, name: string, opts: BuildOptions): Promise<void> {
  const ks = await loadKustomization(ctx, name, opts);
  const built = await buildLocal(ctx, ks, opts.path, opts.dryRun ? { dryRun: true } : {});
  ctx.out(built.yaml.trimEnd());
}

/** Removes what the server adds or the diff should not show (pure; exported for tests). */
export function normalizeForDiff(obj: KubeObject): KubeObject {
  const copy = structuredClone(obj);
  delete copy['status'];
  for (const k of ['managedFields', 'resourceVersion', 'generation', 'uid', 'creationTimestamp']) delete copy.metadata[k];
  if (copy.metadata.annotations) {
    delete copy.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'];
    if (Object.keys(copy.metadata.annotations).length === 0) delete copy.metadata.annotations;
  }
  return copy;
}

/** Replaces Secret values by a hash marker so the diff shows which keys change, never their values. */
export function maskSecret(obj: KubeObject): KubeObject {
  if (obj.kind !== 'Secret' || obj.apiVersion !== 'v1') return obj;
  const copy = structuredClone(obj);
  for (const field of ['data', 'stringData']) {
    const data = copy[field] as Record<string, string> | undefined;
    if (!data) continue;
    for (const k of Object.keys(data)) data[k] = `*** (sha256:${createHash('sha256').update(String(data[k])).digest('hex').slice(0, 12)})`;
  }
  return copy;
}

function refOf(obj: KubeObject): { apiVersion: string; kind: string; name: string; namespace?: string } {
  return { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name ?? '', ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}) };
}

/** One object's verdict. */
export type DiffAction = 'created' | 'configured' | 'unchanged';

async function diffOne(ctx: CliContext, obj: KubeObject): Promise<{ action: DiffAction; diff: string }> {
  const res = await ctx.client().resourceFor(obj.apiVersion, obj.kind).catch((err: unknown) => {
    if (ApiError.is(err) && err.code === 404) return undefined;
    throw err;
  });
  // A kind the cluster does not serve yet (its CRD is in the same build): it will be created.
  if (!res) return { action: 'created', diff: '' };
  if (res.namespaced && !obj.metadata.namespace) obj.metadata.namespace = 'default';
  const live = await ctx.client().get(refOf(obj));
  if (!live) return { action: 'created', diff: '' };
  const merged = await ctx.client().apply(obj, { fieldManager: 'kustomize-controller', force: true, dryRun: true });
  const before = stringify(maskSecret(normalizeForDiff(live)));
  const after = stringify(maskSecret(normalizeForDiff(merged)));
  const diff = unifiedDiff(before, after, { from: `${subjectOf(obj)} (live)`, to: `${subjectOf(obj)} (merged)` });
  return { action: diff ? 'configured' : 'unchanged', diff };
}

/** The objects of the old inventory that the new build no longer has (what prune would delete). */
export function staleEntries(ks: KubeObject, built: KubeObject[]): string[] {
  const inv = ((ks['status'] ?? {}) as { inventory?: { entries?: Array<{ id: string }> } }).inventory?.entries ?? [];
  const ids = new Set(built.map((o) => inventoryEntryOf(o).id));
  const out: string[] = [];
  for (const e of inv) {
    if (ids.has(e.id)) continue;
    const m = parseObjMetadata(e.id);
    if (m.ok) out.push(m.value.namespace ? `${m.value.kind}/${m.value.namespace}/${m.value.name}` : `${m.value.kind}/${m.value.name}`);
  }
  return out.sort();
}

/** Runs `diff kustomization`; throws exit code 1 when something would change, 2 on errors. */
export async function diffCommand(ctx: CliContext, name: string, opts: BuildOptions): Promise<void> {
  let changed = false;
  const errors: string[] = [];
  try {
    const ks = await loadKustomization(ctx, name, opts);
    const built = await buildLocal(ctx, ks, opts.path);
    for (const obj of built.objects) {
      try {
        const { action, diff } = await diffOne(ctx, obj);
        ctx.out(`► ${subjectOf(obj)} ${action}`);
        if (diff) ctx.out(diff);
        if (action !== 'unchanged') changed = true;
      } catch (err) {
        errors.push(`${subjectOf(obj)} dry-run failed: ${(err as Error).message}`);
      }
    }
    if ((ks['spec'] as { prune?: boolean } | undefined)?.prune && errors.length === 0) {
      for (const subject of staleEntries(ks, built.objects)) {
        ctx.out(`► ${subject} deleted`);
        changed = true;
      }
    }
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
  if (errors.length > 0) throw new CliError(errors.join('\n✗ '), 2);
  if (changed) throw new CliError('identified at least one change, exiting with non-zero exit code', 1);
}
