// SPDX-License-Identifier: Apache-2.0
/**
 * A cache of extracted artifacts by digest. Many Kustomizations often build from the same
 * artifact revision (one repository behind many Kustomizations, or many paths of one monorepo);
 * each would download, verify, decompress and untar the same archive. With the cache the first
 * run does that into the cache, concurrent runs for the same digest wait for it, and every run
 * gets a private copy of the tree (builds write into their tree: the generated kustomization).
 *
 * Only artifacts with a digest are cached (the content is what the digest says: it was verified
 * on download). Entries are evicted least recently used first beyond `maxBytes` or `maxEntries`;
 * an entry being copied is not evicted. A failed download or extraction is not cached: waiters
 * then fetch on their own, so each reports its own error.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchArtifact, type FetchArtifactOptions } from './fetch.ts';

/** Options of {@link ArtifactCache}. */
export interface ArtifactCacheOptions {
  /** Parent of the cache directory. @default the OS temp dir */
  parentDir?: string;
  /** Upper bound of the extracted bytes kept. @default 128 MiB */
  maxBytes?: number;
  /** Upper bound of the artifacts kept. @default 64 */
  maxEntries?: number;
}

interface Entry {
  ready: Promise<{ dir: string; bytes: number }>;
  bytes: number;
  users: number;
  settled: boolean;
}

/** How a {@link ArtifactCache.fetch} was served. */
export type CacheOutcome = 'hit' | 'miss' | 'uncached';

/** Extracted artifacts by digest; see the module doc. */
export class ArtifactCache {
  private readonly entries = new Map<string, Entry>();
  private root: Promise<string> | undefined;
  private seq = 0;
  private closed = false;

  constructor(private readonly opts: ArtifactCacheOptions = {}) {}

  /** Extracted bytes held now. */
  get bytes(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.bytes;
    return n;
  }

  /** Artifacts held now (including ones being fetched). */
  get size(): number {
    return this.entries.size;
  }

  private dir(): Promise<string> {
    this.root ??= mkdtemp(join(this.opts.parentDir ?? tmpdir(), 'eddy-artifact-cache-'));
    return this.root;
  }

  /**
   * Puts the artifact's tree into `destDir` (which must not exist), from the cache when it holds
   * `digest`, else by {@link fetchArtifact} (through the cache when there is a digest).
   * @throws what {@link fetchArtifact} throws.
   */
  async fetch(url: string, digest: string | undefined, destDir: string, opts: FetchArtifactOptions = {}): Promise<CacheOutcome> {
    if (!digest || this.closed) {
      await fetchArtifact(url, digest, destDir, opts);
      return 'uncached';
    }
    let entry = this.entries.get(digest);
    let outcome: CacheOutcome = 'hit';
    if (!entry) {
      outcome = 'miss';
      entry = this.load(url, digest, opts);
    } else {
      this.entries.delete(digest);
      this.entries.set(digest, entry);
    }
    entry.users++;
    try {
      const { dir } = await entry.ready;
      await cp(dir, destDir, { recursive: true, errorOnExist: true, force: false, verbatimSymlinks: true });
      return outcome;
    } catch (err) {
      if (outcome === 'miss') throw err;
      // The shared fetch failed (or its tree went away): fetch on our own, so the error is ours.
      await rm(destDir, { recursive: true, force: true });
      await fetchArtifact(url, digest, destDir, opts);
      return 'uncached';
    } finally {
      entry.users--;
      this.evict();
    }
  }

  private load(url: string, digest: string, opts: FetchArtifactOptions): Entry {
    const entry: Entry = { bytes: 0, users: 0, settled: false, ready: Promise.resolve({ dir: '', bytes: 0 }) };
    entry.ready = (async () => {
      const dir = join(await this.dir(), `a${this.seq++}`);
      try {
        const res = await fetchArtifact(url, digest, dir, opts);
        entry.bytes = res.extractedBytes;
        return { dir, bytes: res.extractedBytes };
      } catch (err) {
        if (this.entries.get(digest) === entry) this.entries.delete(digest);
        await rm(dir, { recursive: true, force: true });
        throw err;
      } finally {
        entry.settled = true;
      }
    })();
    this.entries.set(digest, entry);
    return entry;
  }

  private evict(): void {
    const maxBytes = this.opts.maxBytes ?? 128 << 20;
    const maxEntries = this.opts.maxEntries ?? 64;
    for (const [digest, e] of this.entries) {
      if (this.bytes <= maxBytes && this.entries.size <= maxEntries) return;
      if (e.users > 0 || !e.settled) continue;
      this.entries.delete(digest);
      void e.ready.then(({ dir }) => rm(dir, { recursive: true, force: true })).catch(() => undefined);
    }
  }

  /** Removes the cache directory; later fetches bypass the cache. */
  async close(): Promise<void> {
    this.closed = true;
    this.entries.clear();
    const root = this.root;
    this.root = undefined;
    if (root) await rm(await root, { recursive: true, force: true });
  }
}
