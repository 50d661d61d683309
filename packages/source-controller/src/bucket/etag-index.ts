// SPDX-License-Identifier: Apache-2.0
/**
 * The object index of a Bucket source (source-controller `internal/index` and `fetchEtagIndex`):
 * key → ETag of every object under the prefix, minus directory markers, the `.sourceignore`
 * file itself and what its patterns (plus `spec.ignore`) exclude. Its digest — sha256 over
 * `"<key> <etag>\n"` lines in key order — is the Bucket's revision.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { Matcher } from '../ignore/pattern.ts';
import { IGNORE_FILE, readPatterns } from '../ignore/sourceignore.ts';
import type { S3Client } from './s3-client.ts';
import { S3Error } from './s3-client.ts';

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** key → ETag with Flux's digest. */
export class EtagIndex {
  private readonly entries = new Map<string, string>();

  add(key: string, etag: string): void {
    this.entries.set(key, etag);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  get(key: string): string | undefined {
    return this.entries.get(key);
  }

  /** `sha256:<hex>` of the sorted `"<key> <etag>\n"` lines (Flux's `Digester.Digest`). */
  digest(): string {
    const h = createHash('sha256');
    for (const k of [...this.entries.keys()].sort(byteOrder)) h.update(`${k} ${this.entries.get(k)!}\n`);
    return `sha256:${h.digest('hex')}`;
  }
}

/** Builds the index of `bucket` under `prefix` (see the module doc); `.sourceignore` is read into `tmpDir`. */
export async function fetchEtagIndex(client: S3Client, bucket: string, prefix: string, specIgnore: string | undefined, tmpDir: string): Promise<EtagIndex> {
  let exists: boolean;
  try {
    exists = await client.bucketExists(bucket);
  } catch (err) {
    throw new Error(`failed to confirm existence of '${bucket}' bucket: ${(err as Error).message}`);
  }
  if (!exists) throw new Error(`bucket '${bucket}' not found`);
  const ignorePath = join(tmpDir, IGNORE_FILE);
  let text = '';
  try {
    await client.getObject(bucket, IGNORE_FILE, ignorePath);
    text = await readFile(ignorePath, 'utf8');
  } catch (err) {
    if (!(err instanceof S3Error && (err.status === 404 || err.code === 'NoSuchKey'))) {
      throw new Error(`failed to get Etag for '${IGNORE_FILE}' object: ${(err as Error).message}`);
    }
  }
  const patterns = readPatterns(text);
  if (specIgnore !== undefined) patterns.push(...readPatterns(specIgnore));
  const matcher = new Matcher(patterns);
  const index = new EtagIndex();
  try {
    await client.listObjects(bucket, prefix, (o) => {
      if (o.key.endsWith('/') || o.key === IGNORE_FILE) return;
      if (matcher.match(o.key.split('/'), false)) return;
      index.add(o.key, o.etag);
    });
  } catch (err) {
    throw new Error(`indexation of objects from bucket '${bucket}' failed: ${(err as Error).message}`);
  }
  return index;
}

/** The local path of an object key, refusing keys that would leave `dir` (`../x`, absolute). */
export function objectPath(dir: string, key: string): string {
  const p = resolve(dir, key);
  const rel = relative(dir, p);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || key.split('/').includes('..')) throw new Error(`invalid object key '${key}'`);
  return p;
}

/**
 * Downloads every indexed object into `dir` with bounded concurrency; objects that disappeared are
 * dropped from the index and changed ETags updated (as Flux's `fetchIndexFiles`).
 */
export async function fetchIndexFiles(client: S3Client, bucket: string, index: EtagIndex, dir: string, concurrency = 16): Promise<void> {
  const keys = index.keys();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < keys.length) {
      const key = keys[next++]!;
      const local = objectPath(dir, key);
      try {
        const etag = await client.getObject(bucket, key, local);
        if (etag && etag !== index.get(key)) index.add(key, etag);
      } catch (err) {
        if (err instanceof S3Error && (err.status === 404 || err.code === 'NoSuchKey')) {
          index.delete(key);
          continue;
        }
        throw err;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, keys.length) }, worker));
  } catch (err) {
    throw new Error(`fetch from bucket '${bucket}' failed: ${(err as Error).message}`);
  }
}
