// SPDX-License-Identifier: Apache-2.0
/**
 * Controllers as local processes, for `make demo` and the end-to-end tests: each controller's own
 * entry point (`packages/<name>-controller/src/main.ts`, run from source with tsx) against a
 * kubeconfig, with loopback metrics/health ports, no leader election and, for the
 * source-controller, a storage directory served on a loopback port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The controllers that run as processes. */
export type ControllerName = 'source' | 'kustomize' | 'helm' | 'image-reflector' | 'image-automation';

/** Options of {@link startControllerProcess}. */
export interface ControllerProcessOptions {
  name: ControllerName;
  /** The repository root (holds `packages/`). */
  root: string;
  kubeconfig: string;
  /** source-controller: where artifacts are stored. Required for `source`. */
  storagePath?: string;
  /** More flags, e.g. `--requeue-dependency=5s`. */
  extraArgs?: string[];
  /** Extra environment, e.g. `PATH` with kustomize and helm. */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for `/readyz`. @default 60000 */
  readyTimeoutMs?: number;
  /** Another entry point, e.g. a built `dist/main.js`. @default {@link controllerMain} */
  main?: string;
}

/** A running controller process. */
export interface ControllerProcess {
  name: ControllerName;
  pid: number;
  /** `http://127.0.0.1:<port>` of the health endpoint. */
  healthUrl: string;
  /** source-controller: `http://127.0.0.1:<port>` of the artifact server. */
  storageUrl?: string;
  /** The last lines the process wrote (stdout and stderr). */
  logTail(lines?: number): string;
  /** Resolves with the exit code when the process ends. */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `killAfterMs` (default 10 s). Idempotent. */
  stop(killAfterMs?: number): Promise<void>;
}

/** The entry point of a controller package. */
export function controllerMain(root: string, name: ControllerName): string {
  return join(root, 'packages', `${name}-controller`, 'src', 'main.ts');
}

/** A free loopback TCP port. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function keepTail(child: ChildProcess, max = 400): () => string[] {
  const lines: string[] = [];
  let partial = '';
  const onData = (chunk: Buffer): void => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    if (lines.length > max) lines.splice(0, lines.length - max);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  return () => (partial ? [...lines, partial] : lines);
}

async function waitReady(url: string, exited: Promise<number | null>, timeoutMs: number, tail: () => string): Promise<void> {
  let done: number | null | undefined;
  void exited.then((c) => (done = c));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (done !== undefined) throw new Error(`controller exited with code ${String(done)} before it was ready:\n${tail()}`);
    const ok = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`controller not ready after ${timeoutMs} ms:\n${tail()}`);
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * A detached watchdog that stops the controller's process group when this process dies without
 * stopping it (a test runner killed on timeout, say): controllers never outlive their owner.
 */
function startWatchdog(childPid: number): void {
  const script = `
    const [parent, child] = process.argv.slice(1).map(Number);
    const alive = (p) => { try { process.kill(p, 0); return true; } catch { return false; } };
    const timer = setInterval(() => {
      if (!alive(child)) process.exit(0);
      if (alive(parent)) return;
      try { process.kill(-child, 'SIGTERM'); } catch {}
      setTimeout(() => { try { process.kill(-child, 'SIGKILL'); } catch {} process.exit(0); }, 5000);
      clearInterval(timer);
    }, 1000);`;
  spawn(process.execPath, ['-e', script, String(process.pid), String(childPid)], { detached: true, stdio: 'ignore' }).unref();
}

/** Starts one controller and waits until its `/readyz` answers 200. */
export async function startControllerProcess(opts: ControllerProcessOptions): Promise<ControllerProcess> {
  const main = opts.main ?? controllerMain(opts.root, opts.name);
  if (!existsSync(main)) throw new Error(`${opts.name}-controller has no entry point yet (${main} is missing)`);
  const [health, metrics] = [await freeLoopbackPort(), await freeLoopbackPort()];
  const args = [
    '--conditions=development',
    '--import',
    'tsx',
    main,
    `--kubeconfig=${opts.kubeconfig}`,
    `--metrics-addr=127.0.0.1:${metrics}`,
    `--health-addr=127.0.0.1:${health}`,
    '--enable-leader-election=false',
    '--log-encoding=json',
  ];
  let storageUrl: string | undefined;
  if (opts.name === 'source') {
    if (!opts.storagePath) throw new Error('the source-controller needs a storage path');
    const port = await freeLoopbackPort();
    storageUrl = `http://127.0.0.1:${port}`;
    args.push(`--storage-path=${opts.storagePath}`, `--storage-addr=127.0.0.1:${port}`, `--storage-adv-addr=127.0.0.1:${port}`);
  }
  args.push(...(opts.extraArgs ?? []));
  const child = spawn(process.execPath, args, { cwd: opts.root, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  if (child.pid) startWatchdog(child.pid);
  const lines = keepTail(child);
  const tail = (n = 40): string => lines().slice(-n).join('\n');
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const kill = (): void => {
    if (child.pid) killGroup(child.pid, 'SIGKILL');
  };
  process.once('exit', kill);
  let stopping: Promise<void> | undefined;
  const proc: ControllerProcess = {
    name: opts.name,
    pid: child.pid ?? 0,
    healthUrl: `http://127.0.0.1:${health}`,
    ...(storageUrl ? { storageUrl } : {}),
    logTail: tail,
    exited,
    stop(killAfterMs = 10_000) {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          killGroup(child.pid ?? 0, 'SIGTERM');
          const timer = setTimeout(kill, killAfterMs);
          await exited;
          clearTimeout(timer);
        }
        process.off('exit', kill);
      })();
      return stopping;
    },
  };
  try {
    await waitReady(proc.healthUrl, exited, opts.readyTimeoutMs ?? 60_000, () => tail());
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return proc;
}
