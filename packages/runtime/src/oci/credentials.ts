// SPDX-License-Identifier: Apache-2.0
/**
 * Registry credentials from a docker config (`.dockerconfigjson` of a
 * `kubernetes.io/dockerconfigjson` Secret, or legacy `.dockercfg`), and the token flow of the
 * distribution spec: `WWW-Authenticate: Bearer realm=…,service=…,scope=…` → token endpoint
 * (with basic credentials when known) → `Authorization: Bearer`, falling back to Basic.
 */
import { DOCKER_HUB } from './reference.ts';

/** Credentials for one registry. */
export interface RegistryCredentials {
  username?: string;
  password?: string;
  /** A refresh token (`identitytoken`), exchanged with `grant_type=refresh_token`. */
  identityToken?: string;
  /** A bearer token used as is (`registrytoken`). */
  registryToken?: string;
}

interface DockerAuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}

function normalizeHost(key: string): string {
  let h = key.trim().replace(/^https?:\/\//, '');
  h = h.split('/')[0] ?? h;
  if (h === 'index.docker.io' || h === 'registry-1.docker.io') return DOCKER_HUB;
  return h;
}

/**
 * Finds credentials for `registry` in a docker config JSON (either `{auths:{…}}` or the legacy
 * top-level map). Returns undefined when none match. Throws on invalid JSON.
 */
export function credentialsFromDockerConfig(json: string | Uint8Array, registry: string): RegistryCredentials | undefined {
  const text = typeof json === 'string' ? json : Buffer.from(json).toString('utf8');
  const parsed = JSON.parse(text) as Record<string, unknown>;
  const auths = (typeof parsed.auths === 'object' && parsed.auths !== null ? parsed.auths : parsed) as Record<string, DockerAuthEntry>;
  const want = normalizeHost(registry);
  for (const [key, entry] of Object.entries(auths)) {
    if (normalizeHost(key) !== want || typeof entry !== 'object' || entry === null) continue;
    const creds: RegistryCredentials = {};
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i < 0) throw new Error(`invalid auth entry for '${key}': expected base64 'username:password'`);
      creds.username = decoded.slice(0, i);
      creds.password = decoded.slice(i + 1);
    }
    if (entry.username) creds.username = entry.username;
    if (entry.password) creds.password = entry.password;
    if (entry.identitytoken) creds.identityToken = entry.identitytoken;
    if (entry.registrytoken) creds.registryToken = entry.registrytoken;
    return creds;
  }
  return undefined;
}

/** A parsed `WWW-Authenticate` challenge. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses a `WWW-Authenticate` header value (first challenge). */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const m = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  for (let p = re.exec(m[2] ?? ''); p; p = re.exec(m[2] ?? '')) {
    params[p[1]!.toLowerCase()] = (p[2] ?? p[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return { scheme: m[1]!.toLowerCase(), params };
}

/** `Authorization: Basic …` for username/password credentials, or undefined. */
export function basicAuthorization(creds: RegistryCredentials | undefined): string | undefined {
  if (!creds?.username && !creds?.password) return undefined;
  return `Basic ${Buffer.from(`${creds.username ?? ''}:${creds.password ?? ''}`).toString('base64')}`;
}

/** A token with its expiry (epoch ms). */
export interface CachedToken {
  token: string;
  expiresAt: number;
}

/** The token endpoint response (distribution token spec). */
interface TokenResponse {
  token?: string;
  access_token?: string;
  expires_in?: number;
}

/**
 * Requests a bearer token for `challenge` (realm/service/scope). Uses a refresh token when the
 * credentials have one (OAuth2 POST), else GET with basic auth (or anonymous).
 */
export async function fetchToken(
  fetchFn: (url: string, init?: RequestInit) => Promise<Response>,
  challenge: Challenge,
  creds: RegistryCredentials | undefined,
  scopes: string[],
  now: number,
  signal?: AbortSignal,
): Promise<CachedToken> {
  if (creds?.registryToken) return { token: creds.registryToken, expiresAt: now + 60_000 };
  const realm = challenge.params.realm;
  if (!realm) throw new Error('bearer challenge without realm');
  const url = new URL(realm);
  const service = challenge.params.service;
  let res: Response;
  if (creds?.identityToken) {
    const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, client_id: 'eddy' });
    if (service) body.set('service', service);
    if (scopes.length > 0) body.set('scope', scopes.join(' '));
    res = await fetchFn(url.toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
      ...(signal ? { signal } : {}),
    });
  } else {
    if (service) url.searchParams.set('service', service);
    for (const s of scopes) url.searchParams.append('scope', s);
    const headers: Record<string, string> = {};
    const basic = basicAuthorization(creds);
    if (basic) headers.authorization = basic;
    res = await fetchFn(url.toString(), { headers, ...(signal ? { signal } : {}) });
  }
  if (res.status === 401 || res.status === 403) {
    await res.body?.cancel();
    throw Object.assign(new Error(`token request to ${url.host} was refused: ${res.status}`), { status: res.status });
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`token request to ${url.host} failed: ${res.status}`);
  }
  const data = (await res.json()) as TokenResponse;
  const token = data.token ?? data.access_token;
  if (!token) throw new Error(`token response from ${url.host} has no token`);
  return { token, expiresAt: now + Math.max(60, data.expires_in ?? 60) * 1000 - 5_000 };
}

