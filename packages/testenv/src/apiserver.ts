// SPDX-License-Identifier: Apache-2.0
/**
 * kube-apiserver for the local control plane: token auth, self-signed serving certificate, loopback only.
 * @module
 */
import { join } from 'node:path';
import { StartupError } from './errors.ts';
import type { KubeConnection } from './kube-http.ts';
import { kubeRequest } from './kube-http.ts';
import { freePort } from './ports.ts';
import type { Daemon } from './process.ts';
import { spawnDaemon, waitUntil } from './process.ts';
import type { Reaper } from './reaper.ts';
import { toolPath } from './paths.ts';

/** What kube-apiserver is started with. */
export interface ApiServerConfig {
  /** The control plane directory (`pki/`, `tokens.csv`, `sa.key` and the log live there). */
  dir: string;
  /** The secure port on 127.0.0.1. */
  port: number;
  /** The etcd client URL. */
  etcdUrl: string;
  /** Keep the watch cache (default true, as in a real cluster). */
  watchCache: boolean;
}

/** The certificate directory; the apiserver writes `apiserver.crt` (leaf + its CA) and `apiserver.key` there. */
export const certDirOf = (dir: string): string => join(dir, 'pki');
/** The CA file clients verify the serving certificate with. */
export const caFileOf = (dir: string): string => join(certDirOf(dir), 'apiserver.crt');

/**
 * The kube-apiserver flags: envtest's defaults with token auth instead of client certificates.
 * @param cfg - directory, port, etcd URL.
 */
export function apiServerArgs(cfg: ApiServerConfig): string[] {
  return [
    `--etcd-servers=${cfg.etcdUrl}`,
    `--secure-port=${cfg.port}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    '--endpoint-reconciler-type=none',
    // 65,534 Service ClusterIPs: a /24 ran out at ~250 Services (the 1000-Kustomization benchmark creates 1000).
    '--service-cluster-ip-range=10.0.0.0/16',
    '--allow-privileged=true',
    '--disable-admission-plugins=ServiceAccount',
    '--authorization-mode=RBAC',
    `--token-auth-file=${join(cfg.dir, 'tokens.csv')}`,
    `--cert-dir=${certDirOf(cfg.dir)}`,
    `--service-account-key-file=${join(cfg.dir, 'sa.key')}`,
    `--service-account-signing-key-file=${join(cfg.dir, 'sa.key')}`,
    '--service-account-issuer=https://kubernetes.default.svc',
    '--profiling=false',
    `--watch-cache=${cfg.watchCache}`,
  ];
}

async function ready(conn: KubeConnection): Promise<boolean> {
  const readyz = await kubeRequest(conn, 'GET', '/readyz', { timeoutMs: 5000 });
  if (readyz.status !== 200) throw new Error(`/readyz answered ${readyz.status}`);
  const ns = await kubeRequest(conn, 'GET', '/api/v1/namespaces/default', { timeoutMs: 5000 });
  if (ns.status !== 200) throw new Error(`namespace default answered ${ns.status}`);
  return true;
}

/**
 * Starts kube-apiserver and waits until `/readyz` is 200 and namespace `default` exists.
 * @param cfg - directory, port, etcd URL.
 * @param conn - the connection clients will use (server, token, CA file).
 * @param reaper - the watchdog of the control plane.
 * @param timeoutMs - how long to wait (default 60 s; 3–8 s is usual).
 * @throws {@link StartupError} with the log tail when it exits or does not get ready.
 */
export async function startApiServerProcess(
  cfg: ApiServerConfig,
  conn: KubeConnection,
  reaper: Reaper,
  timeoutMs = 60_000,
): Promise<Daemon> {
  const daemon = spawnDaemon({
    name: 'kube-apiserver',
    command: toolPath('kube-apiserver'),
    args: apiServerArgs(cfg),
    logDir: cfg.dir,
    reaper,
  });
  try {
    await waitUntil(() => ready(conn), {
      what: `kube-apiserver at ${conn.server} to be ready`,
      timeoutMs,
      intervalMs: 100,
      abort: () => (daemon.exitStatus ? `kube-apiserver exited (${JSON.stringify(daemon.exitStatus)})` : undefined),
    });
    return daemon;
  } catch (err) {
    await daemon.stop(1000);
    throw new StartupError('kube-apiserver', err instanceof Error ? err.message : String(err), daemon.logTail(), {
      cause: err,
    });
  }
}

/**
 * Starts kube-apiserver on a fresh free port, retrying with another port when the first was taken meanwhile.
 * @param cfg - everything but the port.
 * @param connFor - builds the client connection for a port.
 * @param reaper - the watchdog of the control plane.
 */
export async function startApiServerOnFreePort(
  cfg: Omit<ApiServerConfig, 'port'>,
  connFor: (port: number) => KubeConnection,
  reaper: Reaper,
): Promise<{ daemon: Daemon; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return { daemon: await startApiServerProcess({ ...cfg, port }, connFor(port), reaper), port };
    } catch (err) {
      if (attempt < 3 && err instanceof StartupError && /address already in use/.test(err.logTail)) continue;
      throw err;
    }
  }
}
