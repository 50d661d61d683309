// SPDX-License-Identifier: Apache-2.0
/**
 * Reproducible tar.gz archives of a directory, like Flux's `Storage.Archive` and
 * `sanitizeHeader`: entries in byte order of their paths, uid/gid 0, empty user and group names,
 * zero times, and modes normalised to 0600 (files), 0700 (executables) and 0750 (directories).
 * The same tree always gives the same bytes, hence the same `sha256:` digest.
 *
 * Symlinks are followed only when their target stays inside the root (the content is archived
 * in their place, as Flux's `resolveSymlinks` does); links escaping the root, dangling links and
 * other special files are left out. Entry count and total size are capped.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, readdir, readlink, realpath, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants, createGzip } from 'node:zlib';
import { Header, Pax } from 'tar';

/** Limits of one archive. */
export interface ArchiveLimits {
  /** Most entries (files and directories). @default 100000 */
  maxEntries?: number;
  /** Most bytes of file content. @default 2 GiB */
  maxBytes?: number;
}

/** Options of {@link archiveDirectory}. */
export interface ArchiveOptions extends ArchiveLimits {
  /** Returns true to leave out `rel` (a `/`-separated path relative to the root). */
  filter?: (rel: string, isDir: boolean) => boolean;
}

/** Result of an archive write. */
export interface ArchiveResult {
  /** `sha256:<hex>` of the compressed archive. */
  digest: string;
  /** Size of the compressed archive in bytes. */
  size: number;
  /** Number of entries written. */
  entries: number;
}

/** Raised when an archive would exceed its limits. */
export class ArchiveLimitError extends Error {
  override readonly name = 'ArchiveLimitError';
}

/** Flux's default modes (fluxcd/pkg `artifact/storage/archive.go`). */
export const DEFAULT_FILE_MODE = 0o600;
/** Mode of executable files in archives. */
export const DEFAULT_EXE_MODE = 0o700;
/** Mode of directories in archives. */
export const DEFAULT_DIR_MODE = 0o750;

const EPOCH = new Date(0);
const ZERO_BLOCK = Buffer.alloc(512);

interface Entry {
  rel: string;
  abs: string;
  isDir: boolean;
  mode: number;
  size: number;
}

function inside(root: string, p: string): boolean {
  const r = relative(root, p);
  return r === '' || (!r.startsWith(`..${sep}`) && r !== '..' && !r.startsWith(sep));
}

/**
 * Lists what an archive of `root` contains, in archive order, following in-root symlinks.
 * Exported for tests and for callers that need the file list.
 */
export async function collectEntries(root: string, opts: ArchiveOptions = {}): Promise<Entry[]> {
  const realRoot = await realpath(root);
  const maxEntries = opts.maxEntries ?? 100_000;
  const maxBytes = opts.maxBytes ?? 2 * 1024 ** 3;
  const out: Entry[] = [];
  let bytes = 0;
  const visiting = new Set<string>();

  const walk = async (absDir: string, relDir: string): Promise<void> => {
    const real = await realpath(absDir);
    if (visiting.has(real)) return;
    visiting.add(real);
    const names = (await readdir(absDir)).sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : Buffer.from(a) > Buffer.from(b) ? 1 : 0));
    for (const name of names) {
      const abs = join(absDir, name);
      const rel = relDir === '' ? name : `${relDir}/${name}`;
      let st = await lstat(abs);
      let target = abs;
      if (st.isSymbolicLink()) {
        const link = await readlink(abs);
        const resolved = resolve(dirname(abs), link);
        let realTarget: string;
        try {
          realTarget = await realpath(resolved);
        } catch {
          continue;
        }
        if (!inside(realRoot, realTarget)) continue;
        target = realTarget;
        st = await stat(realTarget);
      }
      if (!st.isFile() && !st.isDirectory()) continue;
      const isDir = st.isDirectory();
      if (opts.filter?.(rel, isDir)) {
        if (!isDir) continue;
        // Excluded directories still get their children matched one by one (as Flux does), so a
        // later negation can bring a file back; only `.git` is skipped wholesale.
        if (name === '.git') continue;
        await walk(target, rel);
        continue;
      }
      if (out.length >= maxEntries) throw new ArchiveLimitError(`archive exceeds ${maxEntries} entries`);
      bytes += isDir ? 0 : st.size;
      if (bytes > maxBytes) throw new ArchiveLimitError(`archive exceeds ${maxBytes} bytes of content`);
      const exec = !isDir && (st.mode & 0o111) !== 0;
      out.push({ rel, abs: target, isDir, mode: isDir ? DEFAULT_DIR_MODE : exec ? DEFAULT_EXE_MODE : DEFAULT_FILE_MODE, size: isDir ? 0 : st.size });
      if (isDir) await walk(target, rel);
    }
    visiting.delete(real);
  };
  await walk(realRoot, '');
  return out;
}

function headerFor(e: Entry): Buffer[] {
  const path = e.isDir ? `${e.rel}/` : e.rel;
  const data = { path, mode: e.mode, uid: 0, gid: 0, size: e.size, mtime: EPOCH, type: e.isDir ? 'Directory' : 'File', uname: '', gname: '' } as const;
  const block = Buffer.alloc(512);
  const h = new Header(data);
  const needPax = h.encode(block);
  if (!needPax) return [block];
  const pax = new Pax({ path, mtime: EPOCH, uid: 0, gid: 0 }).encode();
  return [pax, block];
}

async function* tarStream(entries: Entry[]): AsyncGenerator<Buffer> {
  for (const e of entries) {
    yield* headerFor(e);
    if (e.isDir) continue;
    let read = 0;
    for await (const chunk of createReadStream(e.abs)) {
      const buf = chunk as Buffer;
      read += buf.length;
      if (read > e.size) throw new ArchiveLimitError(`file ${e.rel} grew while archiving`);
      yield buf;
    }
    if (read !== e.size) throw new ArchiveLimitError(`file ${e.rel} changed while archiving`);
    const pad = (512 - (e.size % 512)) % 512;
    if (pad > 0) yield ZERO_BLOCK.subarray(0, pad);
  }
  yield Buffer.alloc(1024);
}

/**
 * Writes a reproducible `.tar.gz` of `root` to `outFile` (callers write to a temporary name and
 * rename). Returns digest, size and entry count.
 */
export async function archiveDirectory(root: string, outFile: string, opts: ArchiveOptions = {}): Promise<ArchiveResult> {
  const entries = await collectEntries(root, opts);
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  await pipeline(Readable.from(tarStream(entries)), createGzip({ level: constants.Z_BEST_COMPRESSION }), tap, createWriteStream(outFile, { mode: 0o600 }));
  return { digest: `sha256:${hash.digest('hex')}`, size, entries: entries.length };
}
