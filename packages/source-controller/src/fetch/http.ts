// SPDX-License-Identifier: Apache-2.0
/**
 * HTTP downloads for Helm repositories (index files and charts) and buckets, on the runtime's
 * registry transport (custom CA, client certificates, the SSRF egress guard, redirects that drop
 * credentials across hosts). Bodies stream to disk with a size cap and a sha256 computed on the
 * way, so a 50 MiB index never sits in memory whole.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { EgressPolicy, FetchLike, TlsOptions } from '@eddy/runtime/oci';
import { createFetch } from '@eddy/runtime/oci';

/** Options of one HTTP request. */
export interface HttpOptions {
  tls?: TlsOptions;
  /** Basic credentials sent with the request. */
  basicAuth?: { username: string; password: string };
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Time limit of the whole exchange, body included. @default 60000 */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** SSRF guard; `null` turns it off. @default the runtime's default policy */
  egress?: EgressPolicy | null;
  /** A transport to use instead of a new one (tests, connection reuse). */
  fetch?: FetchLike;
}

/** A failed HTTP exchange; `status` is set for non-2xx answers. */
export class HttpError extends Error {
  override readonly name: string = 'HttpError';
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Raised when a body is larger than allowed. */
export class TooLargeError extends HttpError {
  override readonly name = 'TooLargeError';
}

function transportFor(opts: HttpOptions): FetchLike {
  return opts.fetch ?? createFetch({ ...(opts.tls ? { tls: opts.tls } : {}), ...(opts.egress !== undefined ? { egress: opts.egress } : {}), userAgent: 'eddy-source-controller' });
}

function signalFor(opts: HttpOptions): { signal: AbortSignal; timedOut: () => boolean } {
  const t = AbortSignal.timeout(opts.timeoutMs ?? 60_000);
  return { signal: opts.signal ? AbortSignal.any([opts.signal, t]) : t, timedOut: () => t.aborted };
}

/** The message of a transport failure, in the spirit of Go's `Get "<url>": <cause>`. */
export function describeFetchError(url: string, err: unknown, timedOut: boolean): string {
  if (timedOut) return `Get "${url}": context deadline exceeded`;
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.code ?? e?.cause?.code;
  const host = (() => {
    try {
      return new URL(url).hostname;
    } catch {
      return url;
    }
  })();
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `Get "${url}": dial tcp: lookup ${host}: no such host`;
  if (code === 'ECONNREFUSED') return `Get "${url}": dial tcp: connect: connection refused`;
  return `Get "${url}": ${e?.message ?? String(err)}`;
}

/**
 * GETs `url` and returns the response once its status is 2xx; other statuses throw
 * {@link HttpError} (`failed to fetch <url> : 401 Unauthorized`, as Helm's getter words it).
 */
export async function httpGet(url: string, opts: HttpOptions = {}): Promise<{ res: Response; timedOut: () => boolean }> {
  const fetchFn = transportFor(opts);
  const { signal, timedOut } = signalFor(opts);
  const headers: Record<string, string> = { connection: 'close', ...opts.headers };
  if (opts.basicAuth) headers.authorization = `Basic ${Buffer.from(`${opts.basicAuth.username}:${opts.basicAuth.password}`).toString('base64')}`;
  let res: Response;
  try {
    res = await fetchFn(url, { headers, signal });
  } catch (err) {
    throw new HttpError(describeFetchError(url, err, timedOut()), undefined, { cause: err });
  }
  if (res.status < 200 || res.status > 299) {
    await res.body?.cancel().catch(() => undefined);
    throw new HttpError(`failed to fetch ${url} : ${res.status} ${res.statusText || statusText(res.status)}`, res.status);
  }
  return { res, timedOut };
}

function statusText(status: number): string {
  return ({ 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' } as Record<number, string>)[status] ?? '';
}

/** What {@link downloadToFile} wrote. */
export interface Download {
  /** `sha256:<hex>` of the bytes. */
  digest: string;
  size: number;
}

/**
 * Streams the body of `url` into `file`, refusing more than `maxBytes` (declared or actual) with
 * {@link TooLargeError}; the partial file is removed on failure.
 */
export async function downloadToFile(url: string, file: string, opts: HttpOptions & { maxBytes: number; tooLargeMessage?: (max: number) => string }): Promise<Download> {
  const { res, timedOut } = await httpGet(url, opts);
  const tooLarge = (): TooLargeError => new TooLargeError(opts.tooLargeMessage?.(opts.maxBytes) ?? `response from ${url} exceeds the maximum size of ${opts.maxBytes} bytes`);
  const declared = Number(res.headers.get('content-length') ?? -1);
  if (declared > opts.maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      if (size > opts.maxBytes) {
        cb(tooLarge());
        return;
      }
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  try {
    if (!res.body) throw new HttpError(`empty response from ${url}`);
    await pipeline(Readable.fromWeb(res.body as never), tap, createWriteStream(file, { mode: 0o600 }));
  } catch (err) {
    await rm(file, { force: true });
    if (err instanceof HttpError) throw err;
    throw new HttpError(describeFetchError(url, err, timedOut()), undefined, { cause: err });
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}
