// SPDX-License-Identifier: Apache-2.0
/** Typed errors of the OCI client, recognised across package copies by a brand. */

/** What went wrong talking to a registry. */
export type OciErrorKind =
  | 'Unauthorized'
  | 'NotFound'
  | 'DigestMismatch'
  | 'TooLarge'
  | 'Timeout'
  | 'Forbidden'
  | 'InvalidReference'
  | 'UnsupportedMediaType'
  | 'RequestFailed';

const BRAND = Symbol.for('eddy.runtime.OciError');

/** A failed registry operation. */
export class OciError extends Error {
  readonly [BRAND] = true;
  override readonly name = 'OciError';

  constructor(
    readonly kind: OciErrorKind,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** True when `err` is an OciError (of `kind`, when given). */
  static is(err: unknown, kind?: OciErrorKind): err is OciError {
    if (typeof err !== 'object' || err === null || (err as Record<symbol, unknown>)[BRAND] !== true) return false;
    return kind === undefined || (err as OciError).kind === kind;
  }
}

/** Maps an HTTP status of a registry response to an error kind. */
export function kindOfStatus(status: number): OciErrorKind {
  if (status === 401 || status === 403) return 'Unauthorized';
  if (status === 404) return 'NotFound';
  if (status === 413) return 'TooLarge';
  return 'RequestFailed';
}

/** Wraps a transport failure (abort, DNS, egress refusal, TLS) into an {@link OciError}. */
export function toOciError(err: unknown, context: string, timedOut: boolean): OciError {
  if (OciError.is(err)) return err;
  const e = err as { name?: string; code?: string; message?: string };
  if (timedOut || e?.name === 'TimeoutError') return new OciError('Timeout', `${context}: timed out`, undefined, { cause: err });
  if (e?.code === 'EGRESS_DENIED') return new OciError('Forbidden', `${context}: ${e.message}`, undefined, { cause: err });
  if (e?.name === 'AbortError') return new OciError('Timeout', `${context}: aborted`, undefined, { cause: err });
  return new OciError('RequestFailed', `${context}: ${e?.message ?? String(err)}`, undefined, { cause: err });
}
