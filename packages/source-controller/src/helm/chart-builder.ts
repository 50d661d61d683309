// SPDX-License-Identifier: Apache-2.0
/**
 * Chart builds as Flux's `internal/helm/chart` does them, packaging with the real `helm`:
 *
 * - {@link buildFromRemote} (HelmRepository source): resolves the version, reuses the stored chart
 *   when name and version (with build metadata) are unchanged, else downloads it; the exact bytes
 *   become the artifact unless values files or version metadata require a repackage (then
 *   `values.yaml` is replaced by the merge and `helm package --version` writes the new archive).
 * - {@link buildFromLocal} (GitRepository/Bucket source): `spec.chart` is a chart directory or a
 *   packaged chart inside the extracted source; values files (relative to the source root) are
 *   merged, missing dependencies resolved (`helm dependency build` for `file://` ones), and the
 *   chart packaged with `helm package`.
 *
 * Failures are {@link ChartBuildError}s with Flux's reasons (InvalidChartReference, ChartPullError,
 * MetadataPatchError, ValuesFilesError, DependencyBuildError, ChartPackageError).
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, normalize, posix, relative, sep } from 'node:path';
import { extractArchive } from '../storage/extract.ts';
import type { ChartMetadata, Dependency } from './chart-files.ts';
import { isDir, loadChartMetadata, loadChartMetadataFromArchive, mergeMaps, missingDependencies, overwriteDefaultValues, parseValues } from './chart-files.ts';
import { withBuildMetadata } from './chart-metadata.ts';
import type { ChartRemote } from './chart-repository.ts';
import { ChartReferenceError, DEFAULT_MAX_CHART_SIZE } from './chart-repository.ts';
import { helmDependencyBuild, helmPackage } from './helm-cli.ts';

/** Flux's `BuildErrorReason`s: `[reason, summary]`. */
export const BuildErrorReason = {
  ChartReference: ['InvalidChartReference', 'invalid chart reference'],
  ChartPull: ['ChartPullError', 'chart pull error'],
  MetadataPatch: ['MetadataPatchError', 'chart metadata patch error'],
  ValuesFiles: ['ValuesFilesError', 'values files merge error'],
  DependencyBuild: ['DependencyBuildError', 'dependency build error'],
  ChartPackage: ['ChartPackageError', 'chart package error'],
} as const;

type Reason = (typeof BuildErrorReason)[keyof typeof BuildErrorReason];

/** The (partial) result of a build. */
export interface Build {
  name: string;
  version: string;
  /** The packaged chart; empty until the build completed. */
  path: string;
  valuesFiles: string[];
  resolvedDependencies: number;
  packaged: boolean;
}

/** A failed build; `build` holds what was learnt before the failure (name, version). */
export class ChartBuildError extends Error {
  override readonly name = 'ChartBuildError';
  constructor(
    readonly reason: Reason,
    cause: unknown,
    readonly build?: Build,
  ) {
    super(`${reason[1]}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }

  /** Flux's `IsPersistentBuildErrorReason`: these need a spec change. */
  get persistent(): boolean {
    return this.reason === BuildErrorReason.ChartReference || this.reason === BuildErrorReason.MetadataPatch || this.reason === BuildErrorReason.ValuesFiles;
  }
}

/** Flux's `Build.Summary()`. */
export function buildSummary(b: Build | undefined): string {
  if (!b || !b.name || !b.version) return 'no chart build';
  const action = b.path ? (b.packaged ? 'packaged' : 'pulled') : 'new';
  const files = b.valuesFiles.length > 0 ? ` and merged values files [${b.valuesFiles.join(' ')}]` : '';
  return `${action} '${b.name}' chart with version '${b.version}'${files}`;
}

/** Downloads missing `http(s)`/`oci` dependencies into `charts/` (supplied by the reconciler). */
export type DependencyDownloader = (dep: Dependency, chartsDir: string) => Promise<void>;

/** Options of a build. */
export interface BuildOptions {
  /** SemVer build metadata to add to the version (`+<meta>`). */
  versionMetadata?: string;
  valuesFiles?: readonly string[];
  ignoreMissingValuesFiles?: boolean;
  /** The stored chart (reused when name and version match and `force` is false). */
  cachedChart?: string;
  cachedChartValuesFiles?: readonly string[];
  force?: boolean;
  /** Scratch directory (removed by the caller). */
  workDir: string;
  maxChartSize?: number;
  signal?: AbortSignal;
  downloadDependency?: DependencyDownloader;
}

/** Flux's `GetValuesFiles`: a lone `values.yaml` means no values files. */
export function effectiveValuesFiles(files: readonly string[] | undefined): string[] {
  const f = files ?? [];
  return f.length === 1 && posix.normalize(f[0]!) === 'values.yaml' ? [] : [...f];
}

const CHART_NAME = /^[-a-z0-9][-a-z0-9/.]*$/;

/** Flux's `RemoteReference.Validate` (without its backtracking-prone regular expression). */
export function validateChartName(name: string): void {
  if (!name) throw new Error('no name set for remote chart reference');
  if (!CHART_NAME.test(name) || /\/\/|\.\/|\.\./.test(name)) {
    throw new Error(`invalid chart name '${name}': a valid name must be lower case letters and numbers and MAY be separated with dashes (-), slashes (/) or periods (.)`);
  }
}

/** `filepath-securejoin`: `rel` under `root`, `..` clamped at the root. */
export function secureJoin(root: string, rel: string): string {
  return join(root, posix.normalize(`/${rel.split(sep).join('/')}`));
}

async function cachedBuild(result: Build, opts: BuildOptions, requiresPackaging: boolean, local: boolean): Promise<Build | undefined> {
  if (!opts.cachedChart || opts.force) return undefined;
  const md = await loadChartMetadataFromArchive(opts.cachedChart).catch(() => undefined);
  if (!md || md.name !== result.name || md.version !== result.version) return undefined;
  const files = local && opts.cachedChartValuesFiles ? [...opts.cachedChartValuesFiles] : effectiveValuesFiles(opts.valuesFiles);
  return { ...result, path: opts.cachedChart, valuesFiles: files, packaged: requiresPackaging };
}

function patchVersion(result: Build, meta: string | undefined): void {
  if (!meta) return;
  try {
    result.version = withBuildMetadata(result.version, meta);
  } catch (err) {
    throw new ChartBuildError(BuildErrorReason.MetadataPatch, err, { ...result });
  }
}

async function packageTo(chartDir: string, out: string, result: Build, opts: BuildOptions): Promise<void> {
  const dest = await mkdtemp(join(opts.workDir, 'package-'));
  try {
    const written = await helmPackage(chartDir, dest, { version: result.version, ...(opts.signal ? { signal: opts.signal } : {}) });
    await rename(written, out);
  } catch (err) {
    throw new ChartBuildError(BuildErrorReason.ChartPackage, err, { ...result });
  }
}

/** The single top-level chart directory of an extracted chart archive. */
async function chartRootOf(dir: string): Promise<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  const root = entries.find((e) => e.isDirectory() && !e.name.startsWith('.'));
  if (!root) throw new Error('Chart.yaml file is missing');
  return join(dir, root.name);
}

/** Builds a chart from a remote repository (see the module doc). */
export async function buildFromRemote(remote: ChartRemote, ref: { name: string; version: string }, out: string, opts: BuildOptions): Promise<Build> {
  try {
    validateChartName(ref.name);
  } catch (err) {
    throw new ChartBuildError(BuildErrorReason.ChartReference, err);
  }
  let cv;
  try {
    cv = await remote.getChartVersion(ref.name, ref.version);
  } catch (err) {
    const reason = err instanceof ChartReferenceError ? BuildErrorReason.ChartReference : BuildErrorReason.ChartPull;
    throw new ChartBuildError(reason, new Error(`failed to get chart version for remote reference: ${(err as Error).message}`));
  }
  const result: Build = { name: cv.name, version: cv.version, path: '', valuesFiles: [], resolvedDependencies: 0, packaged: false };
  patchVersion(result, opts.versionMetadata);
  const valuesFiles = effectiveValuesFiles(opts.valuesFiles);
  const requiresPackaging = valuesFiles.length > 0 || !!opts.versionMetadata;
  const cached = await cachedBuild(result, opts, requiresPackaging, false);
  if (cached) return cached;
  const downloaded = join(opts.workDir, 'download.tgz');
  try {
    await remote.downloadChart(cv, downloaded, opts.maxChartSize ?? DEFAULT_MAX_CHART_SIZE);
  } catch (err) {
    throw new ChartBuildError(BuildErrorReason.ChartPull, new Error(`failed to download chart for remote reference: ${(err as Error).message}`), { ...result });
  }
  if (!requiresPackaging) {
    try {
      await loadChartMetadataFromArchive(downloaded);
    } catch (err) {
      throw new ChartBuildError(BuildErrorReason.ChartPull, new Error(`failed to load chart metadata from written chart: ${(err as Error).message}`), { ...result });
    }
    await rename(downloaded, out);
    return { ...result, path: out };
  }
  const unpacked = join(opts.workDir, 'chart');
  let root: string;
  try {
    await extractArchive(downloaded, unpacked, { maxBytes: 64 << 20, maxEntries: 10_000 });
    root = await chartRootOf(unpacked);
  } catch (err) {
    throw new ChartBuildError(BuildErrorReason.ChartPackage, new Error(`failed to load downloaded chart: ${(err as Error).message}`), { ...result });
  }
  try {
    let merged: Record<string, unknown> = {};
    for (const p of opts.valuesFiles ?? []) {
      const clean = posix.normalize(p);
      const file = clean === 'values.yaml' ? join(root, 'values.yaml') : secureJoin(root, clean);
      const text = await readFile(file, 'utf8').catch(() => undefined);
      if (text === undefined) throw new Error(`no values file found at path '${p}'`);
      merged = mergeMaps(merged, parseValues(text, p));
    }
    if (await overwriteDefaultValues(root, merged)) result.valuesFiles = valuesFiles;
  } catch (err) {
    throw new ChartBuildError(BuildErrorReason.ValuesFiles, new Error(`failed to merge chart values: ${(err as Error).message}`), { ...result });
  }
  await packageTo(root, out, result, opts);
  return { ...result, path: out, packaged: true };
}

/** Merges values files relative to the source root (Flux's `mergeFileValues`). */
async function mergeFileValues(baseDir: string, paths: readonly string[], ignoreMissing: boolean): Promise<{ values: Record<string, unknown>; files: string[] }> {
  let values: Record<string, unknown> = {};
  const files: string[] = [];
  for (const p of paths) {
    const file = secureJoin(baseDir, p);
    const st = await stat(file).catch(() => undefined);
    if (!st && ignoreMissing) continue;
    if (!st || !st.isFile()) throw new Error(`no values file found at path '${file.slice(baseDir.length)}' (reference '${p}')`);
    values = mergeMaps(values, parseValues(await readFile(file, 'utf8'), p));
    files.push(p);
  }
  return { values, files };
}

async function resolveDependencies(chartDir: string, md: ChartMetadata, workDir: string, opts: BuildOptions): Promise<number> {
  const missing = await missingDependencies(chartDir, md);
  if (missing.length === 0) return 0;
  const isFile = (d: Dependency): boolean => (d.repository ?? '').startsWith('file://');
  for (const d of missing.filter(isFile)) {
    const target = normalize(join(chartDir, d.repository!.slice('file://'.length)));
    const rel = relative(workDir, target);
    if (rel.startsWith('..') || rel.startsWith(sep)) throw new Error(`dependency '${d.name}': path '${d.repository}' is outside the source`);
  }
  const allDeps = (md.dependencies ?? []).filter(Boolean);
  if (allDeps.every(isFile)) {
    await helmDependencyBuild(chartDir, opts.signal ? { signal: opts.signal } : {});
    return missing.length;
  }
  const chartsDir = join(chartDir, 'charts');
  await mkdir(chartsDir, { recursive: true });
  for (const d of missing) {
    if (isFile(d)) {
      const dest = await mkdtemp(join(workDir, 'dep-'));
      const written = await helmPackage(normalize(join(chartDir, d.repository!.slice('file://'.length))), dest);
      await rename(written, join(chartsDir, written.slice(dirname(written).length + 1)));
    } else if (opts.downloadDependency) {
      await opts.downloadDependency(d, chartsDir);
    } else {
      throw new Error(`dependency '${d.name}' from '${d.repository ?? ''}' cannot be resolved`);
    }
  }
  return missing.length;
}

/** Builds a chart from an extracted source (see the module doc). */
export async function buildFromLocal(ref: { workDir: string; path: string }, out: string, opts: BuildOptions): Promise<Build> {
  if (!ref.path) throw new ChartBuildError(BuildErrorReason.ChartReference, new Error('no path set for local chart reference'));
  const chartPath = secureJoin(ref.workDir, ref.path);
  const chartIsDir = await isDir(chartPath);
  let md: ChartMetadata;
  try {
    md = chartIsDir ? await loadChartMetadata(chartPath) : await loadChartMetadataFromArchive(chartPath);
  } catch (err) {
    const msg = (err as NodeJS.ErrnoException).code === 'ENOENT' ? `stat ${ref.path}: no such file or directory` : (err as Error).message;
    throw new ChartBuildError(BuildErrorReason.ChartReference, new Error(msg));
  }
  const result: Build = { name: md.name!, version: md.version!, path: '', valuesFiles: [], resolvedDependencies: 0, packaged: false };
  patchVersion(result, opts.versionMetadata);
  const valuesFiles = effectiveValuesFiles(opts.valuesFiles);
  const requiresPackaging = chartIsDir || !!opts.versionMetadata || valuesFiles.length > 0;
  const cached = await cachedBuild(result, opts, requiresPackaging, true);
  if (cached) return cached;
  if (!requiresPackaging) {
    try {
      await copyFile(chartPath, out);
    } catch (err) {
      throw new ChartBuildError(BuildErrorReason.ChartPull, err, { ...result });
    }
    return { ...result, path: out };
  }
  let merged: { values: Record<string, unknown>; files: string[] } | undefined;
  if (valuesFiles.length > 0) {
    try {
      merged = await mergeFileValues(ref.workDir, opts.valuesFiles ?? [], Boolean(opts.ignoreMissingValuesFiles));
    } catch (err) {
      throw new ChartBuildError(BuildErrorReason.ValuesFiles, err, { ...result });
    }
  }
  let chartDir = chartPath;
  if (!chartIsDir) {
    try {
      await extractArchive(chartPath, join(opts.workDir, 'packaged'), { maxBytes: 64 << 20, maxEntries: 10_000 });
      chartDir = await chartRootOf(join(opts.workDir, 'packaged'));
    } catch (err) {
      throw new ChartBuildError(BuildErrorReason.ChartPackage, err, { ...result });
    }
  }
  if (merged) {
    try {
      if (await overwriteDefaultValues(chartDir, merged.values)) result.valuesFiles = merged.files;
    } catch (err) {
      throw new ChartBuildError(BuildErrorReason.ValuesFiles, err, { ...result });
    }
  }
  if (chartIsDir) {
    try {
      result.resolvedDependencies = await resolveDependencies(chartDir, md, ref.workDir, opts);
    } catch (err) {
      throw new ChartBuildError(BuildErrorReason.DependencyBuild, err, { ...result });
    }
  }
  await packageTo(chartDir, out, result, opts);
  await rm(join(opts.workDir, 'packaged'), { recursive: true, force: true });
  return { ...result, path: out, packaged: true };
}
