// SPDX-License-Identifier: Apache-2.0
/**
 * Eddy's controllers as real, separate processes — the way they run in a cluster — for e2e tests,
 * benchmarks and the demo. Each one runs its own entry point (`packages/<name>/src/main.ts`) from
 * source, against a kubeconfig, on free loopback ports, supervised like the control plane's
 * processes (killed with the test process if it dies).
 * @module
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports.ts';
import { makeTempDir, repoRoot } from './paths.ts';
import { startReaper, removeDir, type Reaper } from './reaper.ts';
import { spawnDaemon, waitUntil, type Daemon } from './process.ts';
import { StartupError } from './errors.ts';

/** The controllers Eddy ships, by package name. */
export type ControllerName =
  | 'source-controller'
  | 'kustomize-controller'
  | 'helm-controller'
  | 'image-reflector-controller'
  | 'image-automation-controller';

/** How to start a controller process. */
export interface ControllerProcessOptions {
  controller: ControllerName;
  /** The cluster to reconcile against. */
  kubeconfigPath: string;
  /** Extra flags, appended after the defaults (so they win). */
  args?: string[];
  /**
   * Watch only this namespace (`--watch-all-namespaces=false` with `RUNTIME_NAMESPACE`), so tests
   * sharing one control plane never reconcile each other's objects.
   */
  namespace?: string;
  /** Extra environment variables. */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for `/readyz`. @default 60000 */
  readyTimeoutMs?: number;
  /**
   * Another entry point, e.g. a built `dist/main.js`.
   * @default `EDDY_<NAME>_MAIN` (e.g. `EDDY_SOURCE_CONTROLLER_MAIN`), else `packages/<name>/src/main.ts`
   */
  main?: string;
  /** source-controller: the artifact directory. @default a directory removed on stop */
  storagePath?: string;
}

/** The entry point a controller process runs (see {@link ControllerProcessOptions.main}). */
export function controllerMain(controller: ControllerName): string {
  const override = process.env[`EDDY_${controller.toUpperCase().replaceAll('-', '_')}_MAIN`];
  return override || join(repoRoot(), 'packages', controller, 'src', 'main.ts');
}

/** A running controller process. */
export interface ControllerProcess {
  readonly controller: ControllerName;
  readonly pid: number;
  /** `http://127.0.0.1:<p>/metrics`. */
  readonly metricsUrl: string;
  /** `http://127.0.0.1:<p>` serving `/healthz` and `/readyz`. */
  readonly healthUrl: string;
  /** source-controller only: the artifact server's base URL. */
  readonly storageUrl?: string;
  /** The log file (JSON lines). */
  readonly logFile: string;
  /** The last lines of the log. */
  logTail(lines?: number): string;
  /** Whether the process still runs. */
  readonly running: boolean;
  /** SIGTERM (graceful shutdown), SIGKILL after `graceMs` (default 10 s); removes its temp dir. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

async function ready(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return res.status === 200;
}

/**
 * Starts one controller as a process and waits until its `/readyz` answers 200.
 * @throws {@link StartupError} with the log tail when it exits or does not become ready.
 */
export async function startControllerProcess(opts: ControllerProcessOptions): Promise<ControllerProcess> {
  const dir = makeTempDir(`eddy-${opts.controller}-`);
  const reaper: Reaper = startReaper(dir);
  const [metricsPort, healthPort] = [await freePort(), await freePort()];
  const args = [
    '--conditions=development',
    '--import',
    'tsx',
    opts.main ?? controllerMain(opts.controller),
    `--kubeconfig=${opts.kubeconfigPath}`,
    `--metrics-addr=127.0.0.1:${metricsPort}`,
    `--health-addr=127.0.0.1:${healthPort}`,
    '--enable-leader-election=false',
    '--log-level=info',
  ];
  let storageUrl: string | undefined;
  if (opts.controller === 'source-controller') {
    const storagePort = await freePort();
    const storagePath = opts.storagePath ?? join(dir, 'storage');
    mkdirSync(storagePath, { recursive: true });
    storageUrl = `http://127.0.0.1:${storagePort}`;
    args.push(`--storage-path=${storagePath}`, `--storage-addr=127.0.0.1:${storagePort}`, `--storage-adv-addr=127.0.0.1:${storagePort}`);
  }
  if (opts.namespace) args.push('--watch-all-namespaces=false');
  args.push(...(opts.args ?? []));
  const daemon: Daemon = spawnDaemon({
    name: opts.controller,
    command: process.execPath,
    args,
    logDir: dir,
    reaper,
    cwd: repoRoot(),
    env: { ...process.env, ...(opts.namespace ? { RUNTIME_NAMESPACE: opts.namespace } : {}), ...opts.env },
  });
  const healthUrl = `http://127.0.0.1:${healthPort}`;
  const stop = async (graceMs = 10_000): Promise<void> => {
    await daemon.stop(graceMs);
    await reaper.dismiss();
    removeDir(dir);
  };
  try {
    await waitUntil(() => ready(`${healthUrl}/readyz`), {
      what: `${opts.controller} /readyz`,
      timeoutMs: opts.readyTimeoutMs ?? 60_000,
      intervalMs: 200,
      abort: () => (daemon.exitStatus ? `${opts.controller} exited (${JSON.stringify(daemon.exitStatus)})` : undefined),
    });
  } catch (err) {
    const tail = daemon.logTail(60);
    await stop().catch(() => undefined);
    throw new StartupError(opts.controller, `did not become ready: ${(err as Error).message}`, tail);
  }
  return {
    controller: opts.controller,
    pid: daemon.pid,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    healthUrl,
    ...(storageUrl ? { storageUrl } : {}),
    logFile: daemon.logFile,
    logTail: (lines?: number) => daemon.logTail(lines),
    get running() {
      return daemon.running;
    },
    stop,
  };
}
