// SPDX-License-Identifier: Apache-2.0
/**
 * Typed git errors. Every failure of a git operation surfaces as a {@link GitError} with a
 * {@link GitErrorKind}, so callers decide on intent (retry, stall, wait) without parsing text.
 * Messages never contain credentials: secrets known to the session are redacted from git's output.
 */

/** What went wrong, as far as the caller needs to know. */
export type GitErrorKind =
  /** The remote refused the credentials, or none were given where some are required. */
  | 'AuthenticationFailed'
  /** The repository, branch, tag, ref or commit does not exist (or matched no semver tag). */
  | 'NotFound'
  /** The host name does not resolve. */
  | 'UnknownHost'
  /** The SSH host key is unknown or does not match `known_hosts`. */
  | 'HostKeyMismatch'
  /** The operation did not finish in time (or was aborted). */
  | 'Timeout'
  /** The remote holds no commits at all. */
  | 'EmptyRepository'
  /** The options cannot work (bad URL, bad ref name, missing SSH identity, invalid semver range). */
  | 'InvalidOptions'
  /** A commit or tag signature is missing or does not verify. */
  | 'VerificationFailed'
  /** Refused by a network egress policy. */
  | 'Forbidden'
  /** The push was rejected by the remote. */
  | 'PushRejected'
  /** Anything else git reported. */
  | 'OperationFailed';

const BRAND = Symbol.for('eddy.runtime.GitError');

/** A failed git operation. Recognised across package copies by a brand, not `instanceof`. */
export class GitError extends Error {
  readonly [BRAND] = true;
  override readonly name = 'GitError';

  constructor(
    readonly kind: GitErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** True when `err` is a GitError (of `kind`, when given). */
  static is(err: unknown, kind?: GitErrorKind): err is GitError {
    if (typeof err !== 'object' || err === null || (err as Record<symbol, unknown>)[BRAND] !== true) return false;
    return kind === undefined || (err as GitError).kind === kind;
  }
}

const PATTERNS: ReadonlyArray<[RegExp, GitErrorKind]> = [
  [/could not resolve host|could not resolve hostname|name or service not known|temporary failure in name resolution/i, 'UnknownHost'],
  [/host key verification failed|remote host identification has changed|no .* host key is known/i, 'HostKeyMismatch'],
  [
    /authentication failed|permission denied|could not read username|could not read password|http basic: access denied|terminal prompts disabled|invalid username or password|401|403 forbidden|the requested url returned error: 403/i,
    'AuthenticationFailed',
  ],
  [/repository .* not found|not found in upstream|couldn't find remote ref|does not appear to be a git repository|the requested url returned error: 404|no such remote ref|not our ref|no matching remote head/i, 'NotFound'],
  [/operation timed out|timed out|abort signal received/i, 'Timeout'],
  [/\[rejected\]|\[remote rejected\]|failed to push some refs|pre-receive hook declined/i, 'PushRejected'],
];

/** Maps git's stderr to an error kind. */
export function classifyGitOutput(output: string): GitErrorKind {
  for (const [re, kind] of PATTERNS) if (re.test(output)) return kind;
  return 'OperationFailed';
}

/** Replaces every occurrence of each secret (and its base64 form) in `text` with `***`. */
export function redact(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < 4) continue;
    out = out.split(s).join('***');
    const b64 = Buffer.from(s).toString('base64');
    if (b64.length >= 4) out = out.split(b64).join('***');
  }
  // Userinfo in URLs never leaves this module, whatever its origin.
  return out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s'"]+@/gi, '$1***@');
}

/**
 * Wraps any error thrown by a git invocation into a {@link GitError}: classifies by output,
 * redacts secrets, and keeps GitErrors (already typed) as they are.
 */
export function toGitError(err: unknown, context: string, secrets: Iterable<string> = [], timedOut = false): GitError {
  if (GitError.is(err)) return err;
  const raw = err instanceof Error ? err.message : String(err);
  const detail = redact(raw, secrets).trim().replace(/\s+\n/g, '\n');
  const kind: GitErrorKind = timedOut ? 'Timeout' : classifyGitOutput(detail);
  const msg = kind === 'Timeout' && timedOut ? `${context}: operation timed out` : `${context}: ${firstLines(detail)}`;
  return new GitError(kind, msg);
}

function firstLines(text: string, max = 4): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !/^hint:/i.test(l));
  return lines.slice(0, max).join('; ') || 'unknown error';
}
