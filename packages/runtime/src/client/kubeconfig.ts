// SPDX-License-Identifier: Apache-2.0
/**
 * Loading kubeconfigs without client-node: files (an explicit path, the `KUBECONFIG` list merged
 * the way kubectl merges it, `~/.kube/config`) and the in-cluster service account. The entries
 * keep client-node's field names (`caFile`, `certData`, `skipTLSVerify`, …) so a client-node
 * `KubeConfig` converts both ways by copying; credentials are resolved in `credentials.ts`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import net from 'node:net';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { KubeConfig as ClientNodeKubeConfig } from '@kubernetes/client-node';

/** A `clusters[]` entry. */
export interface KubeconfigCluster {
  readonly name: string;
  /** The apiserver URL, without a trailing slash. */
  readonly server: string;
  /** `certificate-authority-data` (base64 PEM). */
  readonly caData?: string;
  /** `certificate-authority`, absolute. */
  readonly caFile?: string;
  /** `insecure-skip-tls-verify`. */
  readonly skipTLSVerify: boolean;
  /** `tls-server-name`: the name the serving certificate is checked against (and sent as SNI). */
  readonly tlsServerName?: string;
  /** `proxy-url`. */
  readonly proxyUrl?: string;
}

/** A `users[]` entry. */
export interface KubeconfigUser {
  readonly name: string;
  /** `token`: a bearer token. */
  readonly token?: string;
  /** `tokenFile`, absolute: a bearer token file, re-read whenever credentials are refreshed (it rotates). */
  readonly tokenFile?: string;
  /** `client-certificate-data` (base64 PEM). */
  readonly certData?: string;
  /** `client-certificate`, absolute. */
  readonly certFile?: string;
  /** `client-key-data` (base64 PEM). */
  readonly keyData?: string;
  /** `client-key`, absolute. */
  readonly keyFile?: string;
  /** `username` (basic auth). */
  readonly username?: string;
  /** `password` (basic auth). */
  readonly password?: string;
  /** `as`: the `Impersonate-User` header. */
  readonly impersonateUser?: string;
  /** `as-groups`: `Impersonate-Group` headers. */
  readonly impersonateGroups?: readonly string[];
  /** `as-uid`: the `Impersonate-Uid` header. */
  readonly impersonateUid?: string;
  /** `as-user-extra`: `Impersonate-Extra-<key>` headers. */
  readonly impersonateExtra?: Readonly<Record<string, readonly string[]>>;
  /** `exec`: a credential plugin; handled by client-node, imported on demand. */
  readonly exec?: unknown;
  /** `auth-provider`: handled by client-node, imported on demand. */
  readonly authProvider?: unknown;
}

/** A `contexts[]` entry. */
export interface KubeconfigContext {
  readonly name: string;
  readonly cluster: string;
  readonly user: string;
  readonly namespace?: string;
}

/** The parts of a kubeconfig the client uses. */
export interface KubeconfigData {
  clusters: KubeconfigCluster[];
  users: KubeconfigUser[];
  contexts: KubeconfigContext[];
  currentContext: string;
}

/** A loaded kubeconfig: entries with absolute paths, and the selected context. */
export class LoadedKubeconfig implements KubeconfigData {
  clusters: KubeconfigCluster[];
  users: KubeconfigUser[];
  contexts: KubeconfigContext[];
  currentContext: string;

  constructor(data: Partial<KubeconfigData> = {}) {
    this.clusters = [...(data.clusters ?? [])];
    this.users = [...(data.users ?? [])];
    this.contexts = [...(data.contexts ?? [])];
    this.currentContext = data.currentContext ?? '';
  }

  /** The name of the selected context. */
  getCurrentContext(): string {
    return this.currentContext;
  }
  /** Selects a context. */
  setCurrentContext(name: string): void {
    this.currentContext = name;
  }
  /** A context by name. */
  getContextObject(name: string): KubeconfigContext | undefined {
    return this.contexts.find((c) => c.name === name);
  }
  /** A cluster by name. */
  getCluster(name: string): KubeconfigCluster | undefined {
    return this.clusters.find((c) => c.name === name);
  }
  /** A user by name. */
  getUser(name: string): KubeconfigUser | undefined {
    return this.users.find((u) => u.name === name);
  }
  /** The cluster of the selected context. */
  getCurrentCluster(): KubeconfigCluster | undefined {
    const ctx = this.getContextObject(this.currentContext);
    return ctx ? this.getCluster(ctx.cluster) : undefined;
  }
  /** The user of the selected context. */
  getCurrentUser(): KubeconfigUser | undefined {
    const ctx = this.getContextObject(this.currentContext);
    return ctx ? this.getUser(ctx.user) : undefined;
  }
  /** The namespace of the selected context, if it names one. */
  getCurrentNamespace(): string | undefined {
    return this.getContextObject(this.currentContext)?.namespace;
  }
}

/** Where {@link loadDefaultKubeconfig} looks; tests point it elsewhere. */
export interface KubeconfigEnvironment {
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** The home directory (`~/.kube/config`). @default `HOME`, else `os.homedir()` */
  home?: string;
  /** The service account mount of in-cluster config. @default `/var/run/secrets/kubernetes.io/serviceaccount` */
  serviceAccountDir?: string;
}

/** The service account mount of a pod. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

type Raw = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const obj = (v: unknown): Raw | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : undefined);
const abs = (dir: string, file: string | undefined): string | undefined => (file && !isAbsolute(file) ? resolve(dir, file) : file);

function named<T>(list: unknown, key: string, map: (name: string, body: Raw) => T): T[] {
  if (!Array.isArray(list)) return [];
  const out: T[] = [];
  for (const item of list as unknown[]) {
    const name = str(obj(item)?.name);
    if (name) out.push(map(name, obj(obj(item)?.[key]) ?? {}));
  }
  return out;
}

function parseUser(name: string, u: Raw, dir: string): KubeconfigUser {
  const extra = obj(u['as-user-extra']);
  const groups = Array.isArray(u['as-groups']) ? (u['as-groups'] as unknown[]).filter((g): g is string => typeof g === 'string') : [];
  return dropUndefined({
    name,
    token: str(u.token),
    tokenFile: abs(dir, str(u.tokenFile) ?? str(u['token-file'])),
    certData: str(u['client-certificate-data']),
    certFile: abs(dir, str(u['client-certificate'])),
    keyData: str(u['client-key-data']),
    keyFile: abs(dir, str(u['client-key'])),
    username: str(u.username),
    password: typeof u.password === 'string' ? u.password : undefined,
    impersonateUser: str(u.as),
    impersonateGroups: groups.length > 0 ? groups : undefined,
    impersonateUid: str(u['as-uid']),
    impersonateExtra: extra
      ? Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : [String(v)]]))
      : undefined,
    exec: obj(u.exec),
    authProvider: obj(u['auth-provider']),
  });
}

/**
 * Parses one kubeconfig document (YAML or JSON). Relative file references are resolved against
 * `dir`, as kubectl resolves them against the file's directory.
 * @throws when the text is not a kubeconfig.
 */
export function parseKubeconfig(text: string, dir = process.cwd()): LoadedKubeconfig {
  const doc = text.trim() === '' ? {} : (parseYaml(text) as unknown);
  const root = obj(doc);
  if (!root) throw new Error('kubeconfig is not a YAML mapping');
  return new LoadedKubeconfig({
    clusters: named(root.clusters, 'cluster', (name, c) =>
      dropUndefined({
        name,
        server: (str(c.server) ?? '').replace(/\/+$/, ''),
        caData: str(c['certificate-authority-data']),
        caFile: abs(dir, str(c['certificate-authority'])),
        skipTLSVerify: c['insecure-skip-tls-verify'] === true,
        tlsServerName: str(c['tls-server-name']),
        proxyUrl: str(c['proxy-url']),
      }),
    ),
    users: named(root.users, 'user', (name, u) => parseUser(name, u, dir)),
    contexts: named(root.contexts, 'context', (name, c) =>
      dropUndefined({ name, cluster: str(c.cluster) ?? '', user: str(c.user) ?? '', namespace: str(c.namespace) }),
    ),
    currentContext: str(root['current-context']) ?? '',
  });
}

/** Reads and parses one kubeconfig file. @throws when it cannot be read or parsed. */
export function loadKubeconfigFile(path: string): LoadedKubeconfig {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read kubeconfig ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return parseKubeconfig(text, dirname(file));
  } catch (err) {
    throw new Error(`cannot parse kubeconfig ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Merges kubeconfigs the way kubectl merges the `KUBECONFIG` list: the first to define a cluster,
 * user or context name wins, and so does the first non-empty `current-context`.
 */
export function mergeKubeconfigs(configs: readonly KubeconfigData[]): LoadedKubeconfig {
  const firstWins = <T extends { name: string }>(lists: T[][]): T[] => {
    const seen = new Map<string, T>();
    for (const list of lists) for (const e of list) if (!seen.has(e.name)) seen.set(e.name, e);
    return [...seen.values()];
  };
  return new LoadedKubeconfig({
    clusters: firstWins(configs.map((c) => c.clusters)),
    users: firstWins(configs.map((c) => c.users)),
    contexts: firstWins(configs.map((c) => c.contexts)),
    currentContext: configs.find((c) => c.currentContext)?.currentContext ?? '',
  });
}

/**
 * The files `KUBECONFIG` names, in order, empty entries and repeats dropped. Files that do not
 * exist are skipped, as kubectl skips them; if none exists, that is an error.
 * @throws when `KUBECONFIG` is set but none of its files exists.
 */
export function loadKubeconfigList(list: string): LoadedKubeconfig {
  const files = [...new Set(list.split(delimiter).filter((f) => f !== ''))];
  const existing = files.filter((f) => existsSync(f));
  if (existing.length === 0) throw new Error(`none of the KUBECONFIG files exists: ${files.join(delimiter)}`);
  return mergeKubeconfigs(existing.map(loadKubeconfigFile));
}

/**
 * The in-cluster config (client-go's `rest.InClusterConfig`): `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`,
 * the service account's CA, rotating token file and namespace; `undefined` outside a pod (the
 * variables are unset or the token file is missing).
 */
export function inClusterKubeconfig(where: KubeconfigEnvironment = {}): LoadedKubeconfig | undefined {
  const env = where.env ?? process.env;
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  const dir = where.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const tokenFile = join(dir, 'token');
  if (!host || !port || !existsSync(tokenFile)) return undefined;
  let namespace: string | undefined;
  try {
    namespace = readFileSync(join(dir, 'namespace'), 'utf8').trim() || undefined;
  } catch {
    namespace = undefined;
  }
  const caFile = join(dir, 'ca.crt');
  return new LoadedKubeconfig({
    clusters: [
      dropUndefined({
        name: 'inCluster',
        server: `https://${net.isIPv6(host) ? `[${host}]` : host}:${port}`,
        caFile: existsSync(caFile) ? caFile : undefined,
        skipTLSVerify: false,
      }),
    ],
    users: [{ name: 'inClusterUser', tokenFile }],
    contexts: [dropUndefined({ name: 'inClusterContext', cluster: 'inCluster', user: 'inClusterUser', namespace })],
    currentContext: 'inClusterContext',
  });
}

/**
 * The default kubeconfig, in controller-runtime's order: `KUBECONFIG`, then in-cluster (skipped
 * when `context` is given: contexts are a kubeconfig file's), then `~/.kube/config`.
 * @throws when there is none.
 */
export function loadDefaultKubeconfig(where: KubeconfigEnvironment = {}, context?: string): LoadedKubeconfig {
  const env = where.env ?? process.env;
  if (env.KUBECONFIG) return loadKubeconfigList(env.KUBECONFIG);
  if (!context) {
    const inCluster = inClusterKubeconfig(where);
    if (inCluster) return inCluster;
  }
  const home = join(where.home ?? (env.HOME || homedir()), '.kube', 'config');
  if (existsSync(home)) return loadKubeconfigFile(home);
  throw new Error(`no kubeconfig: KUBECONFIG is unset, not running in a cluster, and ${home} does not exist`);
}

/** Whether `v` is a client-node `KubeConfig` (checked by shape, so client-node need not be loaded). */
export function isClientNodeKubeConfig(v: unknown): v is ClientNodeKubeConfig {
  const o = v as Partial<ClientNodeKubeConfig> | undefined;
  return !!o && typeof o === 'object' && !(o instanceof LoadedKubeconfig) && typeof o.applyToHTTPSOptions === 'function' && Array.isArray(o.clusters);
}

/**
 * Copies a client-node `KubeConfig`'s entries. Its in-cluster `tokenFile` auth provider becomes a
 * plain {@link KubeconfigUser.tokenFile}.
 */
export function fromClientNode(kc: ClientNodeKubeConfig): LoadedKubeconfig {
  const clean = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as T;
  return new LoadedKubeconfig({
    clusters: kc.clusters.map((c) => clean({ ...c, skipTLSVerify: c.skipTLSVerify === true })),
    users: kc.users.map((u) => {
      const user = clean({ ...u }) as KubeconfigUser & { authProvider?: { config?: { tokenFile?: unknown } } };
      const tokenFile = user.authProvider?.config?.tokenFile;
      if (typeof tokenFile !== 'string' || user.tokenFile) return user;
      const { authProvider: _dropped, ...rest } = user;
      return { ...rest, tokenFile };
    }),
    contexts: kc.contexts.map((c) => clean({ ...c })),
    currentContext: kc.currentContext ?? '',
  });
}

/**
 * The options to build a client-node `KubeConfig` with (`loadFromOptions`): the same entries, a
 * token file as client-node's `tokenFile` auth provider.
 */
export function toClientNodeOptions(config: KubeconfigData): KubeconfigData {
  return {
    clusters: config.clusters.map((c) => ({ ...c })),
    users: config.users.map((u) =>
      u.tokenFile && !u.token && !u.authProvider && !u.exec ? { ...u, authProvider: { name: 'tokenFile', config: { tokenFile: u.tokenFile } } } : { ...u },
    ),
    contexts: config.contexts.map((c) => ({ ...c })),
    currentContext: config.currentContext,
  };
}

/** A kubeconfig source: a file path, a loaded {@link LoadedKubeconfig}, or a client-node `KubeConfig`. */
export type KubeconfigSource = string | LoadedKubeconfig | ClientNodeKubeConfig;

/**
 * Loads a kubeconfig the way controller-runtime does: `source` if given (a path, a loaded config, or
 * a client-node `KubeConfig`, which is copied), else {@link loadDefaultKubeconfig}; then selects
 * `context`, if given.
 * @throws when nothing can be loaded, the context does not exist, or it names no cluster with a server.
 */
export function loadKubeConfig(source?: KubeconfigSource, context?: string, where: KubeconfigEnvironment = {}): LoadedKubeconfig {
  let config: LoadedKubeconfig;
  if (typeof source === 'string' && source !== '') config = loadKubeconfigFile(source);
  else if (source instanceof LoadedKubeconfig) config = new LoadedKubeconfig(source);
  else if (isClientNodeKubeConfig(source)) {
    // Like before: the caller's KubeConfig is switched to the context too (its plugins may be used).
    if (context) source.setCurrentContext(context);
    config = fromClientNode(source);
  } else config = loadDefaultKubeconfig(where, context);
  if (context) {
    if (!config.getContextObject(context)) throw new Error(`kubeconfig has no context '${context}'`);
    config.setCurrentContext(context);
  }
  const ctx = config.getContextObject(config.currentContext);
  if (!ctx) {
    throw new Error(config.currentContext ? `kubeconfig has no context '${config.currentContext}'` : 'kubeconfig has no current context');
  }
  const cluster = config.getCluster(ctx.cluster);
  if (!cluster) throw new Error(`kubeconfig has no current cluster (context '${ctx.name}' names cluster '${ctx.cluster}')`);
  if (!cluster.server) throw new Error(`kubeconfig cluster '${cluster.name}' has no server`);
  return config;
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
