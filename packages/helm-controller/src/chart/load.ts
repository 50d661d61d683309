// SPDX-License-Identifier: Apache-2.0
/**
 * Loads a chart for one reconcile: downloads and verifies the artifact into a private temporary
 * directory, unpacks it (no symlinks, no paths outside the directory, capped size), reads
 * `Chart.yaml`, and — for OCIRepository sources — rewrites the version to `<version>+<digest[:12]>`
 * as Flux does so a re-pushed tag is a new release. {@link LoadedChart.dispose} removes everything:
 * nothing outlives the reconcile.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { x as extract } from 'tar';
import { parseDocument } from 'yaml';
import { versionWithDigest } from '../release/names.ts';
import { fetchArtifact, type ArtifactRef, type FetchOptions } from './fetch.ts';

/** A chart unpacked on disk. */
export interface LoadedChart {
  /** The chart directory to hand to helm. */
  path: string;
  name: string;
  /** The version as it will be released (mutated for OCI sources). */
  version: string;
  appVersion?: string;
  /** `sha256:…` of the OCI artifact, when the source is an OCIRepository. */
  ociDigest?: string;
  /** Files under `crds/` (relative paths), for the CRD policy. */
  crdFiles: string[];
  /** Removes the temporary directory. Idempotent. */
  dispose(): Promise<void>;
}

/** A chart that cannot be used (bad archive, missing or invalid Chart.yaml). */
export class ChartLoadError extends Error {
  override readonly name = 'ChartLoadError';
}

/** Options of {@link loadChart}. */
export interface LoadOptions extends FetchOptions {
  /** Parent of the temporary directory. */
  tmpDir: string;
  /** Uncompressed size limit. @default 200 MiB */
  maxUnpackedBytes?: number;
  /**
   * The source kind. For `OCIRepository`, `revision` (`<tag>@<digest>` or `<digest>`) determines
   * the OCI digest appended to the version.
   */
  sourceKind?: 'HelmChart' | 'OCIRepository' | 'ExternalArtifact' | string;
}

async function findChartRoot(dir: string): Promise<string> {
  try {
    await stat(join(dir, 'Chart.yaml'));
    return dir;
  } catch {
    const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory());
    for (const e of entries) {
      try {
        await stat(join(dir, e.name, 'Chart.yaml'));
        return join(dir, e.name);
      } catch {
        /* keep looking */
      }
    }
  }
  throw new ChartLoadError('artifact does not contain a chart (no Chart.yaml)');
}

/** The OCI digest in an OCIRepository revision (`<tag>@sha256:…` or `sha256:…`). */
export function ociDigestOf(revision: string | undefined): string | undefined {
  if (!revision) return undefined;
  const d = revision.includes('@') ? revision.split('@')[1] : revision;
  return d && /^[a-z0-9]+:[a-f0-9]{12,}$/.test(d) ? d : undefined;
}

async function unpack(archive: string, dest: string, maxBytes: number): Promise<void> {
  let total = 0;
  try {
    await extract({
      file: archive,
      cwd: dest,
      strict: true,
      preservePaths: false,
      filter: (path, entry) => {
        const type = (entry as { type?: string }).type;
        if (type !== 'File' && type !== 'Directory' && type !== 'OldFile') return false;
        if (path.split(/[\\/]/).includes('..')) return false;
        total += (entry as { size?: number }).size ?? 0;
        if (total > maxBytes) throw new ChartLoadError(`chart exceeds the unpacked size limit of ${maxBytes} bytes`);
        return true;
      },
    });
  } catch (e) {
    if (e instanceof ChartLoadError) throw e;
    throw new ChartLoadError(`failed to unpack chart archive: ${(e as Error).message}`);
  }
}

/** Downloads, verifies and unpacks the chart in `artifact`; see the module doc. */
export async function loadChart(artifact: ArtifactRef, opts: LoadOptions): Promise<LoadedChart> {
  const dir = await mkdtemp(join(opts.tmpDir, 'chart-'));
  const dispose = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    const archive = join(dir, 'artifact.tgz');
    await fetchArtifact(artifact, archive, opts);
    const root = join(dir, 'src');
    await mkdir(root);
    await unpack(archive, root, opts.maxUnpackedBytes ?? 200 * 1024 * 1024);
    await rm(archive, { force: true });
    const path = await findChartRoot(root);
    const chartYaml = join(path, 'Chart.yaml');
    const doc = parseDocument(await readFile(chartYaml, 'utf8'));
    const name = doc.get('name');
    let version = doc.get('version');
    if (typeof name !== 'string' || !name) throw new ChartLoadError('validation: chart.metadata.name is required');
    if (version === undefined || version === null || version === '') throw new ChartLoadError('validation: chart.metadata.version is required');
    version = String(version);
    const appVersion = doc.get('appVersion');
    const ociDigest = opts.sourceKind === 'OCIRepository' ? ociDigestOf(artifact.revision) : undefined;
    if (ociDigest) {
      version = versionWithDigest(version as string, ociDigest);
      doc.set('version', version);
      await writeFile(chartYaml, doc.toString());
    }
    let crdFiles: string[] = [];
    try {
      crdFiles = (await readdir(join(path, 'crds'), { recursive: true })).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
    } catch {
      /* no crds/ */
    }
    const loaded: LoadedChart = { path, name, version: version as string, crdFiles, dispose };
    if (appVersion !== undefined && appVersion !== null) loaded.appVersion = String(appVersion);
    if (ociDigest) loaded.ociDigest = ociDigest;
    return loaded;
  } catch (e) {
    await dispose();
    throw e;
  }
}
