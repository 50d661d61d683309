// SPDX-License-Identifier: Apache-2.0
/**
 * Building {@link Commit} and {@link AnnotatedTag} values from raw git objects
 * (`git cat-file commit|tag`), including the exact signed payload that signature
 * verification needs.
 */
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

/** Reads commit `hash` from the repository in `dir`. */
export async function readCommit(session: GitSession, dir: string, hash: string, reference: string): Promise<Commit> {
  const raw = await session.run(['cat-file', 'commit', hash], dir, `unable to resolve commit object for '${hash}'`);
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
