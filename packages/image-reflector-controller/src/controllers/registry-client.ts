// SPDX-License-Identifier: Apache-2.0
/**
 * The registry side of the reflector on `@eddy/runtime/oci`: list tags (with `Link` paging) for
 * scans and resolve a tag's manifest digest (HEAD) for digest reflection.
 *
 * One transport is kept per TLS configuration, so connections are reused across scans instead of
 * piling up; a fresh {@link OciClient} per operation carries the credentials, the scan timeout and
 * the caller's abort signal.
 *
 * Plain HTTP is used with `insecure`; for loopback and `.local` registries HTTPS is tried first
 * and HTTP only when the TLS connection itself fails, as go-containerregistry does.
 */
import { createHash } from 'node:crypto';
import type { EgressPolicy, FetchLike, RegistryCredentials } from '@eddy/runtime/oci';
import { OciClient, OciError, createFetch } from '@eddy/runtime/oci';
import { defaultsToHttp } from '../scan/image-ref.ts';
import type { ListTagsOptions, TagLister } from '../scan/scan.ts';

/** Options of {@link RegistryClient}. */
export interface RegistryClientOptions {
  /** Egress guard of the transport; `null` turns it off. @default the runtime's default (no link-local) */
  egress?: EgressPolicy | null;
  /** Default time limit of one operation when the caller gives none. @default 60000 */
  timeoutMs?: number;
  /** At most this many transports (TLS configurations) are kept. @default 64 */
  maxTransports?: number;
}

/** What one registry operation needs besides the reference. */
export interface RegistryCallOptions extends ListTagsOptions {
  /** Time limit of the operation. */
  timeoutMs?: number;
}

function credentialsOf(auth: ListTagsOptions['auth']): RegistryCredentials | undefined {
  if (!auth) return undefined;
  return {
    ...(auth.username !== undefined ? { username: auth.username } : {}),
    ...(auth.password !== undefined ? { password: auth.password } : {}),
    ...(auth.token !== undefined ? { registryToken: auth.token } : {}),
  };
}

function hostOf(reference: string): string {
  const first = reference.split('/')[0] ?? '';
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first : 'index.docker.io';
}

/** A transport-level failure (no HTTP answer), the only kind that falls back to plain HTTP. */
function isConnectionFailure(err: unknown): boolean {
  return OciError.is(err, 'RequestFailed') && err.status === undefined;
}

/** Lists tags and resolves digests; implements the scan's {@link TagLister}. */
export class RegistryClient implements TagLister {
  private readonly transports = new Map<string, FetchLike>();

  constructor(private readonly opts: RegistryClientOptions = {}) {}

  private transport(tls: ListTagsOptions['tls']): FetchLike {
    const key = createHash('sha256')
      .update(JSON.stringify([tls?.ca ?? '', tls?.cert ?? '', tls?.key ?? '']))
      .digest('hex');
    let f = this.transports.get(key);
    if (f) return f;
    f = createFetch({ ...(tls ? { tls } : {}), ...(this.opts.egress !== undefined ? { egress: this.opts.egress } : {}) });
    if (this.transports.size >= (this.opts.maxTransports ?? 64)) {
      const oldest = this.transports.keys().next().value;
      if (oldest !== undefined) this.transports.delete(oldest);
    }
    this.transports.set(key, f);
    return f;
  }

  private client(opts: RegistryCallOptions, insecure: boolean): OciClient {
    const credentials = credentialsOf(opts.auth);
    return new OciClient({
      fetch: this.transport(opts.tls),
      insecure,
      timeoutMs: opts.timeoutMs ?? this.opts.timeoutMs ?? 60_000,
      ...(credentials ? { credentials } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  }

  private async withScheme<T>(reference: string, opts: RegistryCallOptions, fn: (c: OciClient) => Promise<T>): Promise<T> {
    if (opts.insecure) return fn(this.client(opts, true));
    try {
      return await fn(this.client(opts, false));
    } catch (err) {
      if (!defaultsToHttp(hostOf(reference)) || !isConnectionFailure(err)) throw err;
      return fn(this.client(opts, true));
    }
  }

  /** Every tag of `repository` (`registry/path`), following pagination. Throws {@link OciError}. */
  listTags(repository: string, opts: RegistryCallOptions): Promise<string[]> {
    return this.withScheme(repository, opts, (c) => c.listTags(repository));
  }

  /** The manifest digest of `reference` (`registry/path:tag`) by HEAD. Throws {@link OciError}. */
  async headDigest(reference: string, opts: RegistryCallOptions): Promise<string> {
    const desc = await this.withScheme(reference, opts, (c) => c.headManifest(reference));
    return desc.digest;
  }
}
