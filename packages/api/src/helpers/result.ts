// SPDX-License-Identifier: Apache-2.0
/**
 * The result type of Eddy's pure parsing helpers. Malformed input never throws: parsers return
 * `{ ok: false, error }` with a typed {@link ParseError} that names what was wrong, so a reconciler
 * can turn it into a Stalled condition instead of crashing.
 */

/** What a parser could not accept. */
export type ParseErrorCode =
  | 'InvalidDuration'
  | 'InvalidRevision'
  | 'InvalidDigest'
  | 'InvalidObjMetadata'
  | 'InvalidChartVersion';

const PARSE_ERROR_BRAND = Symbol.for('eddy.api.ParseError');

/** A typed, non-thrown parse failure. */
export class ParseError extends Error {
  /** Machine-readable cause. */
  readonly code: ParseErrorCode;
  /** The rejected input, as given. */
  readonly input: string;

  constructor(code: ParseErrorCode, input: string, detail: string) {
    super(`${code}: ${JSON.stringify(input)}: ${detail}`);
    this.name = 'ParseError';
    this.code = code;
    this.input = input;
  }

  /** Brand check that works across package copies (no `instanceof`). */
  static is(value: unknown): value is ParseError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PARSE_ERROR_BRAND] === true;
  }

  /** @internal brand */
  get [PARSE_ERROR_BRAND](): true {
    return true;
  }
}

/** Success or a typed failure. */
export type Result<T, E = ParseError> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

/** Wraps a value as a success. */
export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

/** Builds a failed result carrying a {@link ParseError}. */
export function fail(code: ParseErrorCode, input: string, detail: string): { readonly ok: false; readonly error: ParseError } {
  return { ok: false, error: new ParseError(code, input, detail) };
}
