// SPDX-License-Identifier: Apache-2.0
/**
 * A small S3 client for Bucket sources (the `generic` and `aws` providers): HeadBucket,
 * ListObjectsV2 with prefix and continuation tokens, GetObject streamed to a file, plus
 * CreateBucket/PutObject for tests and tools. Requests are signed with {@link signRequest}
 * (anonymous when there are no credentials), path-style except on `*.amazonaws.com`, over the
 * runtime's transport (custom CA, client certificates, SSRF guard).
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import type { FetchLike, TlsOptions } from '@eddy/runtime/oci';
import { createFetch } from '@eddy/runtime/oci';
import { describeFetchError } from '../fetch/http.ts';
import type { AwsCredentials } from './sigv4.ts';
import { encodePath, signRequest, uriEncode } from './sigv4.ts';

/** Options of {@link S3Client}. */
export interface S3ClientOptions {
  /** `host[:port]` (a scheme is tolerated). */
  endpoint: string;
  /** Plain HTTP. @default false */
  insecure?: boolean;
  /** @default 'us-east-1' */
  region?: string;
  credentials?: AwsCredentials;
  tls?: TlsOptions;
  timeoutMs?: number;
  signal?: AbortSignal;
  now?: () => Date;
  fetch?: FetchLike;
}

/** An S3 error answer (`<Error><Code>…`), or a transport failure. */
export class S3Error extends Error {
  override readonly name = 'S3Error';
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** One listed object. */
export interface S3Object {
  key: string;
  /** Without quotes, as minio-go reports it. */
  etag: string;
  size: number;
}

function xmlDecode(s: string): string {
  return s
    .replace(/&#x([0-9a-fA-F]+);/g, (_m, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function tag(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return m ? xmlDecode(m[1]!) : undefined;
}

/** Removes the quotes around an ETag. */
export function trimEtag(etag: string): string {
  return etag.replace(/^"+|"+$/g, '').replace(/^&quot;|&quot;$/g, '');
}

/** The S3 client; see the module doc. */
export class S3Client {
  private readonly fetchFn: FetchLike;
  private readonly base: URL;
  private readonly virtualHost: boolean;

  constructor(private readonly opts: S3ClientOptions) {
    this.fetchFn = opts.fetch ?? createFetch({ ...(opts.tls ? { tls: opts.tls } : {}), userAgent: 'eddy-source-controller' });
    const raw = /^https?:\/\//.test(opts.endpoint) ? opts.endpoint : `${opts.insecure ? 'http' : 'https'}://${opts.endpoint}`;
    this.base = new URL(raw);
    if (this.base.pathname !== '/' && this.base.pathname !== '') throw new S3Error(`endpoint '${opts.endpoint}' must not have a path`);
    this.virtualHost = /\.amazonaws\.com(\.cn)?$/.test(this.base.hostname);
  }

  private url(bucket: string, key = '', query = ''): string {
    const u = new URL(this.base.toString());
    if (this.virtualHost) {
      u.hostname = `${bucket}.${u.hostname}`;
      u.pathname = encodePath(`/${key}`);
    } else u.pathname = encodePath(`/${bucket}${key ? `/${key}` : ''}`);
    return `${u.origin}${u.pathname}${query ? `?${query}` : ''}`;
  }

  private async send(method: string, url: string, body?: Uint8Array, headers: Record<string, string> = {}): Promise<Response> {
    const t = AbortSignal.timeout(this.opts.timeoutMs ?? 60_000);
    const signal = this.opts.signal ? AbortSignal.any([this.opts.signal, t]) : t;
    const payloadHash = createHash('sha256').update(body ?? new Uint8Array()).digest('hex');
    const all = this.opts.credentials
      ? signRequest({ method, url, headers, payloadHash }, this.opts.credentials, this.opts.region || 'us-east-1', (this.opts.now ?? (() => new Date()))())
      : headers;
    try {
      return await this.fetchFn(url, { method, headers: all, signal, ...(body ? { body } : {}) });
    } catch (err) {
      throw new S3Error(describeFetchError(url, err, t.aborted).replace(/^Get /, `${method[0]}${method.slice(1).toLowerCase()} `));
    }
  }

  private async fail(res: Response, what: string): Promise<never> {
    const text = await res.text().catch(() => '');
    const code = tag(text, 'Code') ?? (res.status === 404 ? 'NoSuchKey' : res.status === 403 ? 'AccessDenied' : undefined);
    const message = tag(text, 'Message') ?? res.statusText ?? `status ${res.status}`;
    throw new S3Error(`${what}: ${message}${code ? ` (${code})` : ''}`, res.status, code);
  }

  /** Whether the bucket exists (HEAD; 404 → false). */
  async bucketExists(bucket: string): Promise<boolean> {
    const res = await this.send('HEAD', this.url(bucket));
    await res.body?.cancel().catch(() => undefined);
    if (res.ok) return true;
    if (res.status === 404) return false;
    const reason = res.status === 403 ? 'Access Denied.' : `${res.status} ${res.statusText}`;
    throw new S3Error(reason, res.status, res.status === 403 ? 'AccessDenied' : undefined);
  }

  /** Calls `visit` for every object under `prefix`, page by page (ListObjectsV2). */
  async listObjects(bucket: string, prefix: string, visit: (o: S3Object) => void): Promise<void> {
    let token: string | undefined;
    for (let page = 0; page < 100_000; page++) {
      const q = [`list-type=2`, `prefix=${uriEncode(prefix)}`, ...(token ? [`continuation-token=${uriEncode(token)}`] : [])].join('&');
      const res = await this.send('GET', this.url(bucket, '', q));
      if (!res.ok) await this.fail(res, 'listing objects failed');
      const xml = await res.text();
      for (const m of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
        const c = m[1]!;
        visit({ key: tag(c, 'Key') ?? '', etag: trimEtag(tag(c, 'ETag') ?? ''), size: Number(tag(c, 'Size') ?? 0) });
      }
      if (tag(xml, 'IsTruncated') !== 'true') return;
      token = tag(xml, 'NextContinuationToken');
      if (!token) return;
    }
  }

  /** Downloads an object into `file`; returns its ETag (unquoted). 404 throws S3Error code NoSuchKey. */
  async getObject(bucket: string, key: string, file: string): Promise<string> {
    const res = await this.send('GET', this.url(bucket, key));
    if (!res.ok) await this.fail(res, `failed to get '${key}' object`);
    await mkdir(dirname(file), { recursive: true });
    try {
      await pipeline(Readable.fromWeb(res.body as never), createWriteStream(file, { mode: 0o600 }));
    } catch (err) {
      await rm(file, { force: true });
      throw new S3Error(`failed to get '${key}' object: ${(err as Error).message}`);
    }
    return trimEtag(res.headers.get('etag') ?? '');
  }

  /** Creates a bucket (tests, tools). */
  async createBucket(bucket: string): Promise<void> {
    const res = await this.send('PUT', this.url(bucket));
    if (!res.ok) await this.fail(res, `creating bucket '${bucket}' failed`);
    await res.body?.cancel().catch(() => undefined);
  }

  /** Uploads an object (tests, tools). */
  async putObject(bucket: string, key: string, data: Uint8Array | string): Promise<void> {
    const body = typeof data === 'string' ? Buffer.from(data) : data;
    const res = await this.send('PUT', this.url(bucket, key), body, { 'content-length': String(body.byteLength) });
    if (!res.ok) await this.fail(res, `uploading '${key}' failed`);
    await res.body?.cancel().catch(() => undefined);
  }

  /** Deletes an object (tests, tools). */
  async deleteObject(bucket: string, key: string): Promise<void> {
    const res = await this.send('DELETE', this.url(bucket, key));
    if (!res.ok && res.status !== 404) await this.fail(res, `deleting '${key}' failed`);
    await res.body?.cancel().catch(() => undefined);
  }
}
