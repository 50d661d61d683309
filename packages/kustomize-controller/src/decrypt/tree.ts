// SPDX-License-Identifier: Apache-2.0
/**
 * Walking and decrypting a sops tree (`sops.Tree.Decrypt`): which values are encrypted follows
 * the metadata rules (`unencrypted_suffix` by default, or one of the suffix/regex/comment-regex
 * rules), each value's additional data is its key path joined with `:` plus a trailing `:`
 * (sequence items share their parent's path), and the MAC is the upper-case hex SHA-512 over the
 * decrypted values in document order (comments excluded; only encrypted values with
 * `mac_only_encrypted`). The stored MAC is itself encrypted with the data key, its additional
 * data being `lastmodified` in Go's RFC 3339 form.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { decryptValue } from './aes.ts';
import { DecryptionError } from './errors.ts';
import type { SopsMetadata } from './metadata.ts';
import { isBranch, isComment, toMacBytes, type TreeBranch, type TreeValue } from './values.ts';

/** sops `MACOnlyEncryptedInitialization` (sha256 of "sops"). */
const MAC_ONLY_ENCRYPTED_INIT = Buffer.from('8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69', 'hex');

/** Compiles a Go RE2 pattern as well as JavaScript allows (`(?i)` prefixes become flags). */
function goRegex(pattern: string): RegExp {
  let flags = '';
  let p = pattern;
  const m = /^\(\?([imsU]+)\)/.exec(p);
  if (m) {
    p = p.slice(m[0].length);
    flags = m[1]!.replace('U', '').replace('m', 'm');
  }
  try {
    return new RegExp(p, flags);
  } catch (err) {
    throw new DecryptionError('InvalidMetadata', `invalid regular expression ${JSON.stringify(pattern)} in sops metadata`, { cause: err });
  }
}

interface Rules {
  md: SopsMetadata;
  unencryptedRegex?: RegExp;
  encryptedRegex?: RegExp;
  unencryptedComment?: RegExp;
  encryptedComment?: RegExp;
}

function rulesOf(md: SopsMetadata): Rules {
  return {
    md,
    unencryptedRegex: md.unencryptedRegex ? goRegex(md.unencryptedRegex) : undefined,
    encryptedRegex: md.encryptedRegex ? goRegex(md.encryptedRegex) : undefined,
    unencryptedComment: md.unencryptedCommentRegex ? goRegex(md.unencryptedCommentRegex) : undefined,
    encryptedComment: md.encryptedCommentRegex ? goRegex(md.encryptedCommentRegex) : undefined,
  };
}

/** Whether an `encrypted_comment_regex` comment applies (the value's own comment excluded). */
function matchesEncryptedComment(re: RegExp, comments: string[][], isCommentValue: boolean): boolean {
  const last = comments.length - 1;
  const lastLen = comments[last]?.length ?? 0;
  for (let i = 0; i < comments.length; i++) {
    for (let j = 0; j < comments[i]!.length; j++) {
      if (isCommentValue && i === last && j === lastLen - 1) continue;
      if (re.test(comments[i]![j]!)) return true;
    }
  }
  return false;
}

/** The suffix rules of `Tree.shouldBeEncrypted`, applied to `encrypted`. */
function bySuffix(md: Rules['md'], path: string[], encrypted: boolean): boolean {
  let out = encrypted;
  if (md.unencryptedSuffix && path.some((p) => p.endsWith(md.unencryptedSuffix))) out = false;
  if (md.encryptedSuffix) out = path.some((p) => p.endsWith(md.encryptedSuffix));
  return out;
}

/** `Tree.shouldBeEncrypted`. */
function shouldBeEncrypted(r: Rules, path: string[], comments: string[][], isCommentValue: boolean): boolean {
  let encrypted = bySuffix(r.md, path, true);
  if (r.unencryptedRegex && path.some((p) => r.unencryptedRegex!.test(p))) encrypted = false;
  if (r.encryptedRegex) encrypted = path.some((p) => r.encryptedRegex!.test(p));
  if (r.unencryptedComment && comments.some((cs) => cs.some((c) => r.unencryptedComment!.test(c)))) encrypted = false;
  if (r.encryptedComment) encrypted = matchesEncryptedComment(r.encryptedComment, comments, isCommentValue);
  return encrypted;
}

type Leaf = (v: TreeValue, path: string[], comments: string[][]) => TreeValue;

function walkValue(v: TreeValue, path: string[], comments: string[][], leaf: Leaf): TreeValue {
  if (v === null) return null;
  if (Array.isArray(v)) return walkSlice(v, path, comments, leaf);
  if (isBranch(v)) return walkBranch(v, path, comments, leaf);
  return leaf(v, path, comments);
}

function walkSlice(items: TreeValue[], path: string[], stack: string[][], leaf: Leaf): TreeValue[] {
  const comments = [...stack, []];
  const top = comments.length - 1;
  return items.map((v) => {
    if (isComment(v)) comments[top] = [...comments[top]!, v.v];
    const out = walkValue(v, path, comments, leaf);
    if (!isComment(v)) comments[top] = [];
    return out;
  });
}

function walkBranch(b: TreeBranch, path: string[], stack: string[][], leaf: Leaf): TreeBranch {
  const comments = [...stack, []];
  const top = comments.length - 1;
  const items = b.items.map((item) => {
    if (isComment(item.key)) {
      comments[top] = [...comments[top]!, item.key.v];
      const key = walkValue(item.key, path, comments, leaf);
      return { key: isComment(key) ? key : { t: 'comment' as const, v: String(key) }, value: item.value };
    }
    if (isComment(item.value)) comments[top] = [...comments[top]!, item.value.v];
    const value = walkValue(item.value, [...path, item.key], comments, leaf);
    if (!isComment(item.value)) comments[top] = [];
    return { key: item.key, value };
  });
  return { t: 'branch', items };
}

/** The outcome of decrypting a tree. */
export interface DecryptedTree {
  branches: TreeBranch[];
  /** The MAC computed over the decrypted values (upper-case hex). */
  computedMac: string;
}

/**
 * Decrypts every encrypted value of `branches` with the data key.
 * @throws DecryptionError `ValueDecryptFailed`
 */
export function decryptTree(branches: TreeBranch[], dataKey: Uint8Array, md: SopsMetadata): DecryptedTree {
  const rules = rulesOf(md);
  const hash = createHash('sha512');
  if (md.macOnlyEncrypted) hash.update(MAC_ONLY_ENCRYPTED_INIT);
  const leaf: Leaf = (v, path, comments) => {
    const isC = isComment(v);
    const encrypted = shouldBeEncrypted(rules, path, comments, isC);
    let out: TreeValue = v;
    if (encrypted) {
      const aad = `${path.join(':')}:`;
      if (isC) {
        try {
          out = decryptValue(v.v, dataKey, aad);
        } catch {
          out = v; // sops: assume the comment was never encrypted
        }
      } else if (typeof v === 'string') {
        try {
          out = decryptValue(v, dataKey, aad);
        } catch (err) {
          const msg = DecryptionError.is(err) ? err.message : String(err);
          throw new DecryptionError('ValueDecryptFailed', `error decrypting sops tree: Could not decrypt value: ${msg}`, { cause: err });
        }
      } else {
        throw new DecryptionError('ValueDecryptFailed', 'error decrypting sops tree: Could not decrypt value: value is not an encrypted string');
      }
    }
    if ((!md.macOnlyEncrypted || encrypted) && !isComment(out)) {
      const bytes = toMacBytes(out);
      if (bytes) hash.update(bytes);
    }
    return out;
  };
  const out = branches.map((b) => walkBranch(b, [], [], leaf));
  return { branches: out, computedMac: hash.digest('hex').toUpperCase() };
}

/** Go's `time.Format(time.RFC3339)` of a parsed RFC 3339 string (the MAC's additional data). */
export function goRFC3339(s: string): string {
  let out = s.replace(/\.\d+(?=[Zz+-])/, '').replace(/[tT]/, 'T').replace(/z$/, 'Z');
  out = out.replace(/[+-]00:00$/, 'Z');
  return out;
}

/**
 * Verifies the stored MAC against the computed one.
 * @throws DecryptionError `MacMismatch`
 */
export function verifyMac(md: SopsMetadata, dataKey: Uint8Array, computedMac: string): void {
  let stored: TreeValue;
  try {
    stored = decryptValue(md.mac, dataKey, goRFC3339(md.lastModified));
  } catch (err) {
    throw new DecryptionError('MacMismatch', `failed to verify sops data integrity: ${(err as Error).message}`, { cause: err });
  }
  const a = Buffer.from(typeof stored === 'string' ? stored : '');
  const b = Buffer.from(computedMac);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new DecryptionError(
      'MacMismatch',
      `failed to verify sops data integrity: expected mac '${a.length ? a.toString() : 'no MAC'}', got '${computedMac}'`,
    );
  }
}
