// SPDX-License-Identifier: Apache-2.0
/**
 * Artifact digests in the OCI `<algorithm>:<encoded>` form that Flux sources publish in
 * `status.artifact.digest`. Parsing follows Flux's fetcher: an empty digest is an error and a
 * bare hex string is taken as sha256.
 */
import { createHash, type Hash } from 'node:crypto';
import { ArtifactError } from './errors.ts';

/** A parsed digest. */
export interface Digest {
  /** `sha256`, `sha384` or `sha512`. */
  algorithm: 'sha256' | 'sha384' | 'sha512';
  /** Lower-case hex of the expected hash. */
  hex: string;
}

const HEX_LENGTH: Record<Digest['algorithm'], number> = { sha256: 64, sha384: 96, sha512: 128 };

/**
 * Parses an artifact digest.
 * @throws ArtifactError `InvalidDigest` when empty, malformed, or of an unsupported algorithm.
 */
export function parseDigest(value: string | undefined): Digest {
  if (value === undefined || value === '') {
    throw new ArtifactError('InvalidDigest', 'failed to verify archive: empty digest');
  }
  const full = value.includes(':') ? value : `sha256:${value}`;
  const idx = full.indexOf(':');
  const algorithm = full.slice(0, idx);
  const hex = full.slice(idx + 1);
  if (algorithm !== 'sha256' && algorithm !== 'sha384' && algorithm !== 'sha512') {
    throw new ArtifactError(
      'InvalidDigest',
      `failed to verify archive: failed to parse digest '${full}': unsupported digest algorithm`,
    );
  }
  if (!/^[a-f0-9]+$/.test(hex) || hex.length !== HEX_LENGTH[algorithm]) {
    throw new ArtifactError(
      'InvalidDigest',
      `failed to verify archive: failed to parse digest '${full}': invalid checksum digest format`,
    );
  }
  return { algorithm, hex };
}

/** Formats a digest back to `<algorithm>:<hex>`. */
export function formatDigest(d: Digest): string {
  return `${d.algorithm}:${d.hex}`;
}

/** Starts an incremental hash for the digest's algorithm. */
export function digestHasher(d: Digest): Hash {
  return createHash(d.algorithm);
}

/** The `sha256:<hex>` digest of some bytes (the format Flux uses for artifacts and build history). */
export function sha256Digest(data: string | Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
