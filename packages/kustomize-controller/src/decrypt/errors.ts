// SPDX-License-Identifier: Apache-2.0
/**
 * Typed errors of SOPS decryption. Decryption runs inside Flux's build step, so every one maps
 * to the Ready reason `BuildFailed`.
 */

const BRAND = Symbol.for('eddy.kustomize.DecryptionError');

/** Why decryption failed. */
export type DecryptionErrorCode =
  | 'InvalidFormat'
  | 'MetadataNotFound'
  | 'InvalidMetadata'
  | 'NoDataKey'
  | 'InvalidKey'
  | 'ValueDecryptFailed'
  | 'MacMismatch'
  | 'UnsupportedFormat'
  | 'FileRejected';

/** A SOPS decryption failure; messages never contain secret values. */
export class DecryptionError extends Error {
  readonly [BRAND] = true;
  /** The Flux condition reason for this failure. */
  readonly reason = 'BuildFailed';
  override readonly name = 'DecryptionError';

  constructor(
    readonly code: DecryptionErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** True for any {@link DecryptionError}, from any copy of this package. */
  static is(err: unknown): err is DecryptionError {
    return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[BRAND] === true;
  }
}
