// SPDX-License-Identifier: Apache-2.0
/**
 * Registry access options of an ImageRepository (Flux `registry.AuthOptionsGetter`): credentials
 * from `spec.secretRef` (a docker config Secret) or from the image pull secrets of
 * `spec.serviceAccountName`, TLS material from `spec.certSecretRef` (`tls.crt`, `tls.key`,
 * `ca.crt`), and the scan timeout. Both reconcilers use it: the ImageRepository to list tags,
 * the ImagePolicy to resolve digests.
 *
 * Not supported (the object stalls with a clear message rather than silently scanning without):
 * cloud `provider`s other than `generic`, and `spec.proxySecretRef` (the runtime OCI client has no
 * proxy option yet).
 */
import type { ImageRepository } from '@eddy/api/image/v1';
import type { KubeClient } from '@eddy/runtime/client';
import { credentialsFromDockerConfig } from '@eddy/runtime/oci';
import type { ListTagsOptions } from '../scan/scan.ts';

/** Credentials or TLS material could not be read: Ready=False, `AuthenticationFailed`, retried. */
export class RegistryAuthError extends Error {
  override readonly name = 'RegistryAuthError';
}

/** The spec asks for something Eddy cannot do; retrying will not help (stalls). */
export class UnsupportedRegistryConfigError extends Error {
  override readonly name = 'UnsupportedRegistryConfigError';
}

interface SecretObject {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string };
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

interface ServiceAccountObject {
  apiVersion: string;
  kind: string;
  metadata: { name?: string };
  imagePullSecrets?: { name: string }[];
}

/** Reads a Secret's data (base64 decoded) or returns undefined when it does not exist. */
export async function readSecret(client: KubeClient, namespace: string, name: string): Promise<{ type: string; data: Record<string, Buffer> } | undefined> {
  const s = await client.get<SecretObject & { [k: string]: unknown }>({ apiVersion: 'v1', kind: 'Secret', namespace, name });
  if (!s) return undefined;
  const data: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(s.data ?? {})) data[k] = Buffer.from(v, 'base64');
  for (const [k, v] of Object.entries(s.stringData ?? {})) data[k] = Buffer.from(v, 'utf8');
  return { type: s.type ?? 'Opaque', data };
}

/** Flux's timeout of one scan: `spec.timeout`, else the interval minus 30s, never below 30s. */
export function scanTimeoutMs(timeoutMs: number | undefined, intervalMs: number): number {
  const d = timeoutMs ?? intervalMs - 30_000;
  return Math.max(d, 30_000);
}

async function credentialsFromSecret(client: KubeClient, namespace: string, name: string, registry: string): Promise<ListTagsOptions['auth']> {
  const secret = await readSecret(client, namespace, name);
  if (!secret) throw new RegistryAuthError(`secrets "${name}" not found`);
  const config = secret.data['.dockerconfigjson'] ?? secret.data['.dockercfg'];
  if (!config) throw new RegistryAuthError(`secret '${namespace}/${name}' of type '${secret.type}' has no '.dockerconfigjson' key`);
  let creds;
  try {
    creds = credentialsFromDockerConfig(config, registry);
  } catch (err) {
    throw new RegistryAuthError(`invalid docker config in secret '${namespace}/${name}': ${(err as Error).message}`);
  }
  if (!creds) return undefined;
  return {
    ...(creds.username !== undefined ? { username: creds.username } : {}),
    ...(creds.password !== undefined ? { password: creds.password } : {}),
    ...(creds.registryToken !== undefined ? { token: creds.registryToken } : {}),
  };
}

async function credentialsFor(client: KubeClient, repo: ImageRepository, registry: string): Promise<ListTagsOptions['auth']> {
  const ns = repo.metadata.namespace ?? '';
  const ref = repo.spec.secretRef;
  if (ref) {
    const auth = await credentialsFromSecret(client, ns, ref.name, registry);
    if (!auth) throw new RegistryAuthError(`auth for "${registry}" not found in secret ${ns}/${ref.name}`);
    return auth;
  }
  const saName = repo.spec.serviceAccountName;
  if (!saName) return undefined;
  const sa = await client.get<ServiceAccountObject & { [k: string]: unknown }>({ apiVersion: 'v1', kind: 'ServiceAccount', namespace: ns, name: saName });
  if (!sa) throw new RegistryAuthError(`serviceaccounts "${saName}" not found`);
  for (const pull of sa.imagePullSecrets ?? []) {
    const auth = await credentialsFromSecret(client, ns, pull.name, registry);
    if (auth) return auth;
  }
  return undefined;
}

async function tlsFor(client: KubeClient, repo: ImageRepository): Promise<ListTagsOptions['tls']> {
  const ref = repo.spec.certSecretRef;
  if (!ref) return undefined;
  const ns = repo.metadata.namespace ?? '';
  const secret = await readSecret(client, ns, ref.name);
  if (!secret) throw new RegistryAuthError(`secrets "${ref.name}" not found`);
  const pick = (...keys: string[]): string | undefined => {
    for (const k of keys) if (secret.data[k]) return secret.data[k]!.toString('utf8');
    return undefined;
  };
  const cert = pick('tls.crt', 'certFile');
  const key = pick('tls.key', 'keyFile');
  const ca = pick('ca.crt', 'caFile');
  if ((cert === undefined) !== (key === undefined)) {
    throw new RegistryAuthError(`secret '${ns}/${ref.name}' must contain both 'tls.crt' and 'tls.key', or neither`);
  }
  if (!cert && !ca) throw new RegistryAuthError(`secret '${ns}/${ref.name}' contains none of 'tls.crt', 'tls.key' or 'ca.crt'`);
  return { ...(ca ? { ca } : {}), ...(cert ? { cert, key: key! } : {}) };
}

/**
 * Builds the registry options of `repo` for `registry` (the host of its image).
 * @throws UnsupportedRegistryConfigError for a cloud provider or a proxy.
 * @throws RegistryAuthError when a Secret or ServiceAccount is missing or malformed.
 */
export async function registryOptionsFor(client: KubeClient, repo: ImageRepository, registry: string): Promise<Omit<ListTagsOptions, 'insecure' | 'signal'>> {
  const provider = repo.spec.provider ?? 'generic';
  if (provider !== 'generic') {
    throw new UnsupportedRegistryConfigError(`provider '${provider}' is not supported: use spec.secretRef with a docker config Secret`);
  }
  if (repo.spec.proxySecretRef) {
    throw new UnsupportedRegistryConfigError('spec.proxySecretRef is not supported yet: the registry client has no proxy option');
  }
  const auth = await credentialsFor(client, repo, registry);
  const tls = await tlsFor(client, repo);
  return { ...(auth ? { auth } : {}), ...(tls ? { tls } : {}) };
}
