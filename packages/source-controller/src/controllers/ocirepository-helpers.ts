// SPDX-License-Identifier: Apache-2.0
/**
 * Helpers of the OCIRepository reconciler: URL validation (`oci://<registry>/<repository>`, no tag)
 * and the registry client settings — docker-config credentials from `secretRef` and from the image
 * pull secrets of `serviceAccountName` (Flux's k8schain keychain), TLS from `certSecretRef`, plain
 * HTTP with `insecure`. Unsupported settings (cloud providers, proxies) stall with a clear message.
 */
import type { OCIRepository } from '@eddy/api/source/v1';
import { SourceReason } from '@eddy/api/source/v1';
import type { KubeClient, KubeObject } from '@eddy/runtime/client';
import type { OciClientOptions, OciReference, RegistryCredentials } from '@eddy/runtime/oci';
import { credentialsFromDockerConfig, parseReference } from '@eddy/runtime/oci';
import { readSecretData } from './gitrepository-helpers.ts';
import { SecretError, secretText, tlsFrom } from '../fetch/secrets.ts';

/** A configuration problem, with the condition reason and whether it needs a spec change. */
export class OciConfigError extends Error {
  override readonly name = 'OciConfigError';
  constructor(
    message: string,
    readonly reason: string,
    readonly stalling = false,
  ) {
    super(message);
  }
}

/** Flux's `parseRepository`: `oci://` prefix, a valid repository, and no tag or digest in the URL. */
export function parseRepositoryURL(url: string, _insecure: boolean): OciReference {
  if (!url.startsWith('oci://')) throw new Error("URL must be in format 'oci://<domain>/<org>/<repo>'");
  const rest = url.slice('oci://'.length);
  const lastSlash = rest.lastIndexOf('/');
  const tail = rest.slice(lastSlash + 1);
  if (lastSlash > 0 && tail.includes(':')) throw new Error(`URL must not contain a tag; remove ':${tail.slice(tail.indexOf(':') + 1)}'`);
  if (rest.includes('@')) throw new Error('URL must not contain a digest');
  const ref = parseReference(rest);
  if (ref.tag || ref.digest) throw new Error('URL must not contain a tag');
  return ref;
}

/**
 * go-containerregistry's `Registry.Scheme()`: plain HTTP for `insecure`, `localhost`, loopback and
 * RFC 1918 addresses (Flux inherits it), HTTPS otherwise.
 */
export function usesPlainHttp(registry: string, insecure: boolean): boolean {
  if (insecure) return true;
  const host = registry.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host === '::1' || /^127\./.test(host)) return true;
  const m = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(host);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

function dockerConfigOf(data: Record<string, Uint8Array>): string | undefined {
  return secretText(data, '.dockerconfigjson') ?? secretText(data, '.dockercfg');
}

/** Credentials for `registry` from docker-config Secrets, first match wins. */
function credentialsFrom(secrets: Array<{ name: string; data: Record<string, Uint8Array> }>, registry: string): RegistryCredentials | undefined {
  for (const s of secrets) {
    const cfg = dockerConfigOf(s.data);
    if (!cfg) continue;
    let creds: RegistryCredentials | undefined;
    try {
      creds = credentialsFromDockerConfig(cfg, registry);
    } catch (err) {
      throw new OciConfigError(`failed to get credential: invalid docker config in secret '${s.name}': ${(err as Error).message}`, SourceReason.AuthenticationFailed);
    }
    if (creds) return creds;
  }
  return undefined;
}

/** The OCI client options of an OCIRepository; throws {@link OciConfigError}. */
export async function ociClientOptions(client: KubeClient, obj: OCIRepository, registry: string): Promise<OciClientOptions> {
  const ns = obj.metadata.namespace!;
  if (obj.spec.provider && obj.spec.provider !== 'generic') {
    throw new OciConfigError(`provider '${obj.spec.provider}' is not supported: use a secretRef with registry credentials`, 'InvalidProviderConfiguration', true);
  }
  if (obj.spec.proxySecretRef) {
    throw new OciConfigError('proxySecretRef is not supported yet for OCIRepository', 'InvalidProxyConfiguration', true);
  }
  const secrets: Array<{ name: string; data: Record<string, Uint8Array> }> = [];
  if (obj.spec.secretRef?.name) {
    const name = obj.spec.secretRef.name;
    const data = await readSecretData(client, ns, name);
    if (!data) throw new OciConfigError(`failed to get credential: failed to get secret '${ns}/${name}': secrets "${name}" not found`, SourceReason.AuthenticationFailed);
    secrets.push({ name: `${ns}/${name}`, data });
  }
  if (obj.spec.serviceAccountName) {
    const sa = await client.get<KubeObject & { imagePullSecrets?: Array<{ name: string }> }>({ apiVersion: 'v1', kind: 'ServiceAccount', namespace: ns, name: obj.spec.serviceAccountName });
    if (!sa) throw new OciConfigError(`failed to get credential: serviceaccounts "${obj.spec.serviceAccountName}" not found`, SourceReason.AuthenticationFailed);
    for (const ref of sa.imagePullSecrets ?? []) {
      const data = await readSecretData(client, ns, ref.name);
      if (data) secrets.push({ name: `${ns}/${ref.name}`, data });
    }
  }
  const opts: OciClientOptions = { insecure: usesPlainHttp(registry, Boolean(obj.spec.insecure)) };
  const creds = credentialsFrom(secrets, registry);
  if (creds) opts.credentials = creds;
  if (obj.spec.certSecretRef?.name) {
    const name = obj.spec.certSecretRef.name;
    const data = await readSecretData(client, ns, name);
    if (!data) throw new OciConfigError(`failed to generate transport for '${obj.spec.url}': secrets "${name}" not found`, SourceReason.AuthenticationFailed);
    try {
      const tls = tlsFrom(data, `${ns}/${name}`);
      if (tls) opts.tls = tls;
    } catch (err) {
      if (err instanceof SecretError) throw new OciConfigError(`failed to generate transport for '${obj.spec.url}': ${err.message}`, SourceReason.AuthenticationFailed);
      throw err;
    }
  }
  return opts;
}
