// SPDX-License-Identifier: Apache-2.0
/**
 * Supervision of long-running child processes: spawned detached in their own process group with output in a
 * log file, stopped with SIGTERM to the group and SIGKILL after a grace period, and tracked by a {@link Reaper}.
 * @module
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Reaper } from './reaper.ts';
import { TestEnvError, WaitTimeoutError } from './errors.ts';

/** How to start a {@link Daemon}. */
export interface DaemonOptions {
  /** A short name, used for the log file (`<logDir>/<name>.log`) and in errors. */
  name: string;
  /** The executable. */
  command: string;
  /** Its arguments. */
  args: string[];
  /** Where the log file goes. */
  logDir: string;
  /** The watchdog that kills the process group if the test process dies. */
  reaper: Reaper;
  /** Environment variables (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Working directory. */
  cwd?: string;
}

/** How a process ended. */
export interface ExitStatus {
  /** The exit code, or null when it was killed by a signal. */
  code: number | null;
  /** The signal that killed it, if any. */
  signal: NodeJS.Signals | null;
}

/** Reads the process group and state of every live (non-zombie) process from /proc. */
function processesInGroup(pgid: number): number[] {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(join('/proc', entry, 'stat'), 'utf8');
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] !== 'Z' && Number(fields[2]) === pgid) out.push(Number(entry));
  }
  return out;
}

/**
 * Whether a process exists and is not a zombie.
 * @param pid - the process id.
 */
export function pidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(join('/proc', String(pid), 'stat'), 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Whether any live (non-zombie) process is left in a process group.
 * @param pgid - the group id (the pid of a daemon spawned by {@link spawnDaemon}).
 */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  return processesInGroup(pgid).length > 0;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polls until `pgid` has no live process.
 * @returns true when the group is gone, false when `timeoutMs` passed first.
 */
async function waitGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (groupAlive(pgid)) {
    if (performance.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is gone
  }
}

/** Reads the last `lines` lines of a file, or '' when it is missing. */
export function tailFile(path: string, lines = 40): string {
  try {
    const text = readFileSync(path, 'utf8');
    return text.split('\n').slice(-lines - 1).join('\n').trimEnd();
  } catch {
    return '';
  }
}

/** A supervised child process in its own process group (pid = pgid). */
export class Daemon {
  /** The process id, also its process group id. */
  readonly pid: number;
  /** The log file that receives stdout and stderr. */
  readonly logFile: string;
  /** Set once the process has exited. */
  exitStatus: ExitStatus | undefined;
  readonly #reaper: Reaper;

  /** Use {@link spawnDaemon}. */
  constructor(
    readonly name: string,
    pid: number,
    logFile: string,
    reaper: Reaper,
  ) {
    this.pid = pid;
    this.logFile = logFile;
    this.#reaper = reaper;
  }

  /** Whether the process (or anything left in its group) still runs. */
  get running(): boolean {
    return this.exitStatus === undefined || groupAlive(this.pid);
  }

  /**
   * The last lines of the log.
   * @param lines - how many (default 40).
   */
  logTail(lines = 40): string {
    return tailFile(this.logFile, lines);
  }

  /**
   * Stops the whole process group: SIGTERM, then SIGKILL after `graceMs`, then waits until no process of the
   * group is left.
   * @param graceMs - how long SIGTERM gets (default 5000).
   * @throws {@link WaitTimeoutError} when even SIGKILL did not end the group within 5 s.
   */
  async stop(graceMs = 5000): Promise<void> {
    if (groupAlive(this.pid)) {
      signalGroup(this.pid, 'SIGTERM');
      if (!(await waitGroupGone(this.pid, graceMs))) {
        signalGroup(this.pid, 'SIGKILL');
        if (!(await waitGroupGone(this.pid, 5000))) {
          throw new WaitTimeoutError(`${this.name} (process group ${this.pid}) to die after SIGKILL`, 5000);
        }
      }
    }
    this.#reaper.untrack(this.pid);
  }
}

/**
 * Spawns a daemon detached in its own process group, stdout and stderr appended to `<logDir>/<name>.log`, and
 * tracks the group with the reaper. The child does not keep the event loop alive.
 * @param opts - what to run.
 */
export function spawnDaemon(opts: DaemonOptions): Daemon {
  const logFile = join(opts.logDir, `${opts.name}.log`);
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(opts.command, opts.args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: opts.env ?? process.env,
      cwd: opts.cwd,
    });
    if (child.pid === undefined) {
      throw new TestEnvError(`could not spawn ${opts.command}: is it executable?`);
    }
    opts.reaper.track(child.pid);
    const daemon = new Daemon(opts.name, child.pid, logFile, opts.reaper);
    child.on('exit', (code, signal) => {
      daemon.exitStatus = { code, signal };
    });
    child.on('error', () => {
      daemon.exitStatus ??= { code: -1, signal: null };
    });
    child.unref();
    return daemon;
  } finally {
    closeSync(fd);
  }
}

/** Options of {@link waitUntil}. */
export interface WaitOptions {
  /** What is awaited, for the error message. */
  what: string;
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  /** Poll interval (default 100 ms). */
  intervalMs?: number;
  /** Checked before each poll: a string aborts the wait with that reason (e.g. "exited with code 1"). */
  abort?: () => string | undefined;
}

/** Thrown by {@link waitUntil} when `abort` returned a reason. */
export class WaitAbortedError extends TestEnvError {}

/**
 * Polls `check` until it returns true.
 * @param check - returns true when done; a thrown error counts as "not yet" (and is reported on timeout).
 * @param opts - timeout, interval and abort condition.
 * @throws {@link WaitTimeoutError} on timeout, {@link WaitAbortedError} when `abort` returns a reason.
 */
export async function waitUntil(check: () => Promise<boolean> | boolean, opts: WaitOptions): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const deadline = performance.now() + timeoutMs;
  let last: string | undefined;
  for (;;) {
    const aborted = opts.abort?.();
    if (aborted) throw new WaitAbortedError(aborted);
    try {
      if (await check()) return;
      last = undefined;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (performance.now() > deadline) throw new WaitTimeoutError(opts.what, timeoutMs, last);
    await sleep(opts.intervalMs ?? 100);
  }
}
