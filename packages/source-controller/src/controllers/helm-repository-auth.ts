// SPDX-License-Identifier: Apache-2.0
/**
 * Client options of a HelmRepository (Flux's `getter.GetClientOpts`): basic auth from `secretRef`,
 * TLS from `certSecretRef` (or, deprecated, from TLS keys in `secretRef`), `passCredentials`, the
 * timeout; plus Helm's URL rules (`repository.NormalizeURL`, `repo.ResolveReferenceURL`) and whether
 * credentials may go to a chart URL (same host as the repository, or `passCredentials`).
 */
import type { HelmRepository } from '@eddy/api/source/v1';
import type { KubeClient } from '@eddy/runtime/client';
import type { TlsOptions } from '@eddy/runtime/oci';
import type { HttpOptions } from '../fetch/http.ts';
import { basicAuthFrom, hasLegacyTls, requireSecret, tlsFrom } from '../fetch/secrets.ts';
import type { SecretData } from '../fetch/secrets.ts';
import { durationOr } from './source-reconciler-base.ts';

/** The resolved client settings of a HelmRepository. */
export interface HelmClientOptions {
  basicAuth?: { username: string; password: string };
  tls?: TlsOptions;
  passCredentials: boolean;
  timeoutMs: number;
  /** The raw `secretRef` data (OCI repositories read docker config from it). */
  secret?: SecretData;
  /** TLS came from deprecated keys of `secretRef`. */
  deprecatedTls: boolean;
}

/**
 * Reads the Secrets of `repo`; throws with an actionable message when one is missing or malformed
 * (the caller reports AuthenticationFailed).
 */
export async function helmClientOptions(client: KubeClient, repo: HelmRepository): Promise<HelmClientOptions> {
  const ns = repo.metadata.namespace!;
  const out: HelmClientOptions = {
    passCredentials: Boolean(repo.spec.passCredentials),
    timeoutMs: durationOr(repo.spec.timeout, 60_000),
    deprecatedTls: false,
  };
  if (repo.spec.certSecretRef?.name) {
    const name = repo.spec.certSecretRef.name;
    const data = await requireSecret(client, ns, name, 'TLS secret');
    const tls = tlsFrom(data, `${ns}/${name}`);
    if (tls) out.tls = tls;
  }
  if (repo.spec.secretRef?.name) {
    const name = repo.spec.secretRef.name;
    const data = await requireSecret(client, ns, name, 'authentication secret');
    out.secret = data;
    const auth = basicAuthFrom(data, `${ns}/${name}`);
    if (auth) out.basicAuth = auth;
    if (!out.tls && hasLegacyTls(data)) {
      const tls = tlsFrom(data, `${ns}/${name}`, true);
      if (tls) {
        out.tls = tls;
        out.deprecatedTls = true;
      }
    }
  }
  return out;
}

/** Flux's `repository.NormalizeURL`: http(s) URLs get exactly one trailing slash; oci URLs none. */
export function normalizeRepositoryURL(raw: string): string {
  const u = new URL(raw);
  if (u.protocol === 'oci:') return raw.replace(/\/+$/, '');
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError(`unsupported scheme '${u.protocol.replace(/:$/, '')}'`);
  if (!u.hostname) throw new TypeError('missing host');
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/`;
  return u.toString();
}

/** The `index.yaml` URL of a repository URL. */
export function indexURL(repoURL: string): string {
  const u = new URL(normalizeRepositoryURL(repoURL));
  u.pathname = `${u.pathname}index.yaml`;
  return u.toString();
}

/** Helm's `repo.ResolveReferenceURL`: a chart URL from the index, relative to the repository URL. */
export function resolveReferenceURL(baseURL: string, ref: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(ref)) return ref;
  const base = new URL(baseURL);
  const query = base.search;
  base.pathname = `${base.pathname.replace(/\/+$/, '')}/`;
  const resolved = new URL(ref, base);
  resolved.search = query;
  return resolved.toString();
}

/** HTTP options for a URL: credentials only on the repository's host unless `passCredentials`. */
export function httpOptionsFor(url: string, repoURL: string, o: HelmClientOptions, signal?: AbortSignal): HttpOptions {
  const sameHost = new URL(url).host === new URL(repoURL).host;
  return {
    timeoutMs: o.timeoutMs,
    ...(o.tls ? { tls: o.tls } : {}),
    ...(o.basicAuth && (sameHost || o.passCredentials) ? { basicAuth: o.basicAuth } : {}),
    ...(signal ? { signal } : {}),
  };
}
