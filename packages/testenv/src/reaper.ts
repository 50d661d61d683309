// SPDX-License-Identifier: Apache-2.0
/**
 * The safety net that kills a test environment's processes and removes its directory when the test process
 * dies without cleaning up, even by SIGKILL.
 *
 * Each environment (control plane, git server, registry, chart repo) owns one directory. Its daemons' process
 * group ids are appended to `<dir>/.pgids`. A tiny detached `/bin/sh` watchdog polls the owning process every
 * 0.5 s; when the owner is gone (or a zombie) it sends SIGTERM to every listed group, SIGKILL after 5 s, and
 * removes the directory. It exits by itself once the directory is removed by a normal `stop()`.
 * @module
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pidAlive, waitUntil } from './process.ts';

const REAPER_SCRIPT = `
owner=$1; dir=$2
owner_alive() { [ -r /proc/$owner/stat ] && ! sed 's/.*) //' /proc/$owner/stat 2>/dev/null | grep -q '^Z'; }
while owner_alive; do
  [ -d "$dir" ] || exit 0
  sleep 0.5
done
groups=$(cat "$dir/.pgids" 2>/dev/null)
for g in $groups; do kill -TERM "-$g" 2>/dev/null; done
i=0
while [ $i -lt 50 ]; do
  alive=0
  for g in $groups; do kill -0 "-$g" 2>/dev/null && alive=1; done
  [ $alive = 0 ] && break
  sleep 0.1; i=$((i+1))
done
for g in $groups; do kill -KILL "-$g" 2>/dev/null; done
rm -rf "$dir"
`;

const PGIDS = '.pgids';
const exitHooks = new Set<() => void>();
let exitHookInstalled = false;

/** A handle on one environment's watchdog and its list of process groups. */
export interface Reaper {
  /** The directory the watchdog removes when the owner dies. */
  readonly dir: string;
  /** The watchdog's pid. */
  readonly pid: number;
  /** Records a process group to kill if the owner dies. */
  track(pgid: number): void;
  /** Forgets a process group that was stopped normally. */
  untrack(pgid: number): void;
  /** Stops the watchdog (after a normal stop), waits until it is gone, and drops the exit hook. */
  dismiss(): Promise<void>;
}

function runExitHooks(): void {
  for (const hook of exitHooks) {
    try {
      hook();
    } catch {
      // best effort at exit
    }
  }
}

/**
 * Starts the watchdog for `dir`, owned by this process, and registers a `process.on('exit')` hook that sends
 * SIGTERM to the tracked groups (the watchdog then finishes the job).
 * @param dir - the environment's directory (must exist).
 */
export function startReaper(dir: string): Reaper {
  const pgidsFile = join(dir, PGIDS);
  writeFileSync(pgidsFile, '');
  // the script travels in the environment so `ps` shows a short `sh -c eval… eddy-testenv-reaper <owner> <dir>`
  const args = ['-c', 'eval "$EDDY_REAPER_SCRIPT"', 'eddy-testenv-reaper', String(process.pid), dir];
  const child = spawn('/bin/sh', args, {
    detached: true,
    stdio: 'ignore',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', EDDY_REAPER_SCRIPT: REAPER_SCRIPT },
  });
  child.unref();
  const tracked = new Set<number>();
  const persist = (): void => {
    if (existsSync(dir)) writeFileSync(pgidsFile, [...tracked].map((g) => `${g}\n`).join(''));
  };
  const onExit = (): void => {
    for (const g of tracked) {
      try {
        process.kill(-g, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  };
  exitHooks.add(onExit);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', runExitHooks);
  }
  return {
    dir,
    pid: child.pid ?? -1,
    track(pgid) {
      tracked.add(pgid);
      appendFileSync(pgidsFile, `${pgid}\n`);
    },
    untrack(pgid) {
      tracked.delete(pgid);
      persist();
    },
    async dismiss() {
      exitHooks.delete(onExit);
      const pid = child.pid;
      if (!pid || child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        return;
      }
      await waitUntil(() => !pidAlive(pid), { what: `the watchdog ${pid} to exit`, timeoutMs: 5000, intervalMs: 20 });
    },
  };
}

/**
 * Removes an environment directory (used by normal stops, after every process has exited).
 * @param dir - the directory.
 */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

/**
 * The process groups recorded in an environment directory (for diagnostics and the CLI).
 * @param dir - the directory.
 */
export function trackedGroups(dir: string): number[] {
  try {
    return readFileSync(join(dir, PGIDS), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
