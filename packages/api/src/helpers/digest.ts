// SPDX-License-Identifier: Apache-2.0
/**
 * Artifact digests in the `<algorithm>:<encoded>` form Flux writes to `status.artifact.digest`
 * (for example `sha256:2c26b4…`), following the OCI digest grammar the Artifact CRD schema enforces.
 */
import { fail, ok } from './result.ts';
import type { Result } from './result.ts';

/** The pattern of `status.artifact.digest` in Flux's Artifact schema. */
export const DIGEST_PATTERN = '^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$';

/** Hex length of the digests of well-known algorithms. */
export const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = {
  sha1: 40,
  sha256: 64,
  sha384: 96,
  sha512: 128,
};

/** The algorithm Flux uses by default for artifact digests (`--artifact-digest-algo`). */
export const DEFAULT_DIGEST_ALGORITHM = 'sha256';

/** A parsed digest. */
export interface Digest {
  /** e.g. `sha256`. */
  readonly algorithm: string;
  /** The encoded hash, lowercase hex for the well-known algorithms. */
  readonly encoded: string;
}

const DIGEST_RE = new RegExp(DIGEST_PATTERN);
const HEX_RE = /^[0-9a-f]+$/;

/**
 * Parses `<algorithm>:<encoded>`. Well-known algorithms (sha1, sha256, sha384, sha512) must carry
 * lowercase hex of the right length; other algorithms only need to match the OCI grammar.
 */
export function parseDigest(input: string): Result<Digest> {
  if (!DIGEST_RE.test(input)) return fail('InvalidDigest', input, 'expected <algorithm>:<encoded>');
  const colon = input.indexOf(':');
  const algorithm = input.slice(0, colon);
  const encoded = input.slice(colon + 1);
  const length = DIGEST_HEX_LENGTH[algorithm];
  if (length !== undefined) {
    if (!HEX_RE.test(encoded)) return fail('InvalidDigest', input, `${algorithm} digest must be lowercase hex`);
    if (encoded.length !== length) {
      return fail('InvalidDigest', input, `${algorithm} digest must have ${length} hex characters, got ${encoded.length}`);
    }
  }
  return ok({ algorithm, encoded });
}

/** Writes a digest as `<algorithm>:<encoded>`. */
export function formatDigest(digest: Digest): string {
  return `${digest.algorithm}:${digest.encoded}`;
}

/**
 * Reads a digest the way Flux's artifact fetcher does: a value without `:` is taken as a bare
 * sha256 hex string.
 */
export function parseDigestLenient(input: string): Result<Digest> {
  if (input === '') return fail('InvalidDigest', input, 'empty digest');
  return parseDigest(input.includes(':') ? input : `${DEFAULT_DIGEST_ALGORITHM}:${input}`);
}
