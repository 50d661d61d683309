// SPDX-License-Identifier: Apache-2.0
/**
 * Git authentication from a Secret's data, with Flux's GitRepository keys
 * (fluxcd/pkg `git/options.go#NewAuthOptions`):
 * - HTTP(S): `username` + `password` (basic) or `bearerToken`; `ca.crt` (or legacy `caFile`);
 *   `tls.crt` + `tls.key` for mutual TLS. Credentials in the URL's userinfo are used when the
 *   Secret has none.
 * - SSH: `identity` (private key), `known_hosts` (required), `password` (key passphrase);
 *   the user is the URL's, defaulting to `git`.
 */
import { GitError } from './errors.ts';

/** Secret data as read from the apiserver (base64-decoded) or as strings. */
export type SecretData = Readonly<Record<string, Uint8Array | string | undefined>>;

/** The transport a URL selects. */
export type GitTransport = 'http' | 'https' | 'ssh' | 'file';

/** Resolved authentication for one remote. */
export interface GitAuth {
  transport: GitTransport;
  /** `host[:port]` of the remote. */
  host: string;
  username?: string;
  password?: string;
  bearerToken?: string;
  /** PEM CA bundle to trust for HTTPS. */
  caCert?: string;
  /** PEM client certificate and key for mutual TLS. */
  clientCert?: string;
  clientKey?: string;
  /** SSH private key (OpenSSH or PEM). */
  identity?: string;
  /** SSH known_hosts content. */
  knownHosts?: string;
}

/** Decodes one Secret value to a string. */
export function secretString(data: SecretData | undefined, key: string): string | undefined {
  const v = data?.[key];
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : Buffer.from(v).toString('utf8');
}

/** The transport selected by a git URL; throws InvalidOptions for unsupported schemes. */
export function transportOf(url: URL): GitTransport {
  switch (url.protocol) {
    case 'http:':
      return 'http';
    case 'https:':
      return 'https';
    case 'ssh:':
      return 'ssh';
    case 'file:':
      return 'file';
    default:
      throw new GitError('InvalidOptions', `unsupported URL scheme '${url.protocol.replace(/:$/, '')}'`);
  }
}

/** Parses a git remote URL, refusing forms git would treat as options or scp-like paths. */
export function parseGitUrl(raw: string): URL {
  if (raw.startsWith('-')) throw new GitError('InvalidOptions', `invalid URL '${raw}'`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new GitError('InvalidOptions', `failed to parse URL '${raw}': scp-like and relative URLs are not supported`);
  }
  transportOf(url);
  if (url.protocol !== 'file:' && url.hostname === '') throw new GitError('InvalidOptions', `URL '${raw}' has no host`);
  return url;
}

/**
 * Builds {@link GitAuth} for `rawUrl` from a Secret's data (which may be absent), validating
 * it as Flux does: basic auth needs a username, SSH needs `identity` and `known_hosts`.
 */
export function authFromSecret(rawUrl: string, data?: SecretData): GitAuth {
  const url = parseGitUrl(rawUrl);
  const transport = transportOf(url);
  const auth: GitAuth = { transport, host: url.host };
  const has = data !== undefined && Object.keys(data).length > 0;
  if (has) {
    const ca = secretString(data, 'ca.crt') || secretString(data, 'caFile');
    if (transport === 'ssh') {
      auth.identity = secretString(data, 'identity');
      auth.knownHosts = secretString(data, 'known_hosts');
      auth.password = secretString(data, 'password');
      auth.username = decodeURIComponent(url.username) || 'git';
    } else if (data?.bearerToken !== undefined) {
      auth.bearerToken = secretString(data, 'bearerToken');
      if (ca) auth.caCert = ca;
    } else {
      auth.username = secretString(data, 'username');
      auth.password = secretString(data, 'password');
      if (ca) auth.caCert = ca;
    }
    if (transport !== 'ssh') {
      const cert = secretString(data, 'tls.crt');
      const key = secretString(data, 'tls.key');
      if (cert || key) {
        if (!cert || !key) throw new GitError('InvalidOptions', "invalid TLS auth: 'tls.crt' and 'tls.key' must both be set");
        auth.clientCert = cert;
        auth.clientKey = key;
      }
    }
  } else if (transport === 'ssh') {
    auth.username = decodeURIComponent(url.username) || 'git';
  }
  if (transport !== 'ssh') {
    if (!auth.username && url.username) auth.username = decodeURIComponent(url.username);
    if (!auth.password && url.password) auth.password = decodeURIComponent(url.password);
  }
  validateAuth(auth, has);
  return auth;
}

/** Checks that `auth` can work for its transport (fluxcd/pkg `AuthOptions.Validate`). */
export function validateAuth(auth: GitAuth, fromSecret = true): void {
  switch (auth.transport) {
    case 'http':
    case 'https':
    case 'file':
      if (!auth.username && auth.password) {
        throw new GitError('InvalidOptions', `invalid '${auth.transport}' auth option: 'password' requires 'username' to be set`);
      }
      if (auth.bearerToken && (auth.username || auth.password)) {
        throw new GitError('InvalidOptions', 'basic auth and bearer token cannot be set at the same time');
      }
      return;
    case 'ssh':
      if (!fromSecret) return;
      if (!auth.identity) throw new GitError('InvalidOptions', "invalid 'ssh' auth option: 'identity' is required");
      if (!auth.knownHosts) throw new GitError('InvalidOptions', "invalid 'ssh' auth option: 'known_hosts' is required");
      if (!auth.password && isEncryptedPrivateKey(auth.identity)) {
        throw new GitError('InvalidOptions', "SSH identity key is encrypted but no 'password' field was provided");
      }
      return;
  }
}

/** The values in `auth` that must never appear in logs or error messages. */
export function authSecrets(auth: GitAuth | undefined): string[] {
  if (!auth) return [];
  return [auth.password, auth.bearerToken, auth.identity, auth.clientKey].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
}

/**
 * True when a private key needs a passphrase: PEM `Proc-Type: 4,ENCRYPTED`, PKCS#8
 * `ENCRYPTED PRIVATE KEY`, or an `openssh-key-v1` blob whose cipher is not `none`.
 */
export function isEncryptedPrivateKey(pem: string): boolean {
  if (/Proc-Type:\s*4,ENCRYPTED/.test(pem) || /BEGIN ENCRYPTED PRIVATE KEY/.test(pem)) return true;
  const m = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(pem);
  if (!m?.[1]) return false;
  const blob = Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
  const magic = 'openssh-key-v1\0';
  if (blob.subarray(0, magic.length).toString('latin1') !== magic) return false;
  const len = blob.readUInt32BE(magic.length);
  const cipher = blob.subarray(magic.length + 4, magic.length + 4 + len).toString('latin1');
  return cipher !== 'none';
}
