// SPDX-License-Identifier: Apache-2.0
/**
 * Builds the kubeconfig helm runs with: one context, one cluster, one user, taken from the
 * controller's own credentials, an in-cluster service account, or a HelmRelease's
 * `spec.kubeConfig` Secret; optionally impersonating `spec.serviceAccountName` (Flux's
 * `system:serviceaccount:<ns>:<name>`) and defaulting to the release namespace.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { readFile } from 'node:fs/promises';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

/** Where the credentials come from. */
export type ClusterAccess =
  /** A kubeconfig file (the controller's `--kubeconfig`); relative paths resolve against its directory. */
  | { kind: 'file'; path: string; context?: string }
  /** A kubeconfig held in memory (from a `spec.kubeConfig.secretRef` Secret). */
  | { kind: 'inline'; yaml: string; context?: string }
  /** The pod's service account (`KUBERNETES_SERVICE_HOST`, token and CA files). */
  | { kind: 'in-cluster'; server: string; caFile: string; tokenFile: string };

/** Options of {@link renderKubeconfig}. */
export interface KubeconfigOptions {
  /** User to impersonate, e.g. `system:serviceaccount:apps:deployer`. */
  impersonateUser?: string;
  /** Namespace of the context. */
  namespace?: string;
  /** Allow `exec` credential plugins in inline kubeconfigs (Flux `--insecure-kubeconfig-exec`). @default false */
  allowExec?: boolean;
  /** Allow `insecure-skip-tls-verify` in inline kubeconfigs (Flux `--insecure-kubeconfig-tls`). @default false */
  allowInsecureTLS?: boolean;
}

/** A kubeconfig the controller refuses to use (Flux's rules for remote clusters). */
export class KubeconfigError extends Error {
  override readonly name = 'KubeconfigError';
}

type Obj = Record<string, unknown>;
interface Named {
  name: string;
  [k: string]: unknown;
}

const FILE_FIELDS_CLUSTER = ['certificate-authority'];
const FILE_FIELDS_USER = ['client-certificate', 'client-key', 'tokenFile'];

function pick(list: unknown, name: string | undefined, what: string): Obj {
  const items = (Array.isArray(list) ? list : []) as Named[];
  const item = name === undefined ? items[0] : items.find((i) => i.name === name);
  if (!item) throw new KubeconfigError(`kubeconfig has no ${what}${name ? ` '${name}'` : ''}`);
  return (item[what] ?? {}) as Obj;
}

function absolutize(section: Obj, fields: string[], base: string | undefined): Obj {
  const out = { ...section };
  for (const f of fields) {
    const v = out[f];
    if (typeof v === 'string' && v !== '' && base !== undefined && !isAbsolute(v)) out[f] = resolve(base, v);
  }
  return out;
}

function rejectInline(cluster: Obj, user: Obj, opts: KubeconfigOptions): void {
  for (const f of FILE_FIELDS_CLUSTER) {
    if (cluster[f]) throw new KubeconfigError(`kubeconfig cluster uses a local file reference (${f}), which is not allowed`);
  }
  for (const f of FILE_FIELDS_USER) {
    if (user[f]) throw new KubeconfigError(`kubeconfig user uses a local file reference (${f}), which is not allowed`);
  }
  if (user['exec'] && !opts.allowExec) throw new KubeconfigError('kubeconfig user uses an exec credential plugin, which is not allowed');
  if (user['auth-provider']) throw new KubeconfigError('kubeconfig user uses an auth-provider, which is not allowed');
  if (cluster['insecure-skip-tls-verify'] && !opts.allowInsecureTLS) {
    throw new KubeconfigError('kubeconfig cluster disables TLS verification, which is not allowed');
  }
}

function parseConfig(text: string): Obj {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new KubeconfigError(`invalid kubeconfig: ${(e as Error).message.split('\n')[0]}`);
  }
  if (doc === null || typeof doc !== 'object') throw new KubeconfigError('invalid kubeconfig: not a map');
  return doc as Obj;
}

/** Renders a single-context kubeconfig for helm. */
export async function renderKubeconfig(access: ClusterAccess, opts: KubeconfigOptions = {}): Promise<string> {
  let cluster: Obj;
  let user: Obj;
  if (access.kind === 'in-cluster') {
    cluster = { server: access.server, 'certificate-authority': access.caFile };
    user = { tokenFile: access.tokenFile };
  } else {
    const text = access.kind === 'file' ? await readFile(access.path, 'utf8') : access.yaml;
    const cfg = parseConfig(text);
    const ctxName = access.context ?? (cfg['current-context'] as string | undefined) ?? undefined;
    const ctx = pick(cfg['contexts'], ctxName || undefined, 'context');
    cluster = pick(cfg['clusters'], ctx['cluster'] as string | undefined, 'cluster');
    user = pick(cfg['users'], ctx['user'] as string | undefined, 'user');
    if (access.kind === 'inline') rejectInline(cluster, user, opts);
    const base = access.kind === 'file' ? dirname(resolve(access.path)) : undefined;
    cluster = absolutize(cluster, FILE_FIELDS_CLUSTER, base);
    user = absolutize(user, FILE_FIELDS_USER, base);
  }
  if (opts.impersonateUser) user = { ...user, as: opts.impersonateUser };
  const context: Obj = { cluster: 'eddy', user: 'eddy' };
  if (opts.namespace) context['namespace'] = opts.namespace;
  return stringifyYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'eddy', cluster }],
    users: [{ name: 'eddy', user }],
    contexts: [{ name: 'eddy', context }],
    'current-context': 'eddy',
  });
}

/** Flux's impersonation user name for a service account. */
export function serviceAccountUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}
