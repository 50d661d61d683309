// SPDX-License-Identifier: Apache-2.0
/**
 * Reading charts on disk: `Chart.yaml` of a chart directory or of a packaged chart (streamed out of
 * the `.tgz` without unpacking it, as Flux's `LoadChartMetadataFromArchive`), the dependencies a
 * chart declares (v2 `Chart.yaml` or v1 `requirements.yaml`) and whether `charts/` already holds
 * them, and the values merge of `valuesFiles` (fluxcd/pkg `transform.MergeMaps`).
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Parser } from 'tar';
import type { ReadEntry } from 'tar';
import { parse, stringify } from 'yaml';
import { validateMetadata } from './chart-metadata.ts';

/** Chart.yaml as read. */
export type ChartMetadata = Record<string, unknown> & { name?: string; version?: string; apiVersion?: string; dependencies?: Dependency[] };

/** A declared dependency. */
export interface Dependency {
  name: string;
  version?: string;
  repository?: string;
  alias?: string;
}

/** Largest Chart.yaml read. */
const MAX_CHART_YAML = 1 << 20;

function parseMetadata(text: string, where: string): ChartMetadata {
  let md: unknown;
  try {
    md = parse(text, { schema: 'failsafe' });
  } catch (err) {
    throw new Error(`cannot load Chart.yaml from ${where}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (typeof md !== 'object' || md === null) throw new Error(`cannot load Chart.yaml from ${where}: not a mapping`);
  const out = md as ChartMetadata;
  out.apiVersion ||= 'v1';
  return out;
}

/** Chart.yaml of a chart directory, validated. */
export async function loadChartMetadata(dir: string): Promise<ChartMetadata> {
  const file = join(dir, 'Chart.yaml');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new Error(`no Chart.yaml found at '${dir}'`);
  }
  const md = parseMetadata(text, dir);
  if (md.apiVersion === 'v1' && !md.dependencies) {
    const req = await readFile(join(dir, 'requirements.yaml'), 'utf8').catch(() => undefined);
    if (req) md.dependencies = ((parse(req) as { dependencies?: Dependency[] } | null)?.dependencies ?? []) as Dependency[];
  }
  const problem = validateMetadata(md);
  if (problem) throw new Error(problem);
  return md;
}

/** Chart.yaml of a packaged chart (`<name>/Chart.yaml` inside the archive), validated. */
export async function loadChartMetadataFromArchive(file: string): Promise<ChartMetadata> {
  const text = await new Promise<string | undefined>((ok, fail) => {
    let found: string | undefined;
    const parser = new Parser({
      onReadEntry: (entry: ReadEntry) => {
        const parts = entry.path.replace(/^\.\//, '').split('/');
        if (found === undefined && parts.length === 2 && parts[1] === 'Chart.yaml' && entry.size <= MAX_CHART_YAML) {
          const chunks: Buffer[] = [];
          entry.on('data', (c: Buffer) => chunks.push(c));
          entry.on('end', () => (found = Buffer.concat(chunks).toString('utf8')));
        } else entry.resume();
      },
    });
    parser.on('error', fail);
    parser.on('end', () => ok(found));
    const input = createReadStream(file);
    input.on('error', fail);
    input.pipe(parser as unknown as NodeJS.WritableStream);
  }).catch((err: unknown) => {
    throw new Error(`failed to read chart archive: ${(err as Error).message}`);
  });
  if (text === undefined) throw new Error('Chart.yaml file is missing');
  const md = parseMetadata(text, file);
  const problem = validateMetadata(md);
  if (problem) throw new Error(problem);
  return md;
}

/** True when the path is a directory. */
export async function isDir(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isDirectory() ?? false;
}

/** Dependencies declared but absent from `charts/` (neither `charts/<name>/` nor `charts/<name>-*.tgz`). */
export async function missingDependencies(chartDir: string, md: ChartMetadata): Promise<Dependency[]> {
  const deps = (md.dependencies ?? []).filter((d): d is Dependency => !!d && typeof d.name === 'string');
  if (deps.length === 0) return [];
  const present = await readdir(join(chartDir, 'charts')).catch(() => [] as string[]);
  const out: Dependency[] = [];
  for (const d of deps) {
    const asDir = present.includes(d.name) && (await isDir(join(chartDir, 'charts', d.name)));
    const asTgz = present.some((f) => f.startsWith(`${d.name}-`) && f.endsWith('.tgz'));
    if (!asDir && !asTgz) out.push(d);
  }
  return out;
}

/** fluxcd/pkg `transform.MergeMaps`: `b` over `a`, recursing only where both sides are maps. */
export function mergeMaps(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    if (isMap(v) && isMap(cur)) out[k] = mergeMaps(cur, v);
    else out[k] = v;
  }
  return out;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses a values document; an empty file is an empty map. */
export function parseValues(text: string, ref: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = parse(text);
  } catch (err) {
    throw new Error(`unmarshaling values from '${ref}' failed: ${(err as Error).message.split('\n')[0]}`);
  }
  if (v === null || v === undefined) return {};
  if (!isMap(v)) throw new Error(`unmarshaling values from '${ref}' failed: error unmarshaling JSON: not a map`);
  return v;
}

/**
 * Replaces the chart's `values.yaml` with the merged values (keys sorted, as Go marshals maps);
 * returns false when the content is unchanged (Flux's `OverwriteChartDefaultValues`).
 */
export async function overwriteDefaultValues(chartDir: string, values: Record<string, unknown>): Promise<boolean> {
  const file = join(chartDir, 'values.yaml');
  const current = await readFile(file, 'utf8').catch(() => undefined);
  if (current === undefined) throw new Error('failed to locate values file: values.yaml');
  const next = Object.keys(values).length === 0 ? '' : stringify(values, { sortMapEntries: true, lineWidth: 0, indentSeq: false });
  if (next === current) return false;
  await writeFile(file, next);
  return true;
}
