// SPDX-License-Identifier: Apache-2.0
/**
 * Builds a Kustomization from a local directory the way kustomize-controller builds it from an
 * artifact, for `eddy build` and `eddy diff`. The directory's repository (its git top level, or
 * the directory itself) is copied to a temporary root so nothing of the user's is modified; then:
 *
 * - with `@eddy/kustomize-controller`'s build pipeline (`build.buildKustomization` and
 *   `postbuild.loadVariables` exported from the package): the controller's own generator (targetNamespace, namePrefix/Suffix,
 *   patches, images, components), the real `kustomize build`, and `postBuild` substitution with
 *   variables read from the cluster;
 * - without it: a plain `kustomize build`, and a warning that the spec's transforms were skipped.
 *
 * Finally `commonMetadata` and the owner labels `kustomize.toolkit.fluxcd.io/name|namespace`
 * are set, as the controller does before applying.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { KubeObject } from '@eddy/runtime/client';
import { CliError, type CliContext } from '../context.ts';
import { parseObjects, toYamlStream } from '../install/manifests.ts';

/** What kustomize-controller's package must export for the full pipeline. */
interface ControllerBuildApi {
  buildKustomization(input: {
    root: string;
    path: string;
    spec?: Record<string, unknown>;
    postBuild?: { vars: Record<string, string>; always?: boolean };
    kustomize?: { kustomizePath?: string };
  }): Promise<{ output: string }>;
  loadVariables(
    reader: {
      getConfigMap(ns: string, name: string): Promise<{ data?: Record<string, string> } | undefined>;
      getSecret(ns: string, name: string): Promise<{ data?: Record<string, string> } | undefined>;
    },
    namespace: string,
    spec: Record<string, unknown>,
  ): Promise<Record<string, string>>;
}

/** The result of a local build. */
export interface LocalBuild {
  objects: KubeObject[];
  /** The multi-document YAML. */
  yaml: string;
  /** `controller` when the kustomize-controller pipeline ran, `basic` for a plain kustomize build. */
  pipeline: 'controller' | 'basic';
}

async function controllerApi(): Promise<ControllerBuildApi | undefined> {
  try {
    // Loaded by name at run time: the build works (basic) even when the package is unfinished.
    const specifier: string = '@eddy/kustomize-controller';
    const mod = (await import(specifier)) as Record<string, Record<string, unknown> | undefined>;
    // Top-level exports, or the `build` and `postbuild` namespaces of the package index.
    const build = (mod['buildKustomization'] ? mod : mod['build']) as Record<string, unknown> | undefined;
    const postbuild = (mod['loadVariables'] ? mod : mod['postbuild']) as Record<string, unknown> | undefined;
    const buildKustomization = build?.['buildKustomization'];
    const loadVariables = postbuild?.['loadVariables'];
    if (typeof buildKustomization === 'function' && typeof loadVariables === 'function') {
      return { buildKustomization, loadVariables } as ControllerBuildApi;
    }
  } catch {
    // The package fails to load: fall back to the basic build.
  }
  return undefined;
}

/** The kustomize binary: `$EDDY_KUSTOMIZE`, else `kustomize` on PATH. */
export function kustomizeBinary(): string {
  return process.env.EDDY_KUSTOMIZE || 'kustomize';
}

function repoRootOf(dir: string): string {
  try {
    return execFileSync('git', ['-C', dir, 'rev-parse', '--show-toplevel'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || dir;
  } catch {
    return dir;
  }
}

function runKustomize(dir: string): Promise<string> {
  return new Promise((resolveOut, reject) => {
    const child = spawn(kustomizeBinary(), ['build', dir, '--load-restrictor', 'LoadRestrictionsNone'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.on('error', (e) => reject(new CliError(`kustomize binary not found (${e.message}): install kustomize or set EDDY_KUSTOMIZE`)));
    child.on('close', (code) => (code === 0 ? resolveOut(out) : reject(new CliError(`kustomize build failed: ${err.trim().split('\n').pop() ?? ''}`))));
  });
}

/** The spec fields the controller's generator reads. */
function buildSpecOf(spec: Record<string, unknown>): Record<string, unknown> {
  const keys = ['targetNamespace', 'namePrefix', 'nameSuffix', 'patches', 'images', 'components', 'ignoreMissingComponents', 'buildMetadata'];
  return Object.fromEntries(keys.filter((k) => spec[k] !== undefined).map((k) => [k, spec[k]]));
}

/** Sets `commonMetadata` and the owner labels on every object (pure; exported for tests). */
export function setOwnerMetadata(objs: KubeObject[], ks: KubeObject): KubeObject[] {
  const common = ((ks['spec'] ?? {}) as { commonMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> } }).commonMetadata;
  return objs.map((o) => {
    const labels = { ...o.metadata.labels, ...common?.labels };
    labels['kustomize.toolkit.fluxcd.io/name'] = ks.metadata.name ?? '';
    labels['kustomize.toolkit.fluxcd.io/namespace'] = ks.metadata.namespace ?? '';
    const annotations = { ...o.metadata.annotations, ...common?.annotations };
    return { ...o, metadata: { ...o.metadata, labels, ...(Object.keys(annotations).length ? { annotations } : {}) } };
  });
}

/** Builds `dir` as Kustomization `ks` would build it. */
export async function buildLocal(ctx: CliContext, ks: KubeObject, dir: string, opts: { dryRun?: boolean } = {}): Promise<LocalBuild> {
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new CliError(`invalid resource path '${dir}'`);
  const root = repoRootOf(abs);
  const tmp = mkdtempSync(join(tmpdir(), 'eddy-build-'));
  try {
    cpSync(root, tmp, { recursive: true, filter: (src) => !/(^|\/)\.git(\/|$)/.test(relative(root, src)) });
    const path = relative(root, abs) || '.';
    const spec = (ks['spec'] ?? {}) as Record<string, unknown>;
    const api = await controllerApi();
    let yaml: string;
    if (api) {
      const postBuild = spec['postBuild'] as Record<string, unknown> | undefined;
      const vars = postBuild ? await api.loadVariables(variableReader(ctx, opts.dryRun === true), ks.metadata.namespace ?? ctx.opts.namespace, postBuild) : undefined;
      const built = await api.buildKustomization({
        root: tmp,
        path,
        spec: buildSpecOf(spec),
        ...(vars ? { postBuild: { vars, always: postBuild?.['substituteStrategy'] === 'Always' } } : {}),
        kustomize: { kustomizePath: kustomizeBinary() },
      });
      yaml = built.output;
    } else {
      ctx.err('⚠ @eddy/kustomize-controller exports no build pipeline yet: running a plain kustomize build (spec transforms and postBuild are not applied)');
      yaml = await runKustomize(join(tmp, path));
    }
    const objects = setOwnerMetadata(parseObjects(yaml), ks);
    return { objects, yaml: toYamlStream(objects), pipeline: api ? 'controller' : 'basic' };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function variableReader(ctx: CliContext, dryRun: boolean): Parameters<ControllerBuildApi['loadVariables']>[0] {
  const read = async (kind: string, ns: string, name: string): Promise<{ data?: Record<string, string> } | undefined> => {
    if (dryRun) return undefined;
    const obj = await ctx.client().get({ apiVersion: 'v1', kind, name, namespace: ns });
    return obj ? { data: (obj['data'] ?? {}) as Record<string, string> } : undefined;
  };
  return { getConfigMap: (ns, name) => read('ConfigMap', ns, name), getSecret: (ns, name) => read('Secret', ns, name) };
}
