// SPDX-License-Identifier: Apache-2.0
/**
 * kube-controller-manager for the local control plane: namespace deletion, garbage collection, default service
 * accounts, Deployment → ReplicaSet → Pod.
 * @module
 */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { StartupError } from './errors.ts';
import { simpleRequest } from './http-util.ts';
import { freePort } from './ports.ts';
import type { Daemon } from './process.ts';
import { spawnDaemon, waitUntil } from './process.ts';
import type { Reaper } from './reaper.ts';
import { toolPath } from './paths.ts';

/**
 * The kube-controller-manager flags.
 * @param dir - the control plane directory.
 * @param kubeconfigPath - an admin kubeconfig.
 * @param port - the secure (health) port on 127.0.0.1.
 */
export function controllerManagerArgs(dir: string, kubeconfigPath: string, port: number): string[] {
  return [
    `--kubeconfig=${kubeconfigPath}`,
    '--leader-elect=false',
    '--bind-address=127.0.0.1',
    `--secure-port=${port}`,
    `--cert-dir=${join(dir, 'kcm')}`,
    `--service-account-private-key-file=${join(dir, 'sa.key')}`,
    `--root-ca-file=${join(dir, 'pki', 'apiserver.crt')}`,
    '--use-service-account-credentials=false',
    '--profiling=false',
  ];
}

/**
 * Starts kube-controller-manager and waits until its `/healthz` answers 200.
 * @param dir - the control plane directory.
 * @param kubeconfigPath - an admin kubeconfig.
 * @param reaper - the watchdog of the control plane.
 * @param timeoutMs - how long to wait (default 30 s).
 * @throws {@link StartupError} with the log tail.
 */
export async function startControllerManager(
  dir: string,
  kubeconfigPath: string,
  reaper: Reaper,
  timeoutMs = 30_000,
): Promise<Daemon> {
  mkdirSync(join(dir, 'kcm'), { recursive: true });
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const daemon = spawnDaemon({
      name: 'kube-controller-manager',
      command: toolPath('kube-controller-manager'),
      args: controllerManagerArgs(dir, kubeconfigPath, port),
      logDir: dir,
      reaper,
    });
    try {
      const healthz = { url: `https://127.0.0.1:${port}/healthz`, insecure: true, timeoutMs: 2000 };
      await waitUntil(
        async () => (await simpleRequest(healthz)).status === 200,
        {
          what: `kube-controller-manager /healthz on port ${port}`,
          timeoutMs,
          abort: () => (daemon.exitStatus ? `exited (${JSON.stringify(daemon.exitStatus)})` : undefined),
        },
      );
      return daemon;
    } catch (err) {
      await daemon.stop(1000);
      const tail = daemon.logTail();
      if (attempt < 3 && /address already in use/.test(tail)) continue;
      throw new StartupError('kube-controller-manager', err instanceof Error ? err.message : String(err), tail, {
        cause: err,
      });
    }
  }
}
