// SPDX-License-Identifier: Apache-2.0
/**
 * Safe extraction of `.tar.gz` artifacts and layers (includes, OCI layers): into a fresh
 * temporary directory beside the destination, then renamed into place. Hostile archives are
 * refused as a whole: paths with `..` or absolute paths, and writes through links, fail (node-tar
 * `strict` mode, `preservePaths` never set); symlinks, hard links and device files are skipped
 * (Flux's untar skips them too); the entry count and total size are capped.
 */
import { createReadStream } from 'node:fs';
import type { Stats } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { Unpack } from 'tar';
import type { ReadEntry } from 'tar';

/** Limits of one extraction. */
export interface ExtractLimits {
  /** Most entries. @default 100000 */
  maxEntries?: number;
  /** Most bytes of file content. @default 2 GiB */
  maxBytes?: number;
}

/** Raised for archives that break a limit or contain hostile entries. */
export class UnsafeArchiveError extends Error {
  override readonly name = 'UnsafeArchiveError';
}

const ALLOWED = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory']);

/**
 * Extracts a gzip-compressed (or plain) tar from `source` (a path or stream) into `dest`, which
 * must not exist yet. Returns the number of entries and bytes written.
 */
export async function extractArchive(source: string | Readable, dest: string, limits: ExtractLimits = {}): Promise<{ entries: number; bytes: number }> {
  const maxEntries = limits.maxEntries ?? 100_000;
  const maxBytes = limits.maxBytes ?? 2 * 1024 ** 3;
  await mkdir(dirname(dest), { recursive: true });
  const tmp = await mkdtemp(join(dirname(dest), `.${basename(dest)}-extract-`));
  let entries = 0;
  let bytes = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const fail = (err: unknown): void => {
        if (failed) return;
        failed = true;
        reject(err instanceof Error ? err : new UnsafeArchiveError(String(err)));
      };
      const unpack = new Unpack({
        cwd: tmp,
        strict: true,
        preservePaths: false,
        processUmask: 0o022,
        maxDepth: 256,
        filter: (_path: string, entry: ReadEntry | Stats) => {
          const e = entry as ReadEntry;
          if (!ALLOWED.has(e.type)) return false;
          entries++;
          bytes += e.size ?? 0;
          if (entries > maxEntries) {
            unpack.abort(new UnsafeArchiveError(`archive has more than ${maxEntries} entries`));
            return false;
          }
          if (bytes > maxBytes) {
            unpack.abort(new UnsafeArchiveError(`archive holds more than ${maxBytes} bytes`));
            return false;
          }
          return true;
        },
        onwarn: (code: string, message: string | Error) => {
          fail(new UnsafeArchiveError(`refusing archive: ${code}: ${message instanceof Error ? message.message : message}`));
        },
      });
      unpack.on('error', fail);
      unpack.on('close', () => {
        if (!failed) resolve();
      });
      const input = typeof source === 'string' ? createReadStream(source) : source;
      input.on('error', fail);
      input.pipe(unpack as unknown as NodeJS.WritableStream);
    });
    await rename(tmp, dest);
    return { entries, bytes };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err instanceof UnsafeArchiveError ? err : new UnsafeArchiveError((err as Error).message);
  }
}
