// SPDX-License-Identifier: Apache-2.0
/**
 * Running short-lived commands (git, ssh-keygen, helm) and failing with their stderr.
 * @module
 */
import { execFile } from 'node:child_process';
import { TestEnvError } from './errors.ts';

/** A command exited non-zero or could not start. */
export class CommandError extends TestEnvError {
  /**
   * @param command - the command line.
   * @param code - its exit code (or an error code like ENOENT).
   * @param stderr - what it printed on stderr.
   */
  constructor(
    readonly command: string,
    readonly code: number | string | null,
    readonly stderr: string,
    options?: { cause?: unknown },
  ) {
    super(`\`${command}\` failed (${code ?? 'signal'}): ${stderr.trim().slice(-2000)}`, options);
  }
}

/** Options of {@link run}. */
export interface RunOptions {
  /** Working directory. */
  cwd?: string;
  /** Extra environment variables (merged over this process's). */
  env?: NodeJS.ProcessEnv;
  /** Kill after this long (default 60 s). */
  timeoutMs?: number;
}

/**
 * Runs a command to completion.
 * @param command - the executable.
 * @param args - its arguments.
 * @param opts - cwd, env, timeout.
 * @returns its stdout.
 * @throws {@link CommandError} with the stderr when it fails.
 */
export function run(command: string, args: string[], opts: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        cwd: opts.cwd,
        env: { ...process.env, ...opts.env },
        timeout: opts.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        if (err) {
          const code = (err as NodeJS.ErrnoException & { code?: number | string }).code ?? null;
          reject(new CommandError([command, ...args].join(' '), code, stderr || err.message, { cause: err }));
        } else {
          resolve(stdout);
        }
      },
    );
  });
}

/** Environment for git commands that ignores the user's and the system's git config and sets an identity. */
export const GIT_ENV: NodeJS.ProcessEnv = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  GIT_AUTHOR_NAME: 'Eddy Test',
  GIT_AUTHOR_EMAIL: 'test@eddy.invalid',
  GIT_COMMITTER_NAME: 'Eddy Test',
  GIT_COMMITTER_EMAIL: 'test@eddy.invalid',
};

/**
 * Runs git with {@link GIT_ENV}.
 * @param args - git arguments.
 * @param opts - cwd, extra env, timeout.
 * @returns stdout.
 */
export function git(args: string[], opts: RunOptions = {}): Promise<string> {
  return run('git', args, { ...opts, env: { ...GIT_ENV, ...opts.env } });
}
