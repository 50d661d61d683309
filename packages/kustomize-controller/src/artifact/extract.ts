// SPDX-License-Identifier: Apache-2.0
/**
 * Safe extraction of artifact tarballs. The archive is read twice: a listing pass validates every
 * entry before anything is written (names, types, counts, sizes), then an extraction pass writes
 * into a staging directory that is renamed into place only when everything succeeded.
 *
 * Rules (a superset of Flux's `tar.Untar` with `WithSkipSymlinks`):
 * - the archive must be gzip-compressed; the decompressed stream is capped (no gzip bombs);
 * - names must be relative, without `\`, NUL or any `..` segment; absolute names are rejected;
 * - regular files and directories are extracted; hard links are skipped; symbolic links are
 *   skipped (Flux) or, with `symlinks: 'keep-contained'`, kept when they resolve inside the root;
 *   devices, FIFOs and other types fail the extraction;
 * - caps on the entry count and the total size of regular files.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, lstat, mkdir, readdir, realpath, rename, rm } from 'node:fs/promises';
import { dirname, join, posix, sep } from 'node:path';
import { Transform, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Parser, extract, type ReadEntry } from 'tar';
import { ArtifactError, ArtifactLimitError, UnsafeArchiveEntryError } from './errors.ts';

/** Options of {@link extractArchive}. */
export interface ExtractOptions {
  /** Cap on the summed size of regular files. @default 2 GiB */
  maxExtractedBytes?: number;
  /** Cap on the number of archive entries. @default 100000 */
  maxEntries?: number;
  /**
   * What to do with symbolic links: `skip` drops them (Flux's behaviour), `keep-contained` keeps
   * those whose target stays inside the root, `reject` fails the extraction.
   * @default 'skip'
   */
  symlinks?: 'skip' | 'keep-contained' | 'reject';
}

/** What {@link extractArchive} did. */
export interface ExtractResult {
  /** The extraction root. */
  dir: string;
  /** Number of entries in the archive. */
  entries: number;
  /** Summed size of the extracted regular files. */
  extractedBytes: number;
  /** Entries that were not extracted (links), with the reason. */
  skipped: Array<{ path: string; reason: string }>;
}

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);
const DIR_TYPES = new Set(['Directory', 'GNUDumpDir']);

/** Returns why an archive entry name is unsafe, or undefined when it is fine. */
export function unsafeEntryName(name: string): string | undefined {
  if (name === '') return 'empty name';
  if (name.includes('\0')) return 'contains a NUL byte';
  if (name.includes('\\')) return 'contains a backslash';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'is an absolute path';
  if (name.split('/').includes('..')) return 'escapes the extraction root';
  return undefined;
}

/** Returns why a symlink target is unsafe for an entry at `entryPath`, or undefined. */
export function unsafeLinkTarget(entryPath: string, target: string): string | undefined {
  if (target === '') return 'empty link target';
  if (target.includes('\0') || target.includes('\\')) return 'invalid link target';
  if (target.startsWith('/')) return 'link target is absolute';
  const resolved = posix.normalize(posix.join(posix.dirname(entryPath.replace(/\/+$/, '')), target));
  if (resolved === '..' || resolved.startsWith('../')) return 'link target escapes the extraction root';
  return undefined;
}

/** Counts decompressed bytes and fails past a cap. */
class ByteLimit extends Transform {
  private seen = 0;
  constructor(private readonly max: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.max) {
      cb(new ArtifactLimitError('extractedBytes', this.max, `decompressed archive exceeds ${this.max} bytes`));
      return;
    }
    cb(null, chunk);
  }
}

interface Plan {
  entries: number;
  bytes: number;
  skipped: Array<{ path: string; reason: string }>;
  keepLinks: boolean;
}

function decompressedCap(opts: Required<ExtractOptions>): number {
  // Each entry costs at most a 512-byte header, pax/long-name headers and 511 bytes of padding.
  return opts.maxExtractedBytes + opts.maxEntries * 4096 + (1 << 20);
}

function validateEntry(e: ReadEntry, plan: Plan, opts: Required<ExtractOptions>): void {
  plan.entries++;
  if (plan.entries > opts.maxEntries) {
    throw new ArtifactLimitError('entries', opts.maxEntries, `archive has more than ${opts.maxEntries} entries`);
  }
  const name = e.path;
  const bad = unsafeEntryName(name);
  if (bad) throw new UnsafeArchiveEntryError(name, bad);
  if (FILE_TYPES.has(e.type)) {
    plan.bytes += e.size ?? 0;
    if (plan.bytes > opts.maxExtractedBytes) {
      throw new ArtifactLimitError(
        'extractedBytes',
        opts.maxExtractedBytes,
        `tar ${JSON.stringify(name)} is bigger than max archive size of ${opts.maxExtractedBytes} bytes`,
      );
    }
    return;
  }
  if (DIR_TYPES.has(e.type)) return;
  if (e.type === 'Link') {
    plan.skipped.push({ path: name, reason: 'hard link' });
    return;
  }
  if (e.type === 'SymbolicLink') {
    if (opts.symlinks === 'reject') {
      throw new UnsafeArchiveEntryError(name, 'is a symlink, which is not allowed in this context');
    }
    if (opts.symlinks === 'skip') {
      plan.skipped.push({ path: name, reason: 'symbolic link' });
      return;
    }
    const why = unsafeLinkTarget(name, e.linkpath ?? '');
    if (why) throw new UnsafeArchiveEntryError(name, why);
    return;
  }
  throw new UnsafeArchiveEntryError(name, `contained unsupported file type ${e.type}`);
}

async function runPass(file: string, cap: number, sink: Writable): Promise<void> {
  try {
    await pipeline(createReadStream(file), createGunzip(), new ByteLimit(cap), sink);
  } catch (err) {
    if (ArtifactError.is(err)) throw err;
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'Z_DATA_ERROR' || e.code === 'Z_BUF_ERROR' || /incorrect header check|unexpected end/i.test(e.message)) {
      throw new ArtifactError('InvalidArchive', `requires gzip-compressed body: ${e.message}`, { cause: err });
    }
    throw new ArtifactError('InvalidArchive', `tar error: ${e.message}`, { cause: err });
  }
}

async function listAndValidate(file: string, opts: Required<ExtractOptions>): Promise<Plan> {
  const plan: Plan = { entries: 0, bytes: 0, skipped: [], keepLinks: opts.symlinks === 'keep-contained' };
  let violation: unknown;
  const parser = new Parser({
    strict: true,
    onReadEntry: (e: ReadEntry) => {
      if (violation === undefined) {
        try {
          validateEntry(e, plan, opts);
        } catch (err) {
          violation = err;
          parser.abort(err as Error);
        }
      }
      e.resume();
    },
  });
  try {
    await runPass(file, decompressedCap(opts), parser as unknown as Writable);
  } catch (err) {
    throw violation ?? err;
  }
  if (violation !== undefined) throw violation;
  return plan;
}

async function finishTree(root: string, realRoot: string, keepLinks: boolean): Promise<void> {
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    for (const d of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, d.name);
      const st = await lstat(p);
      if (st.isSymbolicLink()) {
        if (!keepLinks) {
          await rm(p, { force: true });
          continue;
        }
        let target: string;
        try {
          target = await realpath(p);
        } catch {
          continue; // dangling links are harmless: nothing can be read through them
        }
        if (target !== realRoot && !target.startsWith(realRoot + sep)) {
          throw new UnsafeArchiveEntryError(p.slice(root.length + 1), 'link target escapes the extraction root');
        }
      } else if (st.isDirectory()) {
        await chmod(p, (st.mode & 0o7777) | 0o700);
        stack.push(p);
      } else if (st.isFile()) {
        await chmod(p, (st.mode & 0o777) | 0o600);
      } else {
        throw new UnsafeArchiveEntryError(p.slice(root.length + 1), 'unsupported file type');
      }
    }
  }
}

/**
 * Extracts the gzip-compressed tarball `archive` into `destDir` (which must not exist).
 * @throws ArtifactError on an invalid, unsafe or oversized archive; nothing is left behind.
 */
export async function extractArchive(archive: string, destDir: string, options: ExtractOptions = {}): Promise<ExtractResult> {
  const opts: Required<ExtractOptions> = {
    maxExtractedBytes: options.maxExtractedBytes ?? 2 * (1 << 30),
    maxEntries: options.maxEntries ?? 100_000,
    symlinks: options.symlinks ?? 'skip',
  };
  const exists = await lstat(destDir).then(
    () => true,
    () => false,
  );
  if (exists) throw new ArtifactError('InvalidArchive', `extraction target ${destDir} already exists`);
  const plan = await listAndValidate(archive, opts);
  const staging = join(dirname(destDir), `.extract-${randomBytes(6).toString('hex')}`);
  await mkdir(staging, { recursive: true, mode: 0o700 });
  try {
    const keep = (entry: ReadEntry): boolean =>
      FILE_TYPES.has(entry.type) || DIR_TYPES.has(entry.type) || (plan.keepLinks && entry.type === 'SymbolicLink');
    const unpack = extract({
      cwd: staging,
      strict: true,
      preserveOwner: false,
      noMtime: true,
      filter: (_p: string, entry: unknown) => keep(entry as ReadEntry),
    });
    await runPass(archive, decompressedCap(opts), unpack as unknown as Writable);
    await finishTree(staging, await realpath(staging), plan.keepLinks);
    await rename(staging, destDir);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
  return { dir: destDir, entries: plan.entries, extractedBytes: plan.bytes, skipped: plan.skipped };
}
