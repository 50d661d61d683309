// SPDX-License-Identifier: Apache-2.0
/**
 * Typed errors for `helm` invocations. Helm's CLI reports failures as text on stderr
 * (`Error: UPGRADE FAILED: <cause>`); {@link classifyHelmError} turns that into a {@link HelmError}
 * whose `kind` tells callers what happened, and whose `message` is Helm's cause without the CLI's
 * `Error: INSTALLATION FAILED:` decoration, which is what Flux (using the SDK) reports.
 */

/** What went wrong in a helm call. */
export type HelmErrorKind =
  /** `--timeout` elapsed (`context deadline exceeded`, `timed out waiting for the condition`). */
  | 'timeout'
  /** The release is locked by a pending operation. */
  | 'locked'
  /** A template failed to render (`template: …`, `parse error`, `required value`). */
  | 'template'
  /** A hook failed (`pre-upgrade hooks failed`, `job failed`, `pod … failed`). */
  | 'hook'
  /** A test hook failed. */
  | 'test'
  /** The release or revision does not exist. */
  | 'not-found'
  /** The values do not satisfy the chart's JSON schema. */
  | 'schema'
  /** The apiserver rejected an object (invalid, conflict, forbidden, …). */
  | 'apply'
  /** The caller aborted the call (SIGTERM/SIGKILL sent). */
  | 'canceled'
  /** The helm binary could not be run or crashed. */
  | 'exec'
  | 'unknown';

const BRAND = Symbol.for('eddy.helm-controller.HelmError');

/** A failed helm invocation. */
export class HelmError extends Error {
  readonly [BRAND] = true;
  override readonly name = 'HelmError';
  /** Helm's stderr (tail), for logs and events. */
  readonly stderr: string;
  /** The helm sub-command, e.g. `upgrade`. */
  readonly command: string;
  /** The exit code; undefined when killed or not started. */
  readonly exitCode: number | undefined;
  constructor(
    readonly kind: HelmErrorKind,
    message: string,
    details: { stderr?: string; command: string; exitCode?: number | undefined; cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.stderr = details.stderr ?? '';
    this.command = details.command;
    this.exitCode = details.exitCode;
  }
  /** True for a HelmError from any copy of this package. */
  static is(e: unknown): e is HelmError {
    return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
  }
}

const CLI_PREFIXES = [
  /^Error:\s*/,
  /^(INSTALLATION|UPGRADE|ROLLBACK|UNINSTALLATION) FAILED:\s*/,
  /^(uninstallation|rollback) completed with \d+ error\(s\):\s*/,
];

/** Helm's cause: the last `Error:` paragraph of stderr without the CLI decoration. */
export function helmCause(stderr: string): string {
  const lines = stderr.replace(/\r/g, '').split('\n');
  const start = lines.findIndex((l) => l.startsWith('Error: '));
  let msg = (start >= 0 ? lines.slice(start) : lines.filter((l) => !/^(level=|time=|WARNING:)/.test(l))).join('\n').trim();
  for (const re of CLI_PREFIXES) msg = msg.replace(re, '');
  return msg || 'helm failed without an error message';
}

const RULES: Array<[HelmErrorKind, RegExp]> = [
  ['locked', /another operation \(install\/upgrade\/rollback\) is in progress/],
  ['timeout', /context deadline exceeded|timed out waiting for the condition|timeout waiting for|\btimed out\b/i],
  ['schema', /values don't meet the specifications of the schema|schema\(s\)/],
  ['test', /^(test|[\w.-]+ test) failed|pod [\w.-]+ failed|\d+ errors? occurred:[\s\S]*test/m],
  ['hook', /hooks? failed|job .* failed|failed (pre|post)-[a-z]+/i],
  ['template', /^template: |parse error|execution error at|^\S+\/templates\/\S+:\d+:\d+\n|executing "|unable to build kubernetes objects from release manifest|error converting YAML to JSON|YAML parse error|render error/m],
  ['not-found', /release: not found|has no deployed releases|not found|no revision for release/],
  ['apply', /is invalid|is forbidden|cannot patch|conflict|admission webhook|already exists/i],
];

/** Classifies helm's stderr into a {@link HelmError}. */
export function classifyHelmError(command: string, stderr: string, exitCode?: number): HelmError {
  const message = helmCause(stderr);
  let kind: HelmErrorKind = 'unknown';
  for (const [k, re] of RULES) {
    if (re.test(message)) {
      kind = k;
      break;
    }
  }
  if (command === 'test' && kind !== 'timeout' && kind !== 'not-found' && kind !== 'locked') kind = 'test';
  return new HelmError(kind, message, { stderr, command, exitCode });
}
