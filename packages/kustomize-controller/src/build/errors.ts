// SPDX-License-Identifier: Apache-2.0
/**
 * Typed errors of the build stage (generate, kustomize build, post-build). Every one maps to
 * the Flux Ready reason `BuildFailed`.
 */

const BRAND = Symbol.for('eddy.kustomize.BuildError');

/** Why a build failed. */
export type BuildErrorCode =
  | 'InvalidPath'
  | 'InvalidKustomization'
  | 'InvalidManifest'
  | 'OutsideRoot'
  | 'RemoteDisallowed'
  | 'KustomizeFailed'
  | 'Timeout'
  | 'OutputTooLarge';

/** A build failure; `reason` is the Flux condition reason. */
export class BuildError extends Error {
  readonly [BRAND] = true;
  /** The Flux condition reason for this failure. */
  readonly reason = 'BuildFailed';
  override readonly name = 'BuildError';

  constructor(
    readonly code: BuildErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** True for any {@link BuildError}, from any copy of this package. */
  static is(err: unknown): err is BuildError {
    return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[BRAND] === true;
  }
}
