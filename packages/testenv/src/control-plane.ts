// SPDX-License-Identifier: Apache-2.0
/**
 * A real local Kubernetes control plane: etcd → kube-apiserver → kube-controller-manager on free 127.0.0.1 ports,
 * all state in one temporary directory, CRDs installed and Established.
 * @module
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiServerConfig } from './apiserver.ts';
import { caFileOf, startApiServerOnFreePort, startApiServerProcess } from './apiserver.ts';
import { startControllerManager } from './controller-manager.ts';
import { applyCrds, hasYaml } from './crds.ts';
import { compactEtcdAt, startEtcd } from './etcd.ts';
import type { KubeConnection } from './kube-http.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { makeTempDir, repoRoot } from './paths.ts';
import type { Daemon } from './process.ts';
import { tailFile } from './process.ts';
import type { Reaper } from './reaper.ts';
import { removeDir, startReaper, trackedGroups } from './reaper.ts';

/** Options of {@link startControlPlane}. */
export interface ControlPlaneOptions {
  /** A name for the temp directory and the kubeconfig context (default `eddy`). */
  name?: string;
  /**
   * CRDs to install: a directory of YAML files, or `false` for none. Default: `<repo>/packages/api/crds` when it
   * exists and holds YAML.
   */
  crdDir?: string | false;
  /** Run kube-controller-manager (namespace deletion, garbage collection, Deployments → Pods). Default true. */
  controllerManager?: boolean;
  /**
   * Keep kube-apiserver's watch cache (default true, as in a real cluster). With it, {@link ControlPlane.compactEtcd}
   * restarts the apiserver so its cache forgets old revisions.
   */
  watchCache?: boolean;
}

/** How long each start-up phase took, in milliseconds. */
export interface ControlPlaneTimings {
  /** etcd until healthy. */
  etcd: number;
  /** kube-apiserver until ready and namespace `default` exists. */
  apiServer: number;
  /** kube-controller-manager until healthy and CRDs Established (they run in parallel). */
  controllerManagerAndCrds: number;
  /** Everything. */
  total: number;
}

/** A running local control plane; see {@link startControlPlane}. */
export interface ControlPlane extends KubeConnection {
  /** An admin kubeconfig (server, `certificate-authority` file, bearer token in `system:masters`). */
  kubeconfigPath: string;
  /** `https://127.0.0.1:<port>`. */
  server: string;
  /** The admin bearer token. */
  token: string;
  /** The CA file of the apiserver's self-signed serving certificate. */
  caFile: string;
  /** The state directory: etcd data, pki, tokens, kubeconfig, `<component>.log`. */
  dir: string;
  /** etcd's client URL, `http://127.0.0.1:<port>`. */
  etcdUrl: string;
  /** How long start-up took. */
  timings: ControlPlaneTimings;
  /** Stops kube-apiserver only (etcd and the controller manager keep running), e.g. to test watch recovery. */
  stopApiServer(): Promise<void>;
  /** Starts kube-apiserver again on the same port with the same etcd and certificates; waits until ready. */
  startApiServer(): Promise<void>;
  /**
   * Compacts etcd to its current revision, so watches and reads at older resourceVersions answer 410 Gone. With
   * the watch cache on (the default) this also restarts kube-apiserver, because its cache would otherwise keep
   * serving old revisions; open watches are closed by that and must re-watch.
   */
  compactEtcd(): Promise<void>;
  /**
   * Applies CRD YAML (server-side apply) and waits until each is Established and served.
   * @param dirOrFiles - a directory or files.
   */
  installCrds(dirOrFiles: string | string[]): Promise<void>;
  /**
   * The last lines of a component's log.
   * @param component - `etcd`, `kube-apiserver` or `kube-controller-manager`.
   * @param lines - how many (default 40).
   */
  logTail(component: 'etcd' | 'kube-apiserver' | 'kube-controller-manager', lines?: number): string;
  /** Stops everything (apiserver before etcd) and removes the directory; leaves no process behind. Idempotent. */
  stop(): Promise<void>;
}

/** The CRD directory of `@eddy/api`, when it has been generated. */
export function defaultCrdDir(): string | undefined {
  const dir = join(repoRoot(), 'packages', 'api', 'crds');
  return hasYaml(dir) ? dir : undefined;
}

function writeSecrets(dir: string): string {
  const token = randomBytes(24).toString('hex');
  writeFileSync(join(dir, 'tokens.csv'), `${token},eddy-admin,eddy-admin,"system:masters"\n`, { mode: 0o600 });
  // ES256 service-account signing key: as good as RSA for the apiserver and much faster to generate
  const { privateKey } = generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    privateKeyEncoding: { type: 'sec1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  writeFileSync(join(dir, 'sa.key'), privateKey, { mode: 0o600 });
  return token;
}

class LocalControlPlane implements ControlPlane {
  readonly kubeconfigPath: string;
  readonly caFile: string;
  readonly server: string;
  readonly etcdUrl: string;
  timings: ControlPlaneTimings = { etcd: 0, apiServer: 0, controllerManagerAndCrds: 0, total: 0 };
  apiServer: Daemon | undefined;
  controllerManager: Daemon | undefined;
  #stopping: Promise<void> | undefined;

  constructor(
    readonly dir: string,
    readonly token: string,
    readonly reaper: Reaper,
    readonly etcd: Daemon,
    readonly apiConfig: ApiServerConfig,
  ) {
    this.kubeconfigPath = join(dir, 'kubeconfig');
    this.caFile = caFileOf(dir);
    this.server = `https://127.0.0.1:${apiConfig.port}`;
    this.etcdUrl = apiConfig.etcdUrl;
  }

  async stopApiServer(): Promise<void> {
    await this.apiServer?.stop();
    this.apiServer = undefined;
  }

  async startApiServer(): Promise<void> {
    if (this.apiServer?.running) return;
    this.apiServer = await startApiServerProcess(this.apiConfig, this, this.reaper);
  }

  async compactEtcd(): Promise<void> {
    await compactEtcdAt(this.etcdUrl);
    if (this.apiConfig.watchCache && this.apiServer) {
      await this.stopApiServer();
      await this.startApiServer();
    }
  }

  async installCrds(dirOrFiles: string | string[]): Promise<void> {
    await applyCrds(this, dirOrFiles);
  }

  logTail(component: 'etcd' | 'kube-apiserver' | 'kube-controller-manager', lines = 40): string {
    return tailFile(join(this.dir, `${component}.log`), lines);
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    const errors: unknown[] = [];
    for (const d of [this.controllerManager, this.apiServer, this.etcd]) {
      try {
        await d?.stop();
      } catch (err) {
        errors.push(err);
      }
    }
    this.controllerManager = this.apiServer = undefined;
    removeDir(this.dir);
    await this.reaper.dismiss();
    if (errors.length > 0) throw new AggregateError(errors, `stopping the control plane in ${this.dir} failed`);
  }
}

/**
 * Starts a local control plane from the binaries in `.eddy/bin` (see `toolPath`): etcd, kube-apiserver (token auth,
 * RBAC, self-signed serving certificate) and kube-controller-manager, then installs CRDs and waits for them.
 * A watchdog kills every process and removes the directory if this process dies without calling `stop()`.
 * @param opts - name, CRDs, controller manager, watch cache.
 * @throws {@link StartupError} with the failing component's log tail; {@link ToolNotFoundError} naming
 *   `make tools` when a binary is missing. Nothing is left running after a failed start.
 */
export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const t0 = performance.now();
  const name = (opts.name ?? 'eddy').replace(/[^a-zA-Z0-9_.-]/g, '-');
  const crdDir = opts.crdDir === undefined ? defaultCrdDir() : opts.crdDir || undefined;
  const dir = makeTempDir(`eddy-cp-${name}-`);
  const reaper = startReaper(dir);
  let plane: LocalControlPlane | undefined;
  let etcd: Daemon | undefined;
  try {
    const token = writeSecrets(dir);
    const started = await startEtcd(dir, reaper);
    etcd = started.daemon;
    const t1 = performance.now();
    const base = { dir, etcdUrl: started.url, watchCache: opts.watchCache ?? true };
    const connFor = (port: number): KubeConnection => ({
      server: `https://127.0.0.1:${port}`,
      token,
      caFile: caFileOf(dir),
    });
    const api = await startApiServerOnFreePort(base, connFor, reaper);
    plane = new LocalControlPlane(dir, token, reaper, etcd, { ...base, port: api.port });
    plane.apiServer = api.daemon;
    writeKubeconfig(plane.kubeconfigPath, plane, { name });
    const t2 = performance.now();
    const [kcm, crds] = await Promise.allSettled([
      opts.controllerManager === false ? undefined : startControllerManager(dir, plane.kubeconfigPath, reaper),
      crdDir ? applyCrds(plane, crdDir) : undefined,
    ]);
    if (kcm.status === 'fulfilled') plane.controllerManager = kcm.value;
    if (kcm.status === 'rejected') throw kcm.reason;
    if (crds.status === 'rejected') throw crds.reason;
    const t3 = performance.now();
    plane.timings = { etcd: t1 - t0, apiServer: t2 - t1, controllerManagerAndCrds: t3 - t2, total: t3 - t0 };
    return plane;
  } catch (err) {
    await cleanupAfterFailure(dir, reaper, plane ?? etcd);
    throw err;
  }
}

async function cleanupAfterFailure(
  dir: string,
  reaper: Reaper,
  started: { stop(): Promise<void> } | undefined,
): Promise<void> {
  try {
    await started?.stop();
  } catch {
    // fall through to SIGKILL
  }
  for (const g of trackedGroups(dir)) {
    try {
      process.kill(-g, 'SIGKILL');
    } catch {
      // gone
    }
  }
  removeDir(dir);
  await reaper.dismiss();
}
