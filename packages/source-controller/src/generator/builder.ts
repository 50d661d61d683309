// SPDX-License-Identifier: Apache-2.0
/**
 * Building one ExternalArtifact from an ArtifactGenerator's copy operations, with source-watcher's
 * cp-like semantics (`internal/builder`): a plain path copies a file (into `dest/` or as `dest`) or
 * a directory (as `dest/<dir>`); a glob copies each match, stripping the prefix of a `dir/**`
 * pattern; excludes are doublestar patterns matched against the source path and the path below the
 * pattern's literal prefix (and bare names for patterns without `/`); `Merge` deep-merges YAML into
 * an existing destination file (documents merged, maps recursively, lists replaced). The staged tree
 * is hashed (Adler-32 "dirhash") for the file name and archived into storage as
 * `externalartifact/<ns>/<name>/<hash>.tar.gz` with revision `latest@<digest>`.
 */
import { copyFile, lstat, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, posix, relative, sep } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { mergeMaps } from '../helm/chart-files.ts';
import { archiveMatcher } from '../ignore/sourceignore.ts';
import type { Artifact, Storage } from '../storage/storage.ts';
import { doublestarMatch, goGlob, hasGlob, validateGlobPattern } from './glob.ts';

/** One copy operation (`spec.artifacts[].copy[]`). */
export interface CopyOp {
  from: string;
  to: string;
  exclude?: string[];
  strategy?: string;
}

function parseFrom(from: string): { alias: string; pattern: string } {
  if (!from.startsWith('@')) throw new Error("source must start with '@'");
  const i = from.indexOf('/');
  if (i < 0) throw new Error("source format must be '@alias/pattern'");
  return { alias: from.slice(1, i), pattern: from.slice(i + 1) };
}

function parseTo(to: string): string {
  if (!to.startsWith('@artifact/')) throw new Error("destination must start with '@artifact/'");
  const dest = to.slice('@artifact/'.length);
  if (dest === '') return '.';
  const clean = posix.normalize(dest);
  if (posix.isAbsolute(dest) || clean.startsWith('..') || dest.split('/').includes('..')) throw new Error("destination path must not contain '..'");
  return clean.replace(/\/$/, '') || '.';
}

/** The literal prefix of a pattern before its first glob segment. */
function selectionRoot(pattern: string): string {
  const parts: string[] = [];
  for (const p of posix.normalize(pattern).split('/')) {
    if (hasGlob(p)) break;
    parts.push(p);
  }
  return parts.length ? parts.join('/') : '.';
}

function excluded(path: string, base: string, patterns: readonly string[]): boolean {
  const test = (p: string): boolean => patterns.some((x) => doublestarMatch(x, p) || (!x.includes('/') && doublestarMatch(x, posix.basename(p))));
  if (patterns.length === 0) return false;
  if (test(path)) return true;
  if (base === '.' || base === '') return false;
  const rel = posix.relative(base, path);
  if (rel === '' || rel.startsWith('..') || rel === path) return false;
  return test(rel);
}

async function loadYaml(file: string): Promise<Record<string, unknown>> {
  let out: Record<string, unknown> = {};
  for (const doc of parseAllDocuments(await readFile(file, 'utf8'))) {
    if (doc.errors.length > 0) throw new Error(`cannot unmarshal YAML document: ${doc.errors[0]!.message}`);
    const v = doc.toJS() as unknown;
    if (v === null || v === undefined) continue;
    if (typeof v !== 'object' || Array.isArray(v)) throw new Error('cannot unmarshal YAML document: not a map');
    out = mergeMaps(out, v as Record<string, unknown>);
  }
  return out;
}

class Copier {
  constructor(
    private readonly src: string,
    private readonly stage: string,
    private readonly op: CopyOp,
  ) {}

  private inStage(rel: string): string {
    const p = join(this.stage, rel);
    const r = relative(this.stage, p);
    if (r.startsWith(`..${sep}`) || r === '..') throw new Error(`path '${rel}' escapes the artifact root`);
    return p;
  }

  async file(srcRel: string, destRel: string): Promise<void> {
    const from = join(this.src, srcRel);
    const to = this.inStage(destRel);
    await mkdir(dirname(to), { recursive: true });
    if (this.op.strategy === 'Merge' && (await stat(to).catch(() => undefined))) {
      const merged = mergeMaps(await loadYaml(to), await loadYaml(from));
      await writeFile(to, stringify(merged, { sortMapEntries: true, lineWidth: 0, indentSeq: false }));
      return;
    }
    await copyFile(from, to);
  }

  /** Copies `srcRel` (file or directory) to `destRel`, skipping excluded paths below `base`. */
  async any(srcRel: string, destRel: string, base: string): Promise<void> {
    const st = await lstat(join(this.src, srcRel));
    if (st.isSymbolicLink()) return;
    if (!st.isDirectory()) {
      await this.file(srcRel, destRel);
      return;
    }
    await mkdir(this.inStage(destRel), { recursive: true });
    const entries = await readdir(join(this.src, srcRel), { withFileTypes: true });
    for (const e of entries) {
      const child = `${srcRel}/${e.name}`;
      if (excluded(child, base, this.op.exclude ?? [])) continue;
      if (e.isDirectory() || e.isFile()) await this.any(child, `${destRel}/${e.name}`, base);
    }
  }
}

/** Applies one copy operation from the aliased source directories into `stage`. */
export async function applyCopyOperation(op: CopyOp, sources: ReadonlyMap<string, string>, stage: string): Promise<void> {
  const { alias, pattern } = parseFrom(op.from);
  validateGlobPattern(pattern);
  for (const x of op.exclude ?? []) validateGlobPattern(x);
  const dest = parseTo(op.to);
  const src = sources.get(alias);
  if (!src) throw new Error(`source alias '${alias}' not found`);
  const copier = new Copier(src, stage, op);
  if (!hasGlob(pattern)) {
    const clean = posix.normalize(pattern).replace(/\/$/, '');
    if (clean.startsWith('..')) throw new Error(`source '${pattern}' escapes the source root`);
    const st = await stat(join(src, clean)).catch(() => undefined);
    if (!st) throw new Error(`source '${clean}' does not exist`);
    if (st.isDirectory()) return copier.any(clean, dest === '.' ? basename(clean) : `${dest}/${basename(clean)}`, clean);
    if (excluded(clean, '.', op.exclude ?? [])) return;
    const destIsDir = op.to.endsWith('/') || (await stat(join(stage, dest)).catch(() => undefined))?.isDirectory();
    return copier.file(clean, destIsDir ? posix.join(dest, basename(clean)) : dest);
  }
  const matches = (await goGlob(src, pattern)).filter((m) => m !== '.' && m !== '..');
  if (matches.length === 0) throw new Error(`no files match pattern '${pattern}' in source '${alias}'`);
  const base = selectionRoot(pattern);
  const kept = matches.filter((m) => !excluded(m, base, op.exclude ?? []));
  if (kept.length === 0) throw new Error(`all files matching pattern '${pattern}' in source '${alias}' were excluded`);
  const prefix = pattern.endsWith('/**') ? `${pattern.slice(0, -3)}/` : undefined;
  for (const m of kept) {
    const target = prefix && m.startsWith(prefix) ? posix.join(dest, m.slice(prefix.length)) : posix.join(dest, m);
    await copier.any(m, target, base);
  }
}

/** Adler-32 of bytes. */
export function adler32(data: Uint8Array, start = 1): number {
  let a = start & 0xffff;
  let b = (start >>> 16) & 0xffff;
  for (let i = 0; i < data.length; ) {
    const end = Math.min(i + 3800, data.length);
    for (; i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

async function listFiles(dir: string, prefix: string): Promise<Array<{ name: string; path: string }>> {
  const out: Array<{ name: string; path: string }> = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p, `${prefix}/${e.name}`)));
    else if (e.isFile()) out.push({ name: `${prefix}/${e.name}`, path: p });
  }
  return out;
}

/** source-watcher's `DirHash` over `dirhash.HashDir(dir, prefix)`: Adler-32 of `"%x  <name>\n"` lines, decimal. */
export async function dirHash(dir: string, prefix: string): Promise<string> {
  const files = (await listFiles(dir, prefix)).sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  let sum = 1;
  for (const f of files) {
    if (f.name.includes('\n')) throw new Error('filenames with newlines are not supported');
    sum = adler32(Buffer.from(`${adler32(await readFile(f.path)).toString(16)}  ${f.name}\n`), sum);
  }
  return String(sum);
}

/** Stages the copy operations of artifact `name` under `workspace` and stores the archive. */
export async function buildExternalArtifact(
  storage: Storage,
  spec: { name: string; copy: readonly CopyOp[] },
  sources: ReadonlyMap<string, string>,
  namespace: string,
  workspace: string,
): Promise<Artifact> {
  const stage = join(workspace, '.stage', spec.name);
  await mkdir(stage, { recursive: true });
  for (const op of spec.copy) {
    try {
      await applyCopyOperation(op, sources, stage);
    } catch (err) {
      throw new Error(`failed to apply copy operations: failed to apply copy operation from '${op.from}' to '${op.to}': ${(err as Error).message}`);
    }
  }
  const hash = await dirHash(stage, spec.name);
  const artifact = storage.newArtifactFor('ExternalArtifact', namespace, spec.name, '', `${hash}.tar.gz`);
  await storage.mkdirAll(artifact);
  const unlock = await storage.lock(artifact);
  try {
    const m = archiveMatcher([]);
    await storage.archive(artifact, stage, { filter: (rel, isDir) => m.match(rel.split('/'), isDir) });
  } finally {
    unlock();
  }
  artifact.revision = `latest@${artifact.digest!}`;
  return artifact;
}
