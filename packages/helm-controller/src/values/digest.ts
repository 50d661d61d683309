// SPDX-License-Identifier: Apache-2.0
/**
 * The values ("config") digest Flux records in `status.lastAttemptedConfigDigest` and in each history
 * snapshot's `configDigest`: `sha256:<hex>` over the go-yaml v2 encoding of the values with keys
 * sorted (fluxcd/pkg `chartutil.DigestValues`); empty values hash the empty string.
 */
import { createHash } from 'node:crypto';
import { encodeGoYamlV2 } from './go-yaml.ts';
import type { Values } from './merge.ts';

/** The digest of empty values: `sha256` of nothing. */
export const EMPTY_VALUES_DIGEST = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Computes Flux's canonical digest of `values`. */
export function digestValues(values: Values | undefined | null): string {
  return `sha256:${createHash('sha256').update(encodeGoYamlV2(values), 'utf8').digest('hex')}`;
}

/**
 * Flux's `VerifyValues`: true when `digest` is a well-formed digest of `values`. Only `sha256` is
 * recomputed (the canonical algorithm); `sha384`/`sha512` digests are checked with their algorithm.
 */
export function verifyValues(digest: string | undefined, values: Values | undefined | null): boolean {
  const m = /^(sha256|sha384|sha512):([a-f0-9]+)$/.exec(digest ?? '');
  if (!m) return false;
  const [, algo, hex] = m as unknown as [string, string, string];
  const want = createHash(algo).update(encodeGoYamlV2(values), 'utf8').digest('hex');
  return want === hex;
}
