// SPDX-License-Identifier: Apache-2.0
/**
 * A loopback OCI registry: the real distribution `registry serve` with filesystem storage in a temp directory and
 * optional htpasswd (bcrypt) auth.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { stringify } from 'yaml';
import { StartupError } from './errors.ts';
import { simpleRequest } from './http-util.ts';
import type { PushOptions, PushResult, RegistryTarget } from './oci-push.ts';
import { listTags, pushImage } from './oci-push.ts';
import { makeTempDir, toolPath } from './paths.ts';
import { freePort } from './ports.ts';
import type { Daemon } from './process.ts';
import { spawnDaemon, waitUntil } from './process.ts';
import type { Reaper } from './reaper.ts';
import { removeDir, startReaper } from './reaper.ts';

/** A running registry; see {@link startRegistry}. */
export interface Registry {
  /** `127.0.0.1:<port>` (for image references: `${host}/repo:tag`). */
  host: string;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Basic auth user, when auth is on. */
  username?: string;
  /** Basic auth password, when auth is on. */
  password?: string;
  /** The state directory (storage and `registry.log`). */
  dir: string;
  /**
   * Pushes a small OCI manifest with one tar.gz layer.
   * @param repo - e.g. `apps/podinfo`.
   * @param tag - e.g. `v1.0.0`.
   * @param opts - layer files and media type, manifest annotations and artifactType, config media type.
   * @returns the manifest digest.
   */
  pushImage(repo: string, tag: string, opts?: PushOptions): Promise<PushResult>;
  /** The tags of a repository (with the registry's credentials). */
  listTags(repo: string): Promise<string[]>;
  /** Stops the registry and removes its storage. Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startRegistry}. */
export interface RegistryOptions {
  /** Require these Basic credentials (htpasswd with bcrypt); anonymous access is refused with 401. */
  auth?: { username: string; password: string };
}

function registryConfig(dir: string, port: number, withAuth: boolean): string {
  return stringify({
    version: 0.1,
    log: { level: 'info', formatter: 'text', accesslog: { disabled: false } },
    storage: {
      filesystem: { rootdirectory: join(dir, 'data') },
      delete: { enabled: true },
      maintenance: { uploadpurging: { enabled: false } },
    },
    http: { addr: `127.0.0.1:${port}`, secret: randomBytes(16).toString('hex') },
    ...(withAuth ? { auth: { htpasswd: { realm: 'eddy-registry', path: join(dir, 'htpasswd') } } } : {}),
  });
}

class LocalRegistry implements Registry {
  readonly host: string;
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  #stopping: Promise<void> | undefined;

  constructor(
    readonly dir: string,
    readonly port: number,
    readonly daemon: Daemon,
    readonly reaper: Reaper,
    auth?: { username: string; password: string },
  ) {
    this.host = `127.0.0.1:${port}`;
    this.url = `http://${this.host}`;
    this.username = auth?.username;
    this.password = auth?.password;
  }

  get target(): RegistryTarget {
    const auth = this.username ? { username: this.username, password: this.password ?? '' } : undefined;
    return { url: this.url, auth };
  }

  pushImage(repo: string, tag: string, opts?: PushOptions): Promise<PushResult> {
    return pushImage(this.target, repo, tag, opts);
  }

  listTags(repo: string): Promise<string[]> {
    return listTags(this.target, repo);
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      await this.daemon.stop();
      removeDir(this.dir);
      await this.reaper.dismiss();
    })();
    return this.#stopping;
  }
}

/**
 * Starts `registry serve` (distribution v3) on 127.0.0.1 with storage in a temp directory.
 * @param opts - optional Basic auth.
 * @throws {@link ToolNotFoundError} naming `make tools`, {@link StartupError} with the log tail.
 */
export async function startRegistry(opts: RegistryOptions = {}): Promise<Registry> {
  const binary = toolPath('registry');
  const dir = makeTempDir('eddy-registry-');
  const reaper = startReaper(dir);
  try {
    if (opts.auth) {
      const hash = bcrypt.hashSync(opts.auth.password, 8);
      writeFileSync(join(dir, 'htpasswd'), `${opts.auth.username}:${hash}\n`, { mode: 0o600 });
    }
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      writeFileSync(join(dir, 'config.yml'), registryConfig(dir, port, !!opts.auth));
      const args = ['serve', join(dir, 'config.yml')];
      const daemon = spawnDaemon({ name: 'registry', command: binary, args, logDir: dir, reaper });
      try {
        const base = { url: `http://127.0.0.1:${port}/v2/`, timeoutMs: 2000 };
        await waitUntil(
          async () => [200, 401].includes((await simpleRequest(base)).status),
          {
            what: `registry on port ${port}`,
            timeoutMs: 20_000,
            abort: () => (daemon.exitStatus ? `registry exited (${JSON.stringify(daemon.exitStatus)})` : undefined),
          },
        );
        return new LocalRegistry(dir, port, daemon, reaper, opts.auth);
      } catch (err) {
        await daemon.stop(1000);
        const tail = daemon.logTail();
        if (attempt < 3 && /address already in use/.test(tail)) continue;
        throw new StartupError('registry', err instanceof Error ? err.message : String(err), tail, { cause: err });
      }
    }
  } catch (err) {
    removeDir(dir);
    await reaper.dismiss();
    throw err;
  }
}
