// SPDX-License-Identifier: Apache-2.0
/**
 * Credentials and TLS material from Secrets, with Flux's key names (fluxcd/pkg `runtime/secrets`):
 * `username`/`password` for basic auth; `tls.crt`, `tls.key`, `ca.crt` for TLS (the deprecated
 * `certFile`, `keyFile`, `caFile` keys of a HelmRepository `secretRef` still work).
 */
import type { KubeClient } from '@eddy/runtime/client';
import type { TlsOptions } from '@eddy/runtime/oci';
import { readSecretData } from '../controllers/gitrepository-helpers.ts';

/** Decoded Secret data. */
export type SecretData = Record<string, Uint8Array>;

/** A Secret problem; the message names the Secret and the key. */
export class SecretError extends Error {
  override readonly name = 'SecretError';
}

/** The UTF-8 text of a key, or undefined. */
export function secretText(data: SecretData | undefined, key: string): string | undefined {
  const v = data?.[key];
  return v === undefined ? undefined : Buffer.from(v).toString('utf8');
}

/** Reads a Secret or throws `failed to get secret '<ns>/<name>': secrets "<name>" not found`. */
export async function requireSecret(client: KubeClient, namespace: string, name: string, what = 'secret'): Promise<SecretData> {
  const data = await readSecretData(client, namespace, name);
  if (!data) throw new SecretError(`failed to get ${what} '${namespace}/${name}': secrets "${name}" not found`);
  return data;
}

/** Basic credentials from `username` and `password`; undefined when neither is set. */
export function basicAuthFrom(data: SecretData, ref: string): { username: string; password: string } | undefined {
  const username = secretText(data, 'username');
  const password = secretText(data, 'password');
  if (username === undefined && password === undefined) return undefined;
  if (!username || password === undefined) {
    throw new SecretError(`invalid '${ref}' secret data: required fields 'username' and 'password'`);
  }
  return { username, password };
}

/**
 * TLS options from `tls.crt`/`tls.key`/`ca.crt` (or, with `legacy`, `certFile`/`keyFile`/`caFile`);
 * undefined when the Secret holds none of them.
 */
export function tlsFrom(data: SecretData, ref: string, legacy = false): TlsOptions | undefined {
  const pick = (key: string, old: string): string | undefined => secretText(data, key) ?? (legacy ? secretText(data, old) : undefined);
  const cert = pick('tls.crt', 'certFile');
  const key = pick('tls.key', 'keyFile');
  const ca = pick('ca.crt', 'caFile');
  if (cert === undefined && key === undefined && ca === undefined) return undefined;
  if ((cert === undefined) !== (key === undefined)) {
    throw new SecretError(`secret '${ref}' must contain both 'tls.crt' and 'tls.key' for a client certificate`);
  }
  return { ...(cert !== undefined ? { cert } : {}), ...(key !== undefined ? { key } : {}), ...(ca !== undefined ? { ca } : {}) };
}

/** Whether the Secret holds any (deprecated) TLS key. */
export function hasLegacyTls(data: SecretData): boolean {
  return ['certFile', 'keyFile', 'caFile'].some((k) => data[k] !== undefined);
}
