// SPDX-License-Identifier: Apache-2.0
/**
 * Commits and revision strings, exactly as Flux writes them (fluxcd/pkg `git/git.go`):
 * - `<branch|tag>@sha1:<40hex>`: the short name of the reference, then the commit digest
 *   (for tags, annotated or not, the commit the tag points to);
 * - `sha1:<40hex>`: a commit checked out without a reference;
 * - `refs/heads/main@sha1:<40hex>`: the absolute form, used when `spec.ref.name` is set.
 * The legacy `<branch>/<sha>` form is still understood by {@link transformRevision}.
 */

/** Author or committer of a commit, or tagger of a tag. */
export interface Signature {
  name: string;
  email: string;
  /** RFC 3339 time. */
  when: string;
}

/** An annotated tag object referencing the checked-out commit. */
export interface AnnotatedTag {
  /** Hash of the tag object (not of the commit). */
  hash: string;
  name: string;
  tagger?: Signature;
  message: string;
  /** The armored PGP or SSH signature, if signed. */
  signature?: string;
  /** The raw tag object without its signature: the signed payload. */
  encoded?: string;
}

/** A commit checked out, or only resolved remotely (see {@link Commit.concrete}). */
export interface Commit {
  /** Full 40-hex SHA-1 of the commit. */
  hash: string;
  /** The full reference the commit was checked out through (`refs/heads/main`), or `''`. */
  reference: string;
  /** False when the commit was only resolved with `ls-remote` and not fetched. */
  concrete: boolean;
  author?: Signature;
  committer?: Signature;
  message?: string;
  /** The armored PGP or SSH signature of the commit, if signed. */
  signature?: string;
  /** The raw commit object without its signature header: the signed payload. */
  encoded?: string;
  /** The annotated tag pointing at the commit, when checked out through one. */
  referencingTag?: AnnotatedTag;
}

/** `sha1:<hex>` for a 40-hex hash (Flux's `Hash.Digest`). */
export function hashDigest(hash: string): string {
  if (hash === '') return '';
  return `${hash.length === 40 ? 'sha1' : '<unknown>'}:${hash}`;
}

/**
 * Flux's `Commit.String()`: the part of `reference` after `refs/<type>/`, `@`, then the digest;
 * the bare digest when there is no such reference.
 */
export function commitRevision(reference: string, hash: string): string {
  const parts = reference.split('/');
  if (parts.length >= 3) return `${parts.slice(2).join('/')}@${hashDigest(hash)}`;
  return hashDigest(hash);
}

/** Flux's `Commit.AbsoluteReference()`: the full reference, `@`, then the digest. */
export function absoluteRevision(reference: string, hash: string): string {
  return reference === '' ? hashDigest(hash) : `${reference}@${hashDigest(hash)}`;
}

/** The revision of a commit: absolute when `absolute` (i.e. `spec.ref.name` is used). */
export function revisionOf(commit: Pick<Commit, 'reference' | 'hash'>, absolute = false): string {
  return absolute ? absoluteRevision(commit.reference, commit.hash) : commitRevision(commit.reference, commit.hash);
}

/** Converts the legacy `<branch>/<sha>` form to `<branch>@sha1:<sha>`; other forms pass through. */
export function transformRevision(rev: string | undefined): string {
  if (!rev) return '';
  if (rev.includes('@') || rev.includes(':')) return rev;
  const i = rev.lastIndexOf('/');
  if (i < 0) return /^[0-9a-f]{40}$/.test(rev) ? hashDigest(rev) : rev;
  const name = rev.slice(0, i);
  const hash = rev.slice(i + 1);
  return /^[0-9a-f]{40}$/.test(hash) ? `${name}@${hashDigest(hash)}` : rev;
}

/** The hash in a revision in any of the supported forms, or `''`. */
export function extractHash(rev: string | undefined): string {
  const r = transformRevision(rev);
  const m = /(?:^|@)(?:sha1|sha256|<unknown>):([0-9a-f]+)$/.exec(r);
  return m?.[1] ?? '';
}

/** The first line of a commit message, cut to 50 characters with `...` (Flux's `ShortMessage`). */
export function shortMessage(message: string | undefined): string {
  const subject = (message ?? '').split('\n')[0] ?? '';
  const chars = [...subject];
  return chars.length > 50 ? `${chars.slice(0, 50).join('')}...` : subject;
}

/**
 * Parses a raw commit or tag object (`git cat-file commit|tag`): headers, the `gpgsig`
 * header (multi-line, continuation lines start with a space), and the message.
 */
export function parseGitObject(raw: string): { headers: Map<string, string[]>; message: string; gpgsig?: string } {
  const headers = new Map<string, string[]>();
  const end = raw.indexOf('\n\n');
  const head = end < 0 ? raw : raw.slice(0, end);
  const message = end < 0 ? '' : raw.slice(end + 2);
  let last: { key: string; idx: number } | undefined;
  for (const line of head.split('\n')) {
    if (line.startsWith(' ') && last) {
      const list = headers.get(last.key)!;
      list[last.idx] += `\n${line.slice(1)}`;
      continue;
    }
    const sp = line.indexOf(' ');
    const key = sp < 0 ? line : line.slice(0, sp);
    const value = sp < 0 ? '' : line.slice(sp + 1);
    const list = headers.get(key) ?? [];
    list.push(value);
    headers.set(key, list);
    last = { key, idx: list.length - 1 };
  }
  const sig = headers.get('gpgsig')?.[0] ?? headers.get('gpgsig-sha256')?.[0];
  return sig === undefined ? { headers, message } : { headers, message, gpgsig: sig };
}

/** Parses `Name <email> 1700000000 +0100` into a {@link Signature}. */
export function parseSignatureLine(line: string | undefined): Signature | undefined {
  if (!line) return undefined;
  const m = /^(.*) <([^>]*)> (\d+) ([+-]\d{4})$/.exec(line);
  if (!m) return undefined;
  return { name: m[1]!, email: m[2]!, when: new Date(Number(m[3]) * 1000).toISOString() };
}

const SIG_BEGIN = /-----BEGIN (PGP|SSH) SIGNATURE-----/;

/** Splits an annotated tag's message into text and the trailing armored signature. */
export function splitTagSignature(message: string): { message: string; signature?: string } {
  const m = SIG_BEGIN.exec(message);
  if (!m) return { message };
  return { message: message.slice(0, m.index), signature: message.slice(m.index) };
}

/** The kind of an armored signature: `openpgp`, `ssh`, `x509`, `empty` or `unknown`. */
export function signatureType(sig: string | undefined): 'openpgp' | 'ssh' | 'x509' | 'empty' | 'unknown' {
  const s = (sig ?? '').trim();
  if (s === '') return 'empty';
  if (s.startsWith('-----BEGIN PGP SIGNATURE-----') || s.startsWith('-----BEGIN PGP MESSAGE-----')) return 'openpgp';
  if (s.startsWith('-----BEGIN SSH SIGNATURE-----')) return 'ssh';
  if (s.startsWith('-----BEGIN SIGNED MESSAGE-----')) return 'x509';
  return 'unknown';
}
