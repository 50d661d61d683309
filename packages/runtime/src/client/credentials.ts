// SPDX-License-Identifier: Apache-2.0
/**
 * What a kubeconfig user and cluster put on the wire: request headers (bearer token, rotating
 * token file, basic auth, impersonation) and TLS material (CA, client certificate and key,
 * `insecure-skip-tls-verify`, `tls-server-name`). Exec plugins and auth providers are client-node's
 * business: it is imported on first use only, so a process whose kubeconfig needs neither never
 * loads it (~80 MiB).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type http from 'node:http';
import type https from 'node:https';
import type * as ClientNode from '@kubernetes/client-node';
import { toClientNodeOptions, type KubeconfigCluster, type KubeconfigData, type KubeconfigUser } from './kubeconfig.ts';

/** Headers and TLS material for requests to one apiserver. */
export interface Credentials {
  /** Request headers; a list is sent as repeated headers (`Impersonate-Group`). */
  headers: Record<string, string | string[]>;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** `false` with `insecure-skip-tls-verify`; otherwise unset (Node's default: verify). */
  rejectUnauthorized?: boolean;
  /** `tls-server-name`. */
  servername?: string;
}

/** Whether `user` authenticates through an exec plugin or auth provider (client-node's part). */
export function needsClientNode(user: KubeconfigUser | undefined): boolean {
  return !!user && (user.exec !== undefined || user.authProvider !== undefined);
}

async function fileOrData(what: string, file: string | undefined, data: string | undefined): Promise<Buffer | undefined> {
  if (file) {
    try {
      return await readFile(file);
    } catch (err) {
      throw new Error(`cannot read ${what} ${file}: ${(err as Error).message}`, { cause: err });
    }
  }
  return data ? Buffer.from(data, 'base64') : undefined;
}

/**
 * The bearer token of `user`: its token file, read now (kubelet rotates projected tokens), else
 * its `token`, which is also the fallback while the file cannot be read.
 * @throws when the token file cannot be read and there is no `token`.
 */
export async function readToken(user: KubeconfigUser): Promise<string | undefined> {
  if (user.tokenFile) {
    try {
      const token = (await readFile(user.tokenFile, 'utf8')).trim();
      if (token) return token;
    } catch (err) {
      if (!user.token) throw new Error(`cannot read token file ${user.tokenFile}: ${(err as Error).message}`, { cause: err });
    }
  }
  return user.token;
}

function impersonationHeaders(user: KubeconfigUser, headers: Record<string, string | string[]>): void {
  if (user.impersonateUser) headers['Impersonate-User'] = user.impersonateUser;
  if (user.impersonateGroups?.length) headers['Impersonate-Group'] = [...user.impersonateGroups];
  if (user.impersonateUid) headers['Impersonate-Uid'] = user.impersonateUid;
  for (const [k, v] of Object.entries(user.impersonateExtra ?? {})) headers[`Impersonate-Extra-${encodeURIComponent(k)}`] = [...v];
}

/**
 * The credentials kubeconfig entries give without plugins. Files (CA, client certificate and key,
 * token) are read on every call, so rotated files are picked up.
 * @throws for unreadable files and contradictory entries (a certificate without a key, token and basic auth).
 */
export async function staticCredentials(cluster: KubeconfigCluster, user: KubeconfigUser | undefined): Promise<Credentials> {
  const headers: Record<string, string | string[]> = {};
  const creds: Credentials = { headers };
  const ca = await fileOrData('certificate-authority', cluster.caFile, cluster.caData);
  if (ca) creds.ca = ca;
  if (cluster.skipTLSVerify) creds.rejectUnauthorized = false;
  if (cluster.tlsServerName) creds.servername = cluster.tlsServerName;
  if (!user) return creds;
  const cert = await fileOrData('client-certificate', user.certFile, user.certData);
  const key = await fileOrData('client-key', user.keyFile, user.keyData);
  if (!cert !== !key) throw new Error(`kubeconfig user '${user.name}' has a client ${cert ? 'certificate but no key' : 'key but no certificate'}`);
  if (cert && key) Object.assign(creds, { cert, key });
  const token = await readToken(user);
  if (token && user.username !== undefined) {
    throw new Error(`kubeconfig user '${user.name}': username/password or bearer token may be set, but not both`);
  }
  if (token) headers.Authorization = `Bearer ${token}`;
  else if (user.username !== undefined) {
    headers.Authorization = `Basic ${Buffer.from(`${user.username}:${user.password ?? ''}`).toString('base64')}`;
  }
  impersonationHeaders(user, headers);
  return creds;
}

/** Builds a client-node `KubeConfig` from `config`, importing client-node now. */
export async function importClientNodeKubeConfig(config: KubeconfigData): Promise<ClientNode.KubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromOptions(toClientNodeOptions(config));
  return kc;
}

/**
 * Builds a client-node `KubeConfig` from `config` synchronously (`require` of an ES module, which
 * Node ≥ 20.19 supports), for callers that still need that type.
 */
export function requireClientNodeKubeConfig(config: KubeconfigData): ClientNode.KubeConfig {
  const { KubeConfig } = createRequire(import.meta.url)('@kubernetes/client-node') as typeof ClientNode;
  const kc = new KubeConfig();
  kc.loadFromOptions(toClientNodeOptions(config));
  return kc;
}

/**
 * Exec plugins and auth providers through client-node, loaded on first use. One client-node
 * `KubeConfig` is kept, so its authenticators cache what the plugin returns until it expires.
 */
export class PluginCredentials {
  private kc: Promise<ClientNode.KubeConfig> | undefined;

  /**
   * @param config - the loaded kubeconfig.
   * @param given - the caller's own client-node `KubeConfig`, used instead of building one.
   */
  constructor(
    private readonly config: KubeconfigData,
    private readonly given?: ClientNode.KubeConfig,
  ) {}

  /** `base` with the plugin's `Authorization` header and client certificate, if it returns one. */
  async apply(base: Credentials): Promise<Credentials> {
    this.kc ??= this.given ? Promise.resolve(this.given) : importClientNodeKubeConfig(this.config);
    let kc: ClientNode.KubeConfig;
    try {
      kc = await this.kc;
    } catch (err) {
      this.kc = undefined;
      throw new Error(`kubeconfig needs @kubernetes/client-node (exec plugin or auth provider), which failed to load: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const opts: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    const headers = { ...base.headers };
    const h = (Array.isArray(opts.headers) ? {} : (opts.headers ?? {})) as http.OutgoingHttpHeaders;
    const auth = h.Authorization ?? h.authorization;
    if (auth !== undefined) headers.Authorization = String(auth);
    const out: Credentials = { ...base, headers };
    const pem = (v: unknown): Buffer | undefined => (Buffer.isBuffer(v) ? v : typeof v === 'string' && v ? Buffer.from(v) : undefined);
    const [cert, key] = [pem(opts.cert), pem(opts.key)];
    if (cert && key) Object.assign(out, { cert, key });
    return out;
  }
}
