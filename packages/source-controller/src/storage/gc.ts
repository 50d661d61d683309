// SPDX-License-Identifier: Apache-2.0
/**
 * Garbage collection of old artifacts in an object's storage directory, with Flux's retention
 * rules (fluxcd/pkg `artifact/storage.GetGarbageFiles`, flags `--artifact-retention-ttl` 60s and
 * `--artifact-retention-records` 2):
 * 1. every file other than the current artifact older than the TTL is garbage;
 * 2. of the rest, the oldest go until at most `records` files remain (the current one is kept).
 * Lock files (`*.lock`), symlinks and directories are never counted.
 */

/** A file in an artifact directory. */
export interface StoredFile {
  path: string;
  /** Modification time, ms since the epoch. */
  mtimeMs: number;
}

/** Retention settings. */
export interface Retention {
  /** Files older than this are garbage (the current artifact excepted). @default 60000 */
  ttlMs: number;
  /** Most files kept, the current artifact included. @default 2 */
  records: number;
}

/** Flux's defaults. */
export const DEFAULT_RETENTION: Retention = Object.freeze({ ttlMs: 60_000, records: 2 });

/** Files to delete, given the directory's files, the current artifact path and the time. */
export function garbageFiles(files: readonly StoredFile[], current: string, now: number, retention: Retention = DEFAULT_RETENTION): string[] {
  const candidates = files.filter((f) => !f.path.endsWith('.lock'));
  const garbage = new Set<string>();
  for (const f of candidates) {
    if (f.path !== current && now - f.mtimeMs > retention.ttlMs) garbage.add(f.path);
  }
  const survivors = candidates.filter((f) => !garbage.has(f.path));
  if (survivors.length <= retention.records) return [...garbage];
  const oldestFirst = survivors.filter((f) => f.path !== current).sort((a, b) => a.mtimeMs - b.mtimeMs || (a.path < b.path ? -1 : 1));
  let remaining = survivors.length;
  for (const f of oldestFirst) {
    if (remaining <= retention.records) break;
    garbage.add(f.path);
    remaining--;
  }
  return [...garbage];
}
