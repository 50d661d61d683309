// SPDX-License-Identifier: Apache-2.0
/**
 * Where scanned tags live (Flux keeps them in BadgerDB, which grows without bound; see
 * image-reflector-controller#748). Eddy uses the layout of Flux's newer filesystem storage:
 * one file per ImageRepository, `<dataDir>/imagerepository/<namespace>/<name>/tags.txt`, holding
 * the tags one per line, each terminated by `\n`.
 *
 * - Writes are atomic: temp file in the same directory, fsync, rename, fsync the directory.
 * - Reads are lazy and go through an LRU bounded by bytes; a repository's tags are held as one
 *   string (no per-tag objects while cached).
 * - The revision is `sha256:<hex>` of the file content, as in Flux's filesystem storage; it
 *   changes exactly when the stored list changes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { ByteLru } from './lru.ts';

/** Identifies the ImageRepository whose tags are stored. */
export interface RepoKey {
  namespace: string;
  name: string;
}

/** Options of {@link TagStore}. */
export interface TagStoreOptions {
  /** Root directory of the store. */
  dataDir: string;
  /** Upper bound of the in-memory cache. @default 64 MiB */
  maxCacheBytes?: number;
}

/** The key or a tag is not storable (path-unsafe name, tag with a line break). */
export class InvalidTagStoreInputError extends Error {
  override readonly name = 'InvalidTagStoreInputError';
}

const DNS_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const TAGS_FILE = 'tags.txt';
const DEFAULT_CACHE = 64 * 1024 * 1024;

function keyOf(repo: RepoKey): string {
  for (const part of [repo.namespace, repo.name]) {
    if (!DNS_NAME.test(part) || part.includes('..')) throw new InvalidTagStoreInputError(`invalid repository key '${repo.namespace}/${repo.name}'`);
  }
  return `${repo.namespace}/${repo.name}`;
}

/** Serialises tags as stored: each followed by `\n`. */
export function serializeTags(tags: readonly string[]): string {
  let out = '';
  for (const tag of tags) {
    if (tag.includes('\n') || tag.includes('\r')) throw new InvalidTagStoreInputError(`tag contains a line break: ${JSON.stringify(tag)}`);
    out += `${tag}\n`;
  }
  return out;
}

/** The revision of a serialised tag list: `sha256:<hex>`. */
export function revisionOf(serialized: string): string {
  return `sha256:${createHash('sha256').update(serialized).digest('hex')}`;
}

function parseTags(text: string): string[] {
  if (text === '') return [];
  const tags = text.split('\n');
  if (tags[tags.length - 1] === '') tags.pop();
  return tags;
}

/** Per-repository tag storage on disk with a bounded in-memory cache. */
export class TagStore {
  private readonly cache: ByteLru;
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly opts: TagStoreOptions) {
    this.cache = new ByteLru(opts.maxCacheBytes ?? DEFAULT_CACHE);
  }

  /** Bytes held in memory by the cache. */
  get cachedBytes(): number {
    return this.cache.bytes;
  }

  private dirOf(key: string): string {
    return join(this.opts.dataDir, 'imagerepository', key);
  }

  /** Runs `fn` after any pending operation on the same key. */
  private async serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }

  /** Replaces the stored tags (order is kept) and returns the new revision. */
  async setTags(repo: RepoKey, tags: readonly string[]): Promise<string> {
    const key = keyOf(repo);
    const text = serializeTags(tags);
    return this.serial(key, async () => {
      const dir = this.dirOf(key);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeAtomic(dir, TAGS_FILE, text);
      this.cache.set(key, text);
      return revisionOf(text);
    });
  }

  /** The stored tags as one `\n`-terminated string; `''` when nothing is stored. */
  async tagsText(repo: RepoKey): Promise<string> {
    const key = keyOf(repo);
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    return this.serial(key, async () => {
      const again = this.cache.get(key);
      if (again !== undefined) return again;
      let text = '';
      try {
        text = await readFile(join(this.dirOf(key), TAGS_FILE), 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        return '';
      }
      this.cache.set(key, text);
      return text;
    });
  }

  /** The stored tags; empty when nothing is stored (as Flux's database reader). */
  async tags(repo: RepoKey): Promise<string[]> {
    return parseTags(await this.tagsText(repo));
  }

  /** The revision of what is stored, or `undefined` when nothing is. */
  async revision(repo: RepoKey): Promise<string | undefined> {
    const text = await this.tagsText(repo);
    return text === '' ? undefined : revisionOf(text);
  }

  /** Deletes a repository's tags (on ImageRepository deletion). */
  async delete(repo: RepoKey): Promise<void> {
    const key = keyOf(repo);
    await this.serial(key, async () => {
      this.cache.delete(key);
      await rm(this.dirOf(key), { recursive: true, force: true });
    });
  }
}

async function writeAtomic(dir: string, file: string, text: string): Promise<void> {
  const tmp = join(dir, `.${file}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, join(dir, file));
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
