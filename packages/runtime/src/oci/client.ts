// SPDX-License-Identifier: Apache-2.0
/**
 * A small OCI distribution client: tags (with `Link` paging), manifests (OCI and Docker media
 * types; an index resolves to linux/amd64 or its first entry), blobs streamed with sha256
 * verification and size caps, and pushes of blobs and manifests. Authentication follows the
 * registry's challenge (bearer token flow, or basic). Every failure is an {@link OciError}.
 */
import { createHash } from 'node:crypto';
import type { RegistryCredentials, CachedToken } from './credentials.ts';
import { basicAuthorization, fetchToken, parseChallenge } from './credentials.ts';
import { OciError, kindOfStatus, toOciError } from './errors.ts';
import type { OciReference } from './reference.ts';
import { apiHost, MediaTypes, parseReference, referenceTarget } from './reference.ts';
import type { FetchLike, TransportOptions } from './transport.ts';
import { createFetch } from './transport.ts';

/** A content descriptor. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { os?: string; architecture?: string; variant?: string };
  artifactType?: string;
}

/** An image or artifact manifest (OCI or Docker schema 2). */
export interface Manifest {
  schemaVersion: number;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

/** An image index or Docker manifest list. */
export interface ImageIndex {
  schemaVersion: number;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

/** A fetched manifest. */
export interface FetchedManifest {
  /** Digest of the manifest returned (after resolving an index). */
  digest: string;
  mediaType: string;
  manifest: Manifest;
  raw: Uint8Array;
  /** The index it was selected from, when the reference pointed at one. */
  index?: { digest: string; mediaType: string };
}

/** Options of {@link OciClient}. */
export interface OciClientOptions extends TransportOptions {
  /** Credentials, fixed or per registry. */
  credentials?: RegistryCredentials | ((registry: string) => RegistryCredentials | undefined);
  /** Use plain HTTP (Flux's `insecure`). @default false */
  insecure?: boolean;
  /** Time limit of one operation (a whole blob download included). @default 60000 */
  timeoutMs?: number;
  /** Aborts every operation. */
  signal?: AbortSignal;
  /** A transport to use instead of {@link createFetch}. */
  fetch?: FetchLike;
  /** Source of time for token expiry. @default Date */
  now?: () => number;
  /** Largest manifest accepted. @default 4 MiB */
  maxManifestBytes?: number;
}

const MANIFEST_ACCEPT = [MediaTypes.ociManifest, MediaTypes.ociIndex, MediaTypes.dockerManifest, MediaTypes.dockerManifestList].join(', ');
const INDEX_TYPES = new Set<string>([MediaTypes.ociIndex, MediaTypes.dockerManifestList]);

interface Op {
  signal: AbortSignal;
  timedOut: () => boolean;
}

/** Computes `sha256:<hex>` of bytes. */
export function sha256Digest(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** The OCI client. One instance per set of credentials and TLS settings; tokens are cached. */
export class OciClient {
  private readonly fetchFn: FetchLike;
  private readonly tokens = new Map<string, CachedToken>();
  private readonly now: () => number;

  constructor(private readonly opts: OciClientOptions = {}) {
    this.fetchFn = opts.fetch ?? createFetch(opts);
    this.now = opts.now ?? (() => Date.now());
  }

  private op(): Op {
    const t = AbortSignal.timeout(this.opts.timeoutMs ?? 60_000);
    const signal = this.opts.signal ? AbortSignal.any([this.opts.signal, t]) : t;
    return { signal, timedOut: () => t.aborted };
  }

  private creds(registry: string): RegistryCredentials | undefined {
    const c = this.opts.credentials;
    return typeof c === 'function' ? c(registry) : c;
  }

  private base(ref: OciReference): string {
    return `${this.opts.insecure ? 'http' : 'https'}://${apiHost(ref.registry)}/v2/${ref.repository}`;
  }

  /** Sends one request, answering the registry's auth challenge once. */
  private async request(ref: OciReference, path: string, init: RequestInit, op: Op, push = false): Promise<Response> {
    const url = path.startsWith('http') ? path : `${this.base(ref)}${path}`;
    const scope = `repository:${ref.repository}:${push ? 'pull,push' : 'pull'}`;
    const key = `${ref.registry}|${scope}`;
    const send = (authz?: string): Promise<Response> => {
      const headers = new Headers(init.headers);
      if (authz) headers.set('authorization', authz);
      return this.fetchFn(url, { ...init, headers, signal: op.signal });
    };
    const cached = this.tokens.get(key);
    const creds = this.creds(ref.registry);
    let res = await send(cached && cached.expiresAt > this.now() ? `Bearer ${cached.token}` : undefined);
    if (res.status !== 401) return res;
    const challenge = parseChallenge(res.headers.get('www-authenticate'));
    await res.body?.cancel();
    if (challenge?.scheme === 'bearer') {
      const scopes = challenge.params.scope ? challenge.params.scope.split(' ') : [scope];
      try {
        const tok = await fetchToken(this.fetchFn, challenge, creds, scopes, this.now(), op.signal);
        this.tokens.set(key, tok);
        res = await send(`Bearer ${tok.token}`);
      } catch (err) {
        const status = (err as { status?: number }).status;
        if (status) throw new OciError('Unauthorized', `authentication to ${ref.registry} failed: ${(err as Error).message}`, status);
        throw err;
      }
    } else {
      const basic = basicAuthorization(creds);
      if (!basic) throw new OciError('Unauthorized', `${ref.registry} requires authentication`, 401);
      res = await send(basic);
    }
    return res;
  }

  private async check(res: Response, what: string): Promise<Response> {
    if (res.ok) return res;
    let detail = '';
    try {
      const body = (await res.json()) as { errors?: Array<{ code?: string; message?: string }> };
      detail = (body.errors ?? []).map((e) => `${e.code ?? ''}: ${e.message ?? ''}`).join('; ');
    } catch {
      /* not JSON */
    }
    throw new OciError(kindOfStatus(res.status), `${what}: ${res.status} ${res.statusText}${detail ? ` (${detail})` : ''}`, res.status);
  }

  private async run<T>(what: string, fn: (op: Op) => Promise<T>): Promise<T> {
    const op = this.op();
    try {
      return await fn(op);
    } catch (err) {
      throw toOciError(err, what, op.timedOut());
    }
  }

  private parse(ref: string | OciReference): OciReference {
    if (typeof ref !== 'string') return ref;
    try {
      return parseReference(ref);
    } catch (err) {
      throw new OciError('InvalidReference', (err as Error).message);
    }
  }

  /** Lists all tags of a repository, following `Link: <…>; rel="next"` pages. */
  async listTags(repo: string | OciReference, pageSize = 1000): Promise<string[]> {
    const ref = this.parse(repo);
    return this.run(`listing tags of ${ref.registry}/${ref.repository}`, async (op) => {
      const tags: string[] = [];
      let path = `/tags/list?n=${pageSize}`;
      for (let page = 0; page < 10_000; page++) {
        const res = await this.check(await this.request(ref, path, { headers: { accept: 'application/json' } }, op), 'tags list');
        const body = (await res.json()) as { tags?: string[] | null };
        tags.push(...(body.tags ?? []));
        const next = /<([^>]+)>\s*;\s*rel="?next"?/.exec(res.headers.get('link') ?? '')?.[1];
        if (!next) break;
        const u = new URL(next, `${this.base(ref)}/`);
        path = u.pathname.startsWith(`/v2/${ref.repository}/`) ? `${u.pathname.slice(`/v2/${ref.repository}`.length)}${u.search}` : u.toString();
      }
      return tags;
    });
  }

  /** The descriptor of a manifest (HEAD); for an index, the index itself. */
  async headManifest(reference: string | OciReference): Promise<Descriptor> {
    const ref = this.parse(reference);
    return this.run(`resolving ${referenceTarget(ref)}`, async (op) => {
      const res = await this.check(
        await this.request(ref, `/manifests/${referenceTarget(ref)}`, { method: 'HEAD', headers: { accept: MANIFEST_ACCEPT } }, op),
        `manifest ${referenceTarget(ref)}`,
      );
      const digest = res.headers.get('docker-content-digest');
      if (!digest) {
        const m = await this.getManifestRaw(ref, referenceTarget(ref), op);
        return { mediaType: m.mediaType, digest: m.digest, size: m.raw.byteLength };
      }
      if (ref.digest && digest !== ref.digest) throw new OciError('DigestMismatch', `manifest digest ${digest} does not match ${ref.digest}`);
      return { mediaType: res.headers.get('content-type') ?? '', digest, size: Number(res.headers.get('content-length') ?? 0) };
    });
  }

  private async getManifestRaw(ref: OciReference, target: string, op: Op): Promise<{ digest: string; mediaType: string; raw: Uint8Array; json: unknown }> {
    const res = await this.check(await this.request(ref, `/manifests/${target}`, { headers: { accept: MANIFEST_ACCEPT } }, op), `manifest ${target}`);
    const raw = await readCapped(res, this.opts.maxManifestBytes ?? 4 << 20, `manifest ${target}`);
    const digest = sha256Digest(raw);
    if (target.includes(':') && target !== digest) throw new OciError('DigestMismatch', `manifest digest ${digest} does not match ${target}`);
    let json: { mediaType?: string };
    try {
      json = JSON.parse(Buffer.from(raw).toString('utf8')) as { mediaType?: string };
    } catch {
      throw new OciError('RequestFailed', `manifest ${target} is not valid JSON`);
    }
    const mediaType = json.mediaType ?? (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    return { digest, mediaType, raw, json };
  }

  /**
   * Fetches a manifest. An index resolves to the entry for `platform` (default linux/amd64),
   * else its first entry.
   */
  async getManifest(reference: string | OciReference, platform = { os: 'linux', architecture: 'amd64' }): Promise<FetchedManifest> {
    const ref = this.parse(reference);
    return this.run(`fetching manifest ${referenceTarget(ref)}`, async (op) => {
      let m = await this.getManifestRaw(ref, referenceTarget(ref), op);
      let index: FetchedManifest['index'];
      if (INDEX_TYPES.has(m.mediaType) || Array.isArray((m.json as ImageIndex).manifests)) {
        const idx = m.json as ImageIndex;
        const pick =
          idx.manifests.find((d) => d.platform?.os === platform.os && d.platform?.architecture === platform.architecture) ?? idx.manifests[0];
        if (!pick) throw new OciError('NotFound', `index ${m.digest} has no manifests`);
        index = { digest: m.digest, mediaType: m.mediaType };
        m = await this.getManifestRaw(ref, pick.digest, op);
      }
      const manifest = m.json as Manifest;
      if (!manifest.config || !Array.isArray(manifest.layers)) throw new OciError('UnsupportedMediaType', `unsupported manifest media type '${m.mediaType}'`);
      return { digest: m.digest, mediaType: m.mediaType, manifest, raw: m.raw, ...(index ? { index } : {}) };
    });
  }

  /**
   * Streams a blob, verifying its sha256 digest and size at the end (the stream errors with
   * DigestMismatch or TooLarge instead of ending). The whole download is bound by the timeout.
   */
  async fetchBlob(repo: string | OciReference, digest: string, maxBytes = Number.MAX_SAFE_INTEGER): Promise<ReadableStream<Uint8Array>> {
    const ref = this.parse(repo);
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new OciError('InvalidReference', `unsupported digest '${digest}'`);
    const op = this.op();
    let res: Response;
    try {
      res = await this.check(await this.request(ref, `/blobs/${digest}`, {}, op), `blob ${digest}`);
    } catch (err) {
      throw toOciError(err, `fetching blob ${digest}`, op.timedOut());
    }
    const declared = Number(res.headers.get('content-length') ?? -1);
    if (declared > maxBytes) {
      await res.body?.cancel();
      throw new OciError('TooLarge', `blob ${digest} is ${declared} bytes, over the limit of ${maxBytes}`);
    }
    if (!res.body) throw new OciError('RequestFailed', `blob ${digest} has no body`);
    return res.body.pipeThrough(verifyingStream(digest, maxBytes, op));
  }

  /** Fetches a blob into memory (bounded by `maxBytes`), verified. */
  async blobBytes(repo: string | OciReference, digest: string, maxBytes = 64 << 20): Promise<Uint8Array> {
    const stream = await this.fetchBlob(repo, digest, maxBytes);
    const chunks: Uint8Array[] = [];
    try {
      for await (const c of stream as unknown as AsyncIterable<Uint8Array>) chunks.push(c);
    } catch (err) {
      throw toOciError(err, `fetching blob ${digest}`, false);
    }
    return Buffer.concat(chunks);
  }

  /** Uploads a blob (monolithic POST + PUT) unless the registry has it; returns its descriptor. */
  async pushBlob(repo: string | OciReference, data: Uint8Array, mediaType = 'application/octet-stream'): Promise<Descriptor> {
    const ref = this.parse(repo);
    const digest = sha256Digest(data);
    return this.run(`pushing blob ${digest}`, async (op) => {
      const head = await this.request(ref, `/blobs/${digest}`, { method: 'HEAD' }, op, true);
      if (head.ok) return { mediaType, digest, size: data.byteLength };
      const start = await this.check(await this.request(ref, '/blobs/uploads/', { method: 'POST' }, op, true), 'blob upload');
      await start.body?.cancel();
      const loc = start.headers.get('location');
      if (!loc) throw new OciError('RequestFailed', 'blob upload: no Location header');
      const u = new URL(loc, `${this.base(ref)}/`);
      u.searchParams.set('digest', digest);
      const put = await this.request(
        ref,
        u.toString(),
        { method: 'PUT', headers: { 'content-type': 'application/octet-stream', 'content-length': String(data.byteLength) }, body: data },
        op,
        true,
      );
      await (await this.check(put, 'blob upload')).body?.cancel();
      return { mediaType, digest, size: data.byteLength };
    });
  }

  /** Uploads a manifest under a tag or digest; returns its digest. */
  async pushManifest(repo: string | OciReference, target: string, manifest: Manifest | ImageIndex | Uint8Array, mediaType?: string): Promise<string> {
    const ref = this.parse(repo);
    const raw = manifest instanceof Uint8Array ? manifest : Buffer.from(JSON.stringify(manifest));
    const type = mediaType ?? (manifest instanceof Uint8Array ? MediaTypes.ociManifest : (manifest.mediaType ?? MediaTypes.ociManifest));
    return this.run(`pushing manifest ${target}`, async (op) => {
      const res = await this.request(ref, `/manifests/${target}`, { method: 'PUT', headers: { 'content-type': type }, body: raw }, op, true);
      await (await this.check(res, `manifest ${target}`)).body?.cancel();
      return sha256Digest(raw);
    });
  }
}

async function readCapped(res: Response, max: number, what: string): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? -1);
  if (declared > max) {
    await res.body?.cancel();
    throw new OciError('TooLarge', `${what} is ${declared} bytes, over the limit of ${max}`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const c of (res.body ?? []) as AsyncIterable<Uint8Array>) {
    total += c.byteLength;
    if (total > max) throw new OciError('TooLarge', `${what} is over the limit of ${max} bytes`);
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

function verifyingStream(digest: string, maxBytes: number, op: Op): TransformStream<Uint8Array, Uint8Array> {
  const hash = createHash('sha256');
  let total = 0;
  return new TransformStream({
    transform(chunk, controller) {
      if (op.signal.aborted) throw new OciError('Timeout', `fetching blob ${digest}: timed out`);
      total += chunk.byteLength;
      if (total > maxBytes) throw new OciError('TooLarge', `blob ${digest} is over the limit of ${maxBytes} bytes`);
      hash.update(chunk);
      controller.enqueue(chunk);
    },
    flush() {
      const got = `sha256:${hash.digest('hex')}`;
      if (got !== digest) throw new OciError('DigestMismatch', `blob digest ${got} does not match ${digest}`);
    },
  });
}
