// SPDX-License-Identifier: Apache-2.0
/**
 * Artifact storage: files under `<basePath>/<kind-lower>/<namespace>/<name>/<file>`, served over
 * HTTP at `http://<advertised-address>/<path>` (Flux's `Storage`, fluxcd/pkg `artifact/storage`).
 *
 * Writes are atomic (temporary file in the same directory, fsync'd, then renamed), so a reader —
 * or a crash — never sees half an artifact and the previous artifact stays valid until the new
 * one replaces it. Each object directory has an in-process lock. Old files are collected by
 * {@link garbageFiles} rules.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { cp, lstat, mkdir, readdir, rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { ArchiveOptions } from './archive.ts';
import { archiveDirectory } from './archive.ts';
import type { ExtractLimits } from './extract.ts';
import { extractArchive } from './extract.ts';
import type { Retention } from './gc.ts';
import { DEFAULT_RETENTION, garbageFiles } from './gc.ts';

/** The Artifact of a source's status (Flux `meta.Artifact`). */
export interface Artifact {
  /** `<kind-lower>/<namespace>/<name>/<file>` */
  path: string;
  /** `http://<storage-adv-addr>/<path>` */
  url: string;
  revision: string;
  /** `sha256:<hex>` of the file. */
  digest?: string;
  /** RFC 3339, seconds. */
  lastUpdateTime: string;
  /** File size in bytes. */
  size?: number;
  metadata?: Record<string, string>;
}

/** Options of {@link Storage}. */
export interface StorageOptions {
  /** Root directory (`--storage-path`). */
  basePath: string;
  /** Advertised host (and port) of the artifact server (`--storage-adv-addr`). */
  hostname: string;
  retention?: Partial<Retention>;
  /** Milliseconds since the epoch. @default Date.now */
  now?: () => number;
}

/** Raised for paths that would leave the storage root. */
export class StoragePathError extends Error {
  override readonly name = 'StoragePathError';
}

/** Path segments: Flux's file names include `+` (chart versions with build metadata) and `:` (`sha256:<hex>.tar.gz`). */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._+:-]*$/;

function assertSegment(s: string, what: string): void {
  if (!SEGMENT.test(s) || s === '.' || s === '..') throw new StoragePathError(`invalid ${what} '${s}'`);
}

/** `sha256:<hex>` of a file, streamed. */
export async function fileDigest(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return `sha256:${h.digest('hex')}`;
}

/** Artifact storage on a local directory. */
export class Storage {
  readonly basePath: string;
  readonly hostname: string;
  readonly retention: Retention;
  private readonly now: () => number;
  private readonly locks = new Map<string, Promise<void>>();

  constructor(opts: StorageOptions) {
    this.basePath = resolve(opts.basePath);
    this.hostname = opts.hostname;
    this.retention = { ...DEFAULT_RETENTION, ...opts.retention };
    this.now = opts.now ?? Date.now;
  }

  /** A new artifact for an object (not yet written: no digest). */
  newArtifactFor(kind: string, namespace: string, name: string, revision: string, fileName: string): Artifact {
    assertSegment(namespace, 'namespace');
    assertSegment(name, 'name');
    assertSegment(fileName, 'file name');
    const path = `${kind.toLowerCase()}/${namespace}/${name}/${fileName}`;
    return { path, url: this.urlFor(path), revision, lastUpdateTime: this.timestamp() };
  }

  /** The serving URL of a storage path. */
  urlFor(path: string): string {
    return `http://${this.hostname}/${path.replace(/^\/+/, '')}`;
  }

  /** Refreshes `artifact.url` for the current advertised address (returns it for chaining). */
  setArtifactURL<T extends Pick<Artifact, 'path' | 'url'>>(artifact: T): T {
    artifact.url = this.urlFor(artifact.path);
    return artifact;
  }

  /** Replaces the host of a storage URL with the advertised address (Flux's `SetHostname`); '' stays ''. */
  setHostname(url: string | undefined): string {
    if (!url) return '';
    try {
      const u = new URL(url);
      return this.urlFor(`${u.pathname.replace(/^\/+/, '')}${u.search}`);
    } catch {
      return '';
    }
  }

  /**
   * Points `<object dir>/<linkName>` at the artifact's file (atomically replacing an older link)
   * and returns the link's URL (Flux's `Storage.Symlink`, used for `status.url`).
   */
  async symlink(artifact: Pick<Artifact, 'path'>, linkName: string): Promise<string> {
    assertSegment(linkName, 'link name');
    const target = this.localPath(artifact);
    const dir = dirname(target);
    const tmp = join(dir, `.${randomBytes(6).toString('hex')}.link`);
    await symlink(basename(target), tmp);
    try {
      await rename(tmp, join(dir, linkName));
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return this.urlFor(`${dirname(artifact.path)}/${linkName}`);
  }

  /** The local file of an artifact; refuses paths escaping the root. */
  localPath(artifact: Pick<Artifact, 'path'>): string {
    const p = resolve(this.basePath, artifact.path);
    const rel = relative(this.basePath, p);
    if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || resolve(this.basePath, rel) !== p) {
      throw new StoragePathError(`artifact path '${artifact.path}' is outside the storage`);
    }
    return p;
  }

  /** True when the artifact's file exists and is a regular file. */
  async exists(artifact: Pick<Artifact, 'path'>): Promise<boolean> {
    try {
      return (await lstat(this.localPath(artifact))).isFile();
    } catch {
      return false;
    }
  }

  /** Throws unless the file's digest equals `artifact.digest` (and its size `artifact.size`). */
  async verify(artifact: Pick<Artifact, 'path' | 'digest' | 'size'>): Promise<void> {
    const p = this.localPath(artifact);
    if (!artifact.digest) throw new Error('artifact has no digest');
    const digest = await fileDigest(p);
    if (digest !== artifact.digest) throw new Error(`computed digest '${digest}' doesn't match '${artifact.digest}'`);
    if (artifact.size !== undefined && (await stat(p)).size !== artifact.size) throw new Error('artifact size changed');
  }

  /** Creates the artifact's directory. */
  async mkdirAll(artifact: Pick<Artifact, 'path'>): Promise<void> {
    await mkdir(dirname(this.localPath(artifact)), { recursive: true });
  }

  /**
   * Takes the lock of the artifact's object directory; resolves with the release function.
   * Locks are per process (one controller owns the storage).
   */
  async lock(artifact: Pick<Artifact, 'path'>): Promise<() => void> {
    const key = dirname(this.localPath(artifact));
    const prev = this.locks.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const chained = prev.then(() => mine);
    this.locks.set(key, chained);
    await prev;
    return () => {
      release();
      if (this.locks.get(key) === chained) this.locks.delete(key);
    };
  }

  private timestamp(): string {
    return new Date(Math.floor(this.now() / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');
  }

  private tempPath(target: string): string {
    return join(dirname(target), `.${randomBytes(6).toString('hex')}.tmp`);
  }

  /** Atomically replaces the artifact file with what `write(tmpPath)` writes; sets digest, size, time. */
  private async writeAtomic(artifact: Artifact, write: (tmp: string) => Promise<void>): Promise<void> {
    const target = this.localPath(artifact);
    await mkdir(dirname(target), { recursive: true });
    const tmp = this.tempPath(target);
    try {
      await write(tmp);
      const st = await stat(tmp);
      artifact.digest ??= await fileDigest(tmp);
      artifact.size = st.size;
      await rename(tmp, target);
      const t = new Date(this.now());
      await utimes(target, t, t);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    artifact.lastUpdateTime = this.timestamp();
  }

  /** Archives `dir` as a reproducible tar.gz into the artifact. */
  async archive(artifact: Artifact, dir: string, opts: ArchiveOptions = {}): Promise<void> {
    if (!(await stat(dir).catch(() => undefined))?.isDirectory()) throw new Error(`invalid dir path: ${dir}`);
    delete artifact.digest;
    await this.writeAtomic(artifact, async (tmp) => {
      const res = await archiveDirectory(dir, tmp, opts);
      artifact.digest = res.digest;
    });
  }

  /** Stores bytes as the artifact (index files, charts). */
  async writeBytes(artifact: Artifact, data: Uint8Array | string): Promise<void> {
    delete artifact.digest;
    await this.writeAtomic(artifact, (tmp) => writeFile(tmp, data, { mode: 0o600 }));
  }

  /** Stores what `write(tmpPath)` writes to a temporary file as the artifact, atomically (streamed writers). */
  async writeWith(artifact: Artifact, write: (tmpPath: string) => Promise<void>): Promise<void> {
    delete artifact.digest;
    await this.writeAtomic(artifact, write);
  }

  /** Copies a local file into the artifact. */
  async copyFromPath(artifact: Artifact, file: string): Promise<void> {
    delete artifact.digest;
    await this.writeAtomic(artifact, (tmp) => cp(file, tmp));
  }

  /**
   * Extracts the artifact and copies its `fromPath` subtree (whole artifact when empty) into
   * `toPath`, merging with what is there (GitRepository `include`).
   */
  async copyToPath(artifact: Pick<Artifact, 'path'>, fromPath: string, toPath: string, limits?: ExtractLimits): Promise<void> {
    const scratch = join(dirname(this.localPath(artifact)), `.${randomBytes(6).toString('hex')}.include`);
    try {
      await extractArchive(this.localPath(artifact), scratch, limits);
      const src = resolve(scratch, fromPath.replace(/^\/+/, ''));
      const rel = relative(scratch, src);
      if (rel.startsWith('..')) throw new StoragePathError(`invalid fromPath '${fromPath}'`);
      if (!(await stat(src).catch(() => undefined))) throw new Error(`fromPath '${fromPath}' does not exist in the artifact`);
      await mkdir(toPath, { recursive: true });
      await cp(src, toPath, { recursive: true, force: true, dereference: false, verbatimSymlinks: true });
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  /** Removes the artifact's file. */
  async remove(artifact: Pick<Artifact, 'path'>): Promise<void> {
    await rm(this.localPath(artifact), { force: true });
  }

  /** Removes the artifact's whole object directory; returns it, or '' when it did not exist. */
  async removeAll(artifact: Pick<Artifact, 'path'>): Promise<string> {
    const dir = dirname(this.localPath(artifact));
    const existed = await stat(dir).then(
      () => true,
      () => false,
    );
    await rm(dir, { recursive: true, force: true });
    return existed ? dir : '';
  }

  /** Deletes old files next to the current artifact by the retention rules; returns them. */
  async garbageCollect(current: Pick<Artifact, 'path'>): Promise<string[]> {
    const target = this.localPath(current);
    const dir = dirname(target);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return [];
    }
    const files = [];
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const p = join(dir, name);
      const st = await lstat(p);
      if (st.isFile()) files.push({ path: p, mtimeMs: st.mtimeMs });
    }
    const garbage = garbageFiles(files, target, this.now(), this.retention);
    for (const p of garbage) await rm(p, { force: true });
    return garbage;
  }
}
