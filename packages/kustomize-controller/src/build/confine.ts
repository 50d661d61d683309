// SPDX-License-Identifier: Apache-2.0
/**
 * Keeps a kustomize build inside the source root. Flux builds in-process with a secure
 * filesystem that refuses any read outside the artifact; Eddy runs the kustomize binary with
 * `LoadRestrictionsNone` (like Flux), so before the build it walks the kustomization graph and
 * checks every file reference: `resources`/`bases`/`components`, `crds`, `configurations`,
 * patch paths, generator file/env sources, `replacements`, `openapi`, Helm paths, and the path
 * fields of builtin generator/transformer configs. Absolute references and references that leave
 * the root fail the build; remote references fail when remote bases are disallowed.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { BuildError } from './errors.ts';
import { findKustomizationFile } from './generator.ts';
import { isRemoteRef, resolveInside } from './paths.ts';

/** Options of {@link checkConfinement}. */
export interface ConfineOptions {
  /** Disallow remote bases and remote files (`--no-remote-bases`). @default false */
  noRemoteBases?: boolean;
}

type Obj = Record<string, unknown>;

interface Walk {
  root: string;
  opts: ConfineOptions;
  visited: Set<string>;
  remote: string[];
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asObj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** A reference kustomize resolves: either fetched remotely or read from the local tree. */
async function checkRef(w: Walk, baseDir: string, ref: string, what: string): Promise<string | undefined> {
  if (ref.toLowerCase().startsWith('file://')) {
    throw new BuildError('OutsideRoot', `security file system: ${what} '${ref}' uses the file:// scheme, which is not allowed`);
  }
  if (isRemoteRef(ref)) {
    if (w.opts.noRemoteBases) {
      throw new BuildError('RemoteDisallowed', `remote ${what} '${ref}' is not allowed: remote bases are disabled (--no-remote-bases)`);
    }
    w.remote.push(ref);
    return undefined;
  }
  return resolveInside(w.root, baseDir, ref, what);
}

/** Generator file sources are `[key=]path`. */
function fileSourcePath(entry: string): string {
  const i = entry.indexOf('=');
  return i >= 0 ? entry.slice(i + 1) : entry;
}

async function checkGeneratorArgs(w: Walk, dir: string, gen: Obj, what: string): Promise<void> {
  for (const f of asList(gen.files)) if (str(f)) await checkRef(w, dir, fileSourcePath(f as string), `${what} file`);
  for (const e of asList(gen.envs)) if (str(e)) await checkRef(w, dir, e as string, `${what} env file`);
  if (str(gen.env)) await checkRef(w, dir, gen.env as string, `${what} env file`);
}

/** Path fields of builtin plugin configs (generators, transformers, validators). */
async function checkPluginConfig(w: Walk, dir: string, cfg: Obj): Promise<void> {
  const kind = str(cfg.kind) ?? '';
  if (str(cfg.path)) await checkRef(w, dir, cfg.path as string, `${kind} path`);
  for (const p of asList(cfg.paths)) if (str(p)) await checkRef(w, dir, p as string, `${kind} path`);
  if (kind === 'ConfigMapGenerator' || kind === 'SecretGenerator') await checkGeneratorArgs(w, dir, cfg, kind);
  for (const r of asList(cfg.replacements)) if (str(asObj(r).path)) await checkRef(w, dir, asObj(r).path as string, 'replacement path');
  for (const key of ['chartHome', 'valuesFile']) if (str(cfg[key])) await checkRef(w, dir, cfg[key] as string, `${kind} ${key}`);
  for (const p of asList(cfg.additionalValuesFiles)) if (str(p)) await checkRef(w, dir, p as string, `${kind} values file`);
}

function parseDocs(text: string, file: string): Obj[] {
  const docs = parseAllDocuments(text, { version: '1.1' });
  const list = Array.isArray(docs) ? docs : [docs];
  const out: Obj[] = [];
  for (const d of list) {
    if (d.errors.length > 0) throw new BuildError('InvalidManifest', `${file}: ${d.errors[0]!.message.split('\n')[0]}`);
    const js: unknown = d.toJS({ maxAliasCount: 100 });
    if (js && typeof js === 'object' && !Array.isArray(js)) out.push(js as Obj);
  }
  return out;
}

async function checkPluginEntry(w: Walk, dir: string, entry: unknown, what: string): Promise<void> {
  if (typeof entry !== 'string' || entry === '') return;
  // An entry holding YAML (more than one line, or a mapping) is an inline plugin config.
  if (entry.includes('\n') || /^\s*[\w.-]+\s*:\s/.test(entry)) {
    for (const cfg of parseDocs(entry, `inline ${what}`)) await checkPluginConfig(w, dir, cfg);
    return;
  }
  const target = await checkRef(w, dir, entry, what);
  if (!target) return;
  const st = await stat(target).catch(() => undefined);
  if (!st) return;
  if (st.isDirectory()) {
    await walkKustomization(w, target);
    return;
  }
  for (const cfg of parseDocs(await readFile(target, 'utf8'), target)) await checkPluginConfig(w, dir, cfg);
}

async function checkResource(w: Walk, dir: string, ref: unknown, what: string): Promise<void> {
  if (typeof ref !== 'string' || ref === '') return;
  const target = await checkRef(w, dir, ref, what);
  if (!target) return;
  const st = await stat(target).catch(() => undefined);
  if (st?.isDirectory()) await walkKustomization(w, target);
}

async function checkPatches(w: Walk, dir: string, k: Obj): Promise<void> {
  for (const p of [...asList(k.patches), ...asList(k.patchesJson6902)]) {
    if (str(asObj(p).path)) await checkRef(w, dir, asObj(p).path as string, 'patch');
  }
  for (const p of asList(k.patchesStrategicMerge)) {
    // Inline patches are YAML text; only single-line entries can be paths.
    if (typeof p === 'string' && !p.includes('\n') && !/^\s*[\w.-]+\s*:\s/.test(p)) await checkRef(w, dir, p, 'patch');
  }
}

async function walkKustomization(w: Walk, dir: string): Promise<void> {
  if (w.visited.has(dir)) return;
  w.visited.add(dir);
  const file = await findKustomizationFile(dir);
  if (!file) return;
  const docs = parseDocs(await readFile(file, 'utf8'), file);
  const k = docs[0] ?? {};
  const kdir = dirname(file);
  for (const r of [...asList(k.resources), ...asList(k.bases)]) await checkResource(w, kdir, r, 'resource');
  for (const c of asList(k.components)) await checkResource(w, kdir, c, 'component');
  for (const f of [...asList(k.crds), ...asList(k.configurations)]) if (str(f)) await checkRef(w, kdir, f as string, 'file');
  await checkPatches(w, kdir, k);
  for (const g of [...asList(k.configMapGenerator), ...asList(k.secretGenerator)]) {
    await checkGeneratorArgs(w, kdir, asObj(g), 'generator');
  }
  await checkOtherFiles(w, kdir, k);
  for (const h of [...asList(k.helmCharts), ...asList(k.helmChartInflationGenerator)]) await checkPluginConfig(w, kdir, asObj(h));
  for (const key of ['generators', 'transformers', 'validators']) {
    for (const entry of asList(k[key])) await checkPluginEntry(w, kdir, entry, key.slice(0, -1));
  }
}

/** Replacement sources, the OpenAPI schema and the Helm chart home. */
async function checkOtherFiles(w: Walk, kdir: string, k: Record<string, unknown>): Promise<void> {
  for (const r of asList(k.replacements)) if (str(asObj(r).path)) await checkRef(w, kdir, asObj(r).path as string, 'replacement');
  if (str(asObj(k.openapi).path)) await checkRef(w, kdir, asObj(k.openapi).path as string, 'openapi');
  if (str(asObj(k.helmGlobals).chartHome)) await checkRef(w, kdir, asObj(k.helmGlobals).chartHome as string, 'chartHome');
}

/** What the confinement check found. */
export interface ConfineResult {
  /** Directories whose kustomization files were checked. */
  kustomizations: string[];
  /** Remote references (allowed because remote bases are enabled). */
  remote: string[];
}

/**
 * Checks that building the kustomization in `dir` reads nothing outside `root`.
 * @throws BuildError `OutsideRoot` or `RemoteDisallowed`
 */
export async function checkConfinement(root: string, dir: string, opts: ConfineOptions = {}): Promise<ConfineResult> {
  const w: Walk = { root, opts, visited: new Set(), remote: [] };
  await walkKustomization(w, dir);
  return { kustomizations: [...w.visited], remote: w.remote };
}
