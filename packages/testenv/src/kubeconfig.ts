// SPDX-License-Identifier: Apache-2.0
/**
 * Writing and reading the kubeconfig files of a local control plane (server, CA file, bearer token).
 * @module
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { TestEnvError } from './errors.ts';
import type { KubeConnection } from './kube-http.ts';

/** Options of {@link renderKubeconfig}. */
export interface KubeconfigOptions {
  /** The name of the cluster, user and context (default `eddy`). */
  name?: string;
  /** Embed the CA as `certificate-authority-data` instead of referencing `caFile`. */
  embedCa?: boolean;
}

/**
 * Renders a kubeconfig with one cluster, user and context.
 * @param conn - the server, token and CA file.
 * @param opts - names and whether to embed the CA.
 * @returns the YAML text.
 */
export function renderKubeconfig(conn: KubeConnection, opts: KubeconfigOptions = {}): string {
  const name = opts.name ?? 'eddy';
  const cluster: Record<string, string> = { server: conn.server };
  if (opts.embedCa) cluster['certificate-authority-data'] = readFileSync(conn.caFile).toString('base64');
  else cluster['certificate-authority'] = conn.caFile;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster }],
    users: [{ name, user: { token: conn.token } }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}

/**
 * Writes a kubeconfig file (mode 0600).
 * @param path - where.
 * @param conn - the server, token and CA file.
 * @param opts - see {@link renderKubeconfig}.
 */
export function writeKubeconfig(path: string, conn: KubeConnection, opts: KubeconfigOptions = {}): void {
  writeFileSync(path, renderKubeconfig(conn, opts), { mode: 0o600 });
}

interface RawKubeconfig {
  'current-context'?: string;
  contexts?: { name: string; context: { cluster: string; user: string } }[];
  clusters?: {
    name: string;
    cluster: { server: string; 'certificate-authority'?: string; 'certificate-authority-data'?: string };
  }[];
  users?: { name: string; user: { token?: string; tokenFile?: string } }[];
}

type RawCluster = NonNullable<RawKubeconfig['clusters']>[number]['cluster'];

/** The CA file of a cluster entry; embedded data is written to a temporary file. */
function caFileOf(cluster: RawCluster, kubeconfigPath: string): string | undefined {
  const file = cluster['certificate-authority'];
  if (file) return isAbsolute(file) ? file : resolve(dirname(kubeconfigPath), file);
  const data = cluster['certificate-authority-data'];
  if (!data) return undefined;
  const tmp = join(mkdtempSync(join(tmpdir(), 'eddy-ca-')), 'ca.crt');
  writeFileSync(tmp, Buffer.from(data, 'base64'));
  return tmp;
}

function currentContext(raw: RawKubeconfig): { cluster: string; user: string } | undefined {
  const name = raw['current-context'] ?? raw.contexts?.[0]?.name;
  return raw.contexts?.find((c) => c.name === name)?.context;
}

function tokenOf(user: { token?: string; tokenFile?: string } | undefined): string | undefined {
  if (user?.token) return user.token;
  return user?.tokenFile ? readFileSync(user.tokenFile, 'utf8').trim() : undefined;
}

/**
 * Reads the current context of a token-based kubeconfig (as written by {@link writeKubeconfig}).
 * Embedded CA data is written to a temporary file so callers always get a `caFile`.
 * @param path - the kubeconfig file.
 * @throws {@link TestEnvError} when the file lacks a server, a token or a CA.
 */
export function readKubeconfig(path: string): KubeConnection & { kubeconfigPath: string } {
  const raw = parse(readFileSync(path, 'utf8')) as RawKubeconfig;
  const bad = (what: string): TestEnvError =>
    new TestEnvError(`kubeconfig ${path}: ${what} (expected a kubeconfig written by @eddy/testenv with a token)`);
  const ctx = currentContext(raw);
  if (!ctx) throw bad(`no context ${raw['current-context'] ?? ''}`);
  const cluster = raw.clusters?.find((c) => c.name === ctx.cluster)?.cluster;
  if (!cluster?.server) throw bad(`no server for cluster ${ctx.cluster}`);
  const token = tokenOf(raw.users?.find((u) => u.name === ctx.user)?.user);
  if (!token) throw bad(`no token for user ${ctx.user}`);
  const caFile = caFileOf(cluster, path);
  if (!caFile) throw bad(`no certificate-authority for cluster ${ctx.cluster}`);
  return { kubeconfigPath: path, server: cluster.server, token, caFile };
}
