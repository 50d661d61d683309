// SPDX-License-Identifier: Apache-2.0
/**
 * Typed errors of the artifact stage. Every one maps to the Flux Ready reason `ArtifactFailed`;
 * {@link ArtifactNotFoundError} additionally tells the reconciler to wait for the source
 * (Flux requeues after the dependency interval instead of backing off).
 */

/** Why an artifact operation failed. */
export type ArtifactErrorCode =
  | 'NotFound'
  | 'DownloadFailed'
  | 'TooLarge'
  | 'Timeout'
  | 'DigestMismatch'
  | 'InvalidDigest'
  | 'InvalidArchive'
  | 'UnsafeEntry'
  | 'LimitExceeded';

const BRAND = Symbol.for('eddy.kustomize.ArtifactError');

/** Base of every artifact error; recognised across package copies by a brand. */
export class ArtifactError extends Error {
  readonly [BRAND] = true;
  /** The Flux condition reason for this failure. */
  readonly reason = 'ArtifactFailed';
  override readonly name: string = 'ArtifactError';

  constructor(
    readonly code: ArtifactErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** True for any {@link ArtifactError}, from any copy of this package. */
  static is(err: unknown): err is ArtifactError {
    return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** The artifact server answered 404: the source has not stored this revision (yet, or any more). */
export class ArtifactNotFoundError extends ArtifactError {
  override readonly name = 'ArtifactNotFoundError';
  constructor(readonly url: string) {
    // Flux's fetch.ErrFileNotFound message.
    super('NotFound', 'file not found');
  }
}

/** The archive contains an entry that would escape the extraction root or is of a forbidden type. */
export class UnsafeArchiveEntryError extends ArtifactError {
  override readonly name = 'UnsafeArchiveEntryError';
  constructor(
    readonly entry: string,
    detail: string,
  ) {
    super('UnsafeEntry', `tar contained invalid entry ${JSON.stringify(entry)}: ${detail}`);
  }
}

/** A configured cap (download size, extracted size, entry count) was exceeded. */
export class ArtifactLimitError extends ArtifactError {
  override readonly name = 'ArtifactLimitError';
  constructor(
    readonly limit: 'downloadBytes' | 'extractedBytes' | 'entries' | 'fileBytes',
    readonly max: number,
    message: string,
  ) {
    super(limit === 'downloadBytes' ? 'TooLarge' : 'LimitExceeded', message);
  }
}
