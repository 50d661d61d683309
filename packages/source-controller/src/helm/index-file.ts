// SPDX-License-Identifier: Apache-2.0
/**
 * Helm repository indexes with bounded memory. Flux's most reported problem is the memory a big
 * `index.yaml` costs when parsed whole (Bitnami's is tens of MiB); here:
 *
 * 1. {@link normalizeIndex} scans the downloaded file line by line and cuts the `entries` mapping
 *    into one chunk per chart (block-style YAML, which is what `helm repo index` and every chart
 *    server write), parses each chunk alone with the failsafe schema, validates and sorts its
 *    versions as Flux's `IndexFromBytes` does (strict fields, `apiVersion` required, invalid
 *    versions dropped, newest first), and writes the artifact: JSON (valid YAML, as Flux stores
 *    it) with one chart per line, charts in name order. Peak memory is the largest single chart.
 *    Other shapes (flow style, a JSON index, anchors across charts) are parsed whole, under a cap.
 * 2. {@link readChartVersions} finds one chart in such an artifact by reading lines until its own
 *    line, so a HelmChart never loads the whole index either.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { parse } from 'yaml';
import { coerceChartVersion, compareVersionsDesc, UnknownFieldError, validateMetadata } from './chart-metadata.ts';

/** Flux's `--helm-index-max-size` default: 50 MiB. */
export const DEFAULT_MAX_INDEX_SIZE = 50 << 20;
/** Largest index parsed whole when it cannot be streamed (non block-style YAML). */
export const DEFAULT_FULL_PARSE_MAX = 8 << 20;

/** A malformed or unsupported index (Flux: IndexationFailed). */
export class IndexError extends Error {
  override readonly name = 'IndexError';
}

/** What {@link normalizeIndex} found. */
export interface IndexSummary {
  apiVersion: string;
  charts: number;
  versions: number;
}

const TOP_LEVEL = new Set(['serverInfo', 'apiVersion', 'generated', 'entries', 'publicKeys', 'annotations']);

interface Span {
  start: number;
  end: number;
}

interface Layout {
  top: Map<string, Span>;
  charts: Map<string, Span>;
  indent: number;
}

class NotStreamable extends Error {}

/** The key of a `key: value` / `key:` line (plain, single- or double-quoted), or undefined. */
function lineKey(text: string): { key: string; rest: string } | undefined {
  let m: RegExpExecArray | null;
  if (text.startsWith('"')) m = /^("(?:[^"\\]|\\.)*")\s*:(?:\s+(.*))?$/.exec(text);
  else if (text.startsWith("'")) m = /^('(?:[^']|'')*')\s*:(?:\s+(.*))?$/.exec(text);
  else m = /^([^\s#'"{[&*!|>%@`-][^:#]*?|-[^\s:#][^:#]*?)\s*:(?:\s+(.*))?$/.exec(text);
  if (!m) return undefined;
  const key = text.startsWith('"') || text.startsWith("'") ? String(parse(m[1]!, { schema: 'failsafe' })) : m[1]!;
  return { key, rest: (m[2] ?? '').replace(/\s+#.*$/, '').trim() };
}

/** Cuts block-style index lines into top-level and per-chart spans. */
class Scanner {
  readonly top = new Map<string, Span>();
  readonly charts = new Map<string, Span>();
  indent = -1;
  private section: string | undefined;
  private current: { map: Map<string, Span>; key: string; start: number } | undefined;

  close(end: number): void {
    if (this.current) this.current.map.set(this.current.key, { start: this.current.start, end });
    this.current = undefined;
  }

  private open(map: Map<string, Span>, text: string, start: number): string {
    const k = lineKey(text);
    if (!k) throw new NotStreamable();
    this.close(start);
    if (map.has(k.key)) throw new IndexError(`yaml: unmarshal errors: mapping key "${k.key}" already defined`);
    this.current = { map, key: k.key, start };
    return k.rest;
  }

  /** Takes one non-empty, non-comment line starting at byte `start`. */
  line(text: string, start: number): void {
    if (text.startsWith('\t') || text === '---' || text === '...' || text.startsWith('%')) throw new NotStreamable();
    const trimmed = text.trimStart();
    const lead = text.length - trimmed.length;
    if (lead === 0) {
      const rest = this.open(this.top, text, start);
      this.section = this.current!.key;
      if (this.section !== 'entries') return;
      if (rest !== '' && rest !== '{}' && rest !== '~' && rest !== 'null') throw new NotStreamable();
      this.close(start);
      this.top.set('entries', { start, end: start });
      return;
    }
    if (this.section !== 'entries') {
      if (!this.current) throw new NotStreamable();
      return;
    }
    if (this.indent < 0) this.indent = lead;
    if (lead < this.indent) throw new NotStreamable();
    if (lead === this.indent && !trimmed.startsWith('-')) this.open(this.charts, trimmed, start);
    else if (!this.current) throw new NotStreamable();
  }
}

/** First pass: byte spans of the top-level keys and of each chart under `entries`. */
async function scan(file: string): Promise<Layout> {
  const sc = new Scanner();
  let offset = 0;
  let seenContent = false;
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of rl) {
    const start = offset;
    offset += Buffer.byteLength(line) + 1;
    const text = line.replace(/\r$/, '');
    const trimmed = text.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (!seenContent && text === '---') {
      seenContent = true;
      continue;
    }
    seenContent = true;
    sc.line(text, start);
  }
  sc.close(offset);
  return { top: sc.top, charts: sc.charts, indent: Math.max(sc.indent, 0) };
}

async function readSpan(fd: Awaited<ReturnType<typeof open>>, span: Span): Promise<string> {
  const buf = Buffer.alloc(span.end - span.start);
  await fd.read(buf, 0, buf.length, span.start);
  return buf.toString('utf8');
}

function dedent(text: string, n: number): string {
  if (n === 0) return text;
  const pad = ' '.repeat(n);
  return text
    .split('\n')
    .map((l) => (l.startsWith(pad) ? l.slice(n) : l))
    .join('\n');
}

function parseChunk(text: string): Record<string, unknown> {
  try {
    const v = parse(text, { schema: 'failsafe', uniqueKeys: true, maxAliasCount: 1000 }) as unknown;
    return (v ?? {}) as Record<string, unknown>;
  } catch (err) {
    throw new IndexError(`yaml: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** Validates, filters and sorts one chart's versions (Flux's `IndexFromBytes` per entry). */
export function normalizeVersions(raw: unknown): Record<string, unknown>[] {
  if (raw === null || raw === undefined || raw === '') return [];
  if (!Array.isArray(raw)) throw new IndexError('json: cannot unmarshal object into Go struct field IndexFile.entries of type repo.ChartVersions');
  const out: Record<string, unknown>[] = [];
  for (const item of raw) {
    if (item === null || item === undefined) continue;
    let cv: Record<string, unknown>;
    try {
      cv = coerceChartVersion(item);
    } catch (err) {
      if (err instanceof UnknownFieldError) throw new IndexError(`error unmarshaling JSON: while decoding JSON: ${err.message}`);
      throw err;
    }
    if (validateMetadata(cv) === undefined) out.push(cv);
  }
  return out.sort(compareVersionsDesc);
}

async function write(out: WriteStream, s: string): Promise<void> {
  if (!out.write(s)) await once(out, 'drain');
}

function topFields(values: Map<string, unknown>): string {
  const apiVersion = values.get('apiVersion');
  if (apiVersion === undefined || apiVersion === null || apiVersion === '') throw new IndexError('no API version specified');
  const parts = [`"apiVersion":${JSON.stringify(String(apiVersion))}`];
  const generated = values.get('generated');
  if (generated !== undefined && generated !== null) parts.push(`"generated":${JSON.stringify(String(generated))}`);
  for (const k of ['publicKeys', 'annotations'] as const) {
    const v = values.get(k);
    if (v !== undefined && v !== null && v !== '') parts.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
  }
  return parts.join(',');
}

/** Writes the artifact for already parsed top-level values and a chart source. */
async function writeIndex(
  outFile: string,
  values: Map<string, unknown>,
  names: string[],
  chartVersions: (name: string) => Promise<unknown>,
): Promise<IndexSummary> {
  for (const k of values.keys()) if (!TOP_LEVEL.has(k)) throw new IndexError(`error unmarshaling JSON: while decoding JSON: json: unknown field "${k}"`);
  const head = topFields(values);
  const out = createWriteStream(outFile, { mode: 0o600 });
  const done = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
  });
  let versions = 0;
  try {
    await write(out, `{${head},\n"entries":{\n`);
    const sorted = [...names].sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : Buffer.from(a) > Buffer.from(b) ? 1 : 0));
    for (const [i, name] of sorted.entries()) {
      const list = normalizeVersions(await chartVersions(name));
      versions += list.length;
      await write(out, `${JSON.stringify(name)}:${JSON.stringify(list)}${i < sorted.length - 1 ? ',' : ''}\n`);
    }
    await write(out, '}}\n');
  } finally {
    out.end();
  }
  await done;
  return { apiVersion: String(values.get('apiVersion')), charts: names.length, versions };
}

/** Options of {@link normalizeIndex}. */
export interface NormalizeOptions {
  /** Largest non-streamable index parsed whole. @default {@link DEFAULT_FULL_PARSE_MAX} */
  fullParseMax?: number;
}

/** Parses a whole (non block-style) index: JSON when it is JSON, else YAML, under `max` bytes. */
async function parseWhole(fd: Awaited<ReturnType<typeof open>>, size: number, head: string, max: number): Promise<Record<string, unknown>> {
  const mayBeJson = head.startsWith('{');
  if (size > max && !mayBeJson) throw new IndexError(`index of ${size} bytes is not block-style YAML and exceeds the ${max} bytes that can be parsed whole`);
  const text = (await fd.readFile()).toString('utf8');
  let doc: unknown;
  try {
    doc = mayBeJson ? JSON.parse(text) : undefined;
  } catch {
    if (size > max) throw new IndexError(`index of ${size} bytes is neither JSON nor block-style YAML and exceeds the ${max} bytes that can be parsed whole`);
  }
  if (doc === undefined) {
    try {
      doc = parse(text, { schema: 'failsafe', uniqueKeys: true, maxAliasCount: 10_000 });
    } catch (err) {
      throw new IndexError(`yaml: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new IndexError('error unmarshaling JSON: index is not a mapping');
  return doc as Record<string, unknown>;
}

/** Writes the artifact from a streamable layout, parsing one chunk at a time. */
async function writeFromLayout(fd: Awaited<ReturnType<typeof open>>, layout: Layout, dest: string): Promise<IndexSummary> {
  const values = new Map<string, unknown>();
  for (const [key, span] of layout.top) {
    if (key !== 'entries') values.set(key, parseChunk(await readSpan(fd, span))[key]);
  }
  return writeIndex(dest, values, [...layout.charts.keys()], async (name) => parseChunk(dedent(await readSpan(fd, layout.charts.get(name)!), layout.indent))[name]);
}

/**
 * Reads the downloaded index at `src`, validates it, and writes the normalised artifact to `dest`
 * (see the module doc). Throws {@link IndexError} for a malformed index.
 */
export async function normalizeIndex(src: string, dest: string, opts: NormalizeOptions = {}): Promise<IndexSummary> {
  const size = (await stat(src)).size;
  if (size === 0) throw new IndexError('empty index.yaml file');
  const fd = await open(src, 'r');
  try {
    const first = Buffer.alloc(Math.min(size, 4096));
    await fd.read(first, 0, first.length, 0);
    const head = first.toString('utf8').trimStart();
    if (!head.startsWith('{') && !head.startsWith('[')) {
      const layout = await scan(src).catch((err: unknown) => {
        if (err instanceof NotStreamable) return undefined;
        throw err;
      });
      if (layout) return await writeFromLayout(fd, layout, dest);
    }
    const record = await parseWhole(fd, size, head, opts.fullParseMax ?? DEFAULT_FULL_PARSE_MAX);
    const entries = (record.entries ?? {}) as Record<string, unknown>;
    if (typeof entries !== 'object' || Array.isArray(entries)) throw new IndexError('json: cannot unmarshal entries: not a mapping');
    const values = new Map(Object.entries(record).filter(([k]) => k !== 'entries'));
    return await writeIndex(dest, values, Object.keys(entries), (name) => Promise.resolve(entries[name]));
  } finally {
    await fd.close();
  }
}

/**
 * The versions of chart `name` in a normalised index artifact (newest first), or undefined when the
 * chart is not in it. Reads line by line and parses only the chart's own line.
 */
export async function readChartVersions(indexFile: string, name: string): Promise<Record<string, unknown>[] | undefined> {
  const prefix = `${JSON.stringify(name)}:`;
  const rl = createInterface({ input: createReadStream(indexFile), crlfDelay: Infinity });
  try {
    for await (const line of rl) {
      if (!line.startsWith(prefix)) continue;
      const json = line.slice(prefix.length).replace(/,$/, '');
      return JSON.parse(json) as Record<string, unknown>[];
    }
  } finally {
    rl.close();
  }
  return undefined;
}
