// SPDX-License-Identifier: Apache-2.0
/**
 * Errors of the dynamic client. Every non-2xx answer from the apiserver becomes an
 * {@link ApiError} carrying the `code`, `reason`, `message` and `details` of the apiserver's
 * `Status` body, so callers branch on intent (`isNotFound`, `isConflict`, …) instead of on text.
 */

/** The `details` of a `metav1.Status`. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: Array<{ reason?: string; message?: string; field?: string }>;
  retryAfterSeconds?: number;
}

/** A `metav1.Status` as the apiserver sends it. */
export interface Status {
  kind?: 'Status';
  apiVersion?: string;
  status?: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code?: number;
}

const BRAND = Symbol.for('eddy.runtime.ApiError');

/** Reasons the apiserver uses when it sends no Status body, keyed by HTTP code. */
const REASON_BY_CODE: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** Options of {@link ApiError}. */
export interface ApiErrorOptions {
  reason?: string;
  details?: StatusDetails;
  /** The raw Status body, when there was one. */
  status?: Status;
  /** HTTP method and path of the failed request, for messages. */
  request?: string;
  cause?: unknown;
}

/**
 * An error answer from the apiserver (or a local failure shaped like one, such as an unknown kind).
 * Recognised across package copies by a brand, not `instanceof`.
 */
export class ApiError extends Error {
  readonly [BRAND] = true;
  override readonly name = 'ApiError';
  /** HTTP status code (e.g. 404), or the Status body's `code`. */
  readonly code: number;
  /** The Status `reason` (e.g. `NotFound`, `Conflict`, `AlreadyExists`, `Invalid`, `Expired`). */
  readonly reason: string;
  /** The Status `details`, including field `causes` for `Invalid`. */
  readonly details: StatusDetails | undefined;
  /** The raw Status body. */
  readonly status: Status | undefined;
  /** `METHOD /path` of the request that failed. */
  readonly request: string | undefined;

  constructor(code: number, message: string, opts: ApiErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.reason = opts.reason ?? REASON_BY_CODE[code] ?? 'Unknown';
    this.details = opts.details;
    this.status = opts.status;
    this.request = opts.request;
  }

  /** True for any ApiError, from any copy of this package. */
  static is(err: unknown): err is ApiError {
    return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[BRAND] === true;
  }

  /**
   * Builds an error from an HTTP status code and response body. A `Status` body supplies reason,
   * message and details; any other body becomes the message (truncated).
   */
  static fromResponse(code: number, body: string, request?: string): ApiError {
    let status: Status | undefined;
    try {
      const parsed = JSON.parse(body) as unknown;
      if (isStatus(parsed)) status = parsed;
    } catch {
      // not JSON: fall through to the text body
    }
    if (status) {
      return new ApiError(status.code ?? code, status.message ?? `${code} ${status.reason ?? ''}`.trim(), {
        ...(status.reason ? { reason: status.reason } : {}),
        ...(status.details ? { details: status.details } : {}),
        status,
        ...(request ? { request } : {}),
      });
    }
    const text = body.trim().slice(0, 512);
    const reason = REASON_BY_CODE[code] ?? 'Unknown';
    return new ApiError(code, text === '' ? `${code} ${reason}` : text, { ...(request ? { request } : {}) });
  }

  /** Builds an error from a Status object (a watch `ERROR` event carries one). */
  static fromStatus(status: Status, request?: string): ApiError {
    return ApiError.fromResponse(status.code ?? 500, JSON.stringify(status), request);
  }
}

/** True when `v` looks like a `metav1.Status`. */
export function isStatus(v: unknown): v is Status {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'Status';
}

function reasonOf(err: unknown): { code: number; reason: string } | undefined {
  return ApiError.is(err) ? { code: err.code, reason: err.reason } : undefined;
}

/** The object (or the kind) does not exist: HTTP 404 / reason `NotFound`. */
export function isNotFound(err: unknown): boolean {
  const r = reasonOf(err);
  return r !== undefined && (r.reason === 'NotFound' || (r.code === 404 && r.reason === 'Unknown'));
}

/** A write lost an optimistic-concurrency race (stale `resourceVersion`) or an apply conflict: reason `Conflict`. */
export function isConflict(err: unknown): boolean {
  const r = reasonOf(err);
  return r !== undefined && r.reason === 'Conflict';
}

/** A create found the name taken: reason `AlreadyExists` (HTTP 409). */
export function isAlreadyExists(err: unknown): boolean {
  return reasonOf(err)?.reason === 'AlreadyExists';
}

/** The object failed validation: reason `Invalid` (HTTP 422). */
export function isInvalid(err: unknown): boolean {
  const r = reasonOf(err);
  return r !== undefined && (r.reason === 'Invalid' || (r.code === 422 && r.reason === 'Unknown'));
}

/** The resourceVersion is too old (compacted): HTTP 410, reason `Expired` or `Gone`. */
export function isGone(err: unknown): boolean {
  const r = reasonOf(err);
  return r !== undefined && (r.code === 410 || r.reason === 'Expired' || r.reason === 'Gone');
}

/** The caller may not do this: HTTP 403 / reason `Forbidden`. */
export function isForbidden(err: unknown): boolean {
  return reasonOf(err)?.reason === 'Forbidden';
}

/** The apiserver asks to retry later (429, 5xx, timeouts): worth a backoff, not a stall. */
export function isRetryable(err: unknown): boolean {
  const r = reasonOf(err);
  if (!r) return false;
  return r.code === 429 || r.code >= 500 || ['ServerTimeout', 'Timeout', 'TooManyRequests'].includes(r.reason);
}
