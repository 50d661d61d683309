// SPDX-License-Identifier: Apache-2.0
/**
 * Typed errors thrown by `@eddy/testenv`. Every message says what failed and what to do about it.
 * @module
 */

/** Base class of every error `@eddy/testenv` throws. */
export class TestEnvError extends Error {
  /** @param message - what failed and how to fix it. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A binary the test environment needs is not installed or built. */
export class ToolNotFoundError extends TestEnvError {
  /**
   * @param tool - the binary's name, e.g. `kube-apiserver`.
   * @param searched - every path that was looked at.
   * @param hint - the command that installs it, e.g. `make tools`.
   */
  constructor(
    readonly tool: string,
    readonly searched: string[],
    hint: string,
  ) {
    super(`${tool} not found (looked at ${searched.join(', ')}): ${hint}`);
  }
}

/** A process of the test environment did not become ready; the message carries the tail of its log. */
export class StartupError extends TestEnvError {
  /**
   * @param component - which process failed, e.g. `etcd`.
   * @param reason - what was observed (exit code, timeout).
   * @param logTail - the last lines of its log (and of related logs), included in the message.
   */
  constructor(
    readonly component: string,
    reason: string,
    readonly logTail: string,
    options?: { cause?: unknown },
  ) {
    super(`${component} did not start: ${reason}${logTail ? `\n--- log tail ---\n${logTail}` : ''}`, options);
  }
}

/** A condition polled for did not become true in time. */
export class WaitTimeoutError extends TestEnvError {
  /**
   * @param what - what was waited for.
   * @param timeoutMs - how long.
   * @param last - the last observation, if any.
   */
  constructor(what: string, timeoutMs: number, last?: string) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last: ${last})` : ''}`);
  }
}

/** An HTTP request to a test server or the apiserver answered with an unexpected status. */
export class HttpStatusError extends TestEnvError {
  /**
   * @param method - the request method.
   * @param url - the request URL.
   * @param status - the HTTP status received.
   * @param body - the response body (truncated in the message).
   */
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} ${url} answered ${status}: ${body.slice(0, 500)}`);
  }
}
