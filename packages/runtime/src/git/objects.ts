// SPDX-License-Identifier: Apache-2.0
/**
 * Building {@link Commit} and {@link AnnotatedTag} values from raw git objects
 * (`git cat-file commit|tag`), including the exact signed payload that signature
 * verification needs.
 */
import { createHash } from 'node:crypto';
import { open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { constants, inflate } from 'node:zlib';
import type { AnnotatedTag, Commit } from './revision.ts';
import { parseGitObject, parseSignatureLine, splitTagSignature } from './revision.ts';
import type { GitSession } from './session.ts';

/** The raw commit without its `gpgsig`/`gpgsig-sha256` header: what the signer signed. */
export function commitPayload(raw: string): string {
  const end = raw.indexOf('\n\n');
  const head = end < 0 ? raw : raw.slice(0, end);
  const rest = end < 0 ? '' : raw.slice(end);
  const kept: string[] = [];
  let skipping = false;
  for (const line of head.split('\n')) {
    if (line.startsWith('gpgsig ') || line.startsWith('gpgsig-sha256 ')) {
      skipping = true;
      continue;
    }
    if (skipping && line.startsWith(' ')) continue;
    skipping = false;
    kept.push(line);
  }
  return kept.join('\n') + rest;
}

/** A concrete {@link Commit} from a raw commit object. */
export function commitFromRaw(hash: string, reference: string, raw: string): Commit {
  const obj = parseGitObject(raw);
  const commit: Commit = {
    hash,
    reference,
    concrete: true,
    message: obj.message,
    encoded: commitPayload(raw),
  };
  const author = parseSignatureLine(obj.headers.get('author')?.[0]);
  const committer = parseSignatureLine(obj.headers.get('committer')?.[0]);
  if (author) commit.author = author;
  if (committer) commit.committer = committer;
  if (obj.gpgsig) commit.signature = obj.gpgsig.endsWith('\n') ? obj.gpgsig : `${obj.gpgsig}\n`;
  return commit;
}

/** An {@link AnnotatedTag} from a raw tag object. */
export function tagFromRaw(hash: string, raw: string): AnnotatedTag {
  const obj = parseGitObject(raw);
  const { message, signature } = splitTagSignature(obj.message);
  const end = raw.indexOf('\n\n');
  const tag: AnnotatedTag = {
    hash,
    name: obj.headers.get('tag')?.[0] ?? '',
    message,
    encoded: signature === undefined ? raw : `${raw.slice(0, end + 2)}${message}`,
  };
  const tagger = parseSignatureLine(obj.headers.get('tagger')?.[0]);
  if (tagger) tag.tagger = tagger;
  if (signature) tag.signature = signature;
  return tag;
}

const inflateAsync = promisify(inflate);

const HASH = /^([0-9a-f]{40}|[0-9a-f]{64})$/;
const PACK_TYPES: Record<string, number> = { commit: 1, tree: 2, blob: 3, tag: 4 };
/** Objects larger than this are left to git. */
const MAX_DIRECT_READ = 1 << 20;

/** `content` when `<type> <size>\0<content>` hashes to `hash`, else undefined. */
function verified(hash: string, type: string, content: Buffer): string | undefined {
  const h = createHash(hash.length === 40 ? 'sha1' : 'sha256');
  h.update(`${type} ${content.length}\0`).update(content);
  return h.digest('hex') === hash ? content.toString('utf8') : undefined;
}

/** The object's content from its loose file, or undefined. */
async function readLoose(dir: string, hash: string, type: string): Promise<string | undefined> {
  const file = await readFile(join(dir, '.git', 'objects', hash.slice(0, 2), hash.slice(2))).catch(() => undefined);
  const data = file && (await inflateAsync(file).catch(() => undefined));
  if (!data) return undefined;
  const nul = data.indexOf(0);
  if (nul < 0 || data.subarray(0, nul).toString('latin1') !== `${type} ${data.length - nul - 1}`) return undefined;
  return verified(hash, type, data.subarray(nul + 1));
}

/** The offset of `hash` in the pack of a version 2 `.idx`, or undefined. */
function packOffset(idx: Buffer, hash: string): number | undefined {
  const len = hash.length / 2;
  if (idx.readUInt32BE(0) !== 0xff744f63 || idx.readUInt32BE(4) !== 2) return undefined;
  const want = Buffer.from(hash, 'hex');
  const fanout = (i: number): number => (i < 0 ? 0 : idx.readUInt32BE(8 + i * 4));
  const total = fanout(255);
  let lo = fanout(want[0]! - 1);
  let hi = fanout(want[0]!);
  const names = 8 + 256 * 4;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const cmp = idx.compare(want, 0, len, names + mid * len, names + (mid + 1) * len);
    if (cmp === 0) {
      const offsets = names + total * len + total * 4;
      const off = idx.readUInt32BE(offsets + mid * 4);
      if ((off & 0x80000000) === 0) return off;
      return Number(idx.readBigUInt64BE(offsets + total * 4 + (off & 0x7fffffff) * 8));
    }
    if (cmp < 0) lo = mid + 1;
    else hi = mid;
  }
  return undefined;
}

/** The object's content from a pack, when it is stored whole (not as a delta), or undefined. */
async function readPacked(dir: string, hash: string, type: string): Promise<string | undefined> {
  const packDir = join(dir, '.git', 'objects', 'pack');
  const idxFiles = (await readdir(packDir).catch(() => [] as string[])).filter((f) => f.endsWith('.idx'));
  for (const idxFile of idxFiles) {
    const offset = packOffset(await readFile(join(packDir, idxFile)), hash);
    if (offset === undefined) continue;
    const fh = await open(join(packDir, `${idxFile.slice(0, -4)}.pack`), 'r');
    try {
      const head = Buffer.alloc(16);
      const { bytesRead } = await fh.read(head, 0, head.length, offset);
      let i = 0;
      let c = head[i++]!;
      if (((c >> 4) & 7) !== PACK_TYPES[type]) return undefined;
      let size = c & 15;
      let shift = 4;
      while (c & 0x80 && i < bytesRead) {
        c = head[i++]!;
        size += (c & 0x7f) * 2 ** shift;
        shift += 7;
      }
      if (c & 0x80 || size > MAX_DIRECT_READ) return undefined;
      const body = Buffer.alloc(size + 1024 + (size >> 6));
      const got = await fh.read(body, 0, body.length, offset + i);
      const data = await inflateAsync(body.subarray(0, got.bytesRead), { finishFlush: constants.Z_SYNC_FLUSH }).catch(() => undefined);
      if (!data || data.length !== size) return undefined;
      return verified(hash, type, data);
    } finally {
      await fh.close();
    }
  }
  return undefined;
}

/**
 * The content of object `hash` of type `type` read straight from the repository in `dir` (a loose
 * object, or a whole object in a pack, as a fresh clone has its commit), checked against its hash;
 * undefined when it is a delta, large, or anything does not match, so the caller asks git. Saves a
 * `git cat-file` process per clone.
 */
export async function readObjectDirect(dir: string, hash: string, type: 'commit' | 'tree' | 'blob' | 'tag'): Promise<string | undefined> {
  if (!HASH.test(hash)) return undefined;
  try {
    return (await readLoose(dir, hash, type)) ?? (await readPacked(dir, hash, type));
  } catch {
    return undefined;
  }
}

/** Reads commit `hash` from the repository in `dir` (from its object files when it can, else `git cat-file`). */
export async function readCommit(session: GitSession, dir: string, hash: string, reference: string): Promise<Commit> {
  const raw = (await readObjectDirect(dir, hash, 'commit')) ?? (await session.run(['cat-file', 'commit', hash], dir, `unable to resolve commit object for '${hash}'`));
  return commitFromRaw(hash, reference, raw);
}

/** Reads the annotated tag object behind `ref` in `dir`, or undefined for a lightweight tag. */
export async function readTag(session: GitSession, dir: string, ref: string): Promise<AnnotatedTag | undefined> {
  const hash = (await session.run(['rev-parse', '--verify', '--end-of-options', ref], dir, `unable to find reference for tag '${ref}'`)).trim();
  const type = (await session.run(['cat-file', '-t', hash], dir, `unable to resolve tag object for '${ref}'`)).trim();
  if (type !== 'tag') return undefined;
  const raw = await session.run(['cat-file', 'tag', hash], dir, `unable to resolve tag object for '${ref}'`);
  return tagFromRaw(hash, raw);
}
