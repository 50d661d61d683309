// SPDX-License-Identifier: Apache-2.0
/**
 * Downloads a source artifact over HTTP the way Flux's archive fetcher does: optional host
 * override (`SOURCE_CONTROLLER_LOCALHOST`), retries with exponential backoff on connection errors,
 * 429 and 5xx, 404 as {@link ArtifactNotFoundError}, a cap on the bytes read (headers can lie, so
 * the body is counted), and digest verification before anything is extracted.
 */
import { randomBytes } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realClock, type Clock } from '@eddy/runtime/clock';
import { digestHasher, formatDigest, parseDigest } from './digest.ts';
import { ArtifactError, ArtifactLimitError, ArtifactNotFoundError } from './errors.ts';
import { extractArchive, type ExtractOptions, type ExtractResult } from './extract.ts';

/** Options of {@link downloadArtifact}. */
export interface DownloadOptions {
  /** Replaces the URL's `host[:port]`, like Flux's `SOURCE_CONTROLLER_LOCALHOST`. */
  hostnameOverride?: string;
  /** Retries after the first attempt on connection errors, 429 and 5xx. @default 9 */
  retries?: number;
  /** Smallest wait between retries. @default 5000 */
  retryWaitMinMs?: number;
  /** Largest wait between retries. @default 30000 */
  retryWaitMaxMs?: number;
  /** Cap on the archive size in bytes; 0 disables it. @default 1 GiB */
  maxDownloadBytes?: number;
  /** Timeout of one download attempt in milliseconds; 0 disables it. @default 300000 */
  attemptTimeoutMs?: number;
  /** Aborts the download (and any retry wait). */
  signal?: AbortSignal;
  /** Time source for timeouts and retry waits. @default realClock */
  clock?: Clock;
}

/** What {@link downloadArtifact} wrote. */
export interface DownloadResult {
  /** The file holding the verified archive. */
  file: string;
  /** Its size in bytes. */
  bytes: number;
  /** The verified digest, `<algorithm>:<hex>`. */
  digest: string;
}

const DEFAULT_MAX_DOWNLOAD = 1 << 30;

class RetryableError extends Error {}

/** Rewrites the host of `url` when an override is set; invalid URLs are an {@link ArtifactError}. */
export function resolveArtifactURL(url: string, hostnameOverride?: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch (err) {
    throw new ArtifactError('DownloadFailed', `failed to create a new request: invalid URL ${JSON.stringify(url)}`, {
      cause: err,
    });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new ArtifactError('DownloadFailed', `failed to create a new request: unsupported scheme ${u.protocol}`);
  }
  if (hostnameOverride) u.host = hostnameOverride;
  return u.toString();
}

/**
 * Downloads `url` into a new file under `dir` (default: the OS temp dir), verifying `digest`.
 * The caller removes the file. Nothing is left behind on failure.
 */
export async function downloadArtifact(
  url: string,
  digest: string | undefined,
  opts: DownloadOptions & { dir?: string } = {},
): Promise<DownloadResult> {
  const expected = parseDigest(digest);
  const target = resolveArtifactURL(url, opts.hostnameOverride);
  const clock = opts.clock ?? realClock;
  const retries = Math.max(0, opts.retries ?? 9);
  const waitMin = opts.retryWaitMinMs ?? 5000;
  const waitMax = opts.retryWaitMaxMs ?? 30000;
  const file = join(opts.dir ?? tmpdir(), `fetch.${randomBytes(8).toString('hex')}.tmp`);
  let lastError: unknown;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) {
      await clock.sleep(Math.min(waitMax, waitMin * 2 ** (attempt - 1)), opts.signal);
    }
    try {
      const bytes = await attemptDownload(target, file, expected, opts, clock);
      return { file, bytes, digest: formatDigest(expected) };
    } catch (err) {
      await rm(file, { force: true });
      if (opts.signal?.aborted) throw opts.signal.reason;
      if (!(err instanceof RetryableError)) throw err;
      lastError = err;
    }
  }
  const msg = lastError instanceof Error ? lastError.message : String(lastError);
  throw new ArtifactError('DownloadFailed', `failed to download archive: giving up after ${retries + 1} attempt(s): ${msg}`, {
    cause: lastError,
  });
}

/** An in-flight attempt's deadline state. */
interface Attempt {
  timedOut: boolean;
  timeoutMs: number;
}

async function attemptDownload(
  url: string,
  file: string,
  expected: ReturnType<typeof parseDigest>,
  opts: DownloadOptions,
  clock: Clock,
): Promise<number> {
  const ac = new AbortController();
  const onAbort = (): void => ac.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const attempt: Attempt = { timedOut: false, timeoutMs: opts.attemptTimeoutMs ?? 300_000 };
  const timer =
    attempt.timeoutMs > 0
      ? clock.setTimer(attempt.timeoutMs, () => {
          attempt.timedOut = true;
          ac.abort(new Error('timeout'));
        })
      : undefined;
  try {
    const res = await request(url, ac.signal, attempt, opts.signal);
    return await writeBody(res, file, expected, opts.maxDownloadBytes ?? DEFAULT_MAX_DOWNLOAD, attempt);
  } finally {
    timer?.cancel();
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/** GETs `url`, classifying failures as retryable, not found or final. */
async function request(url: string, signal: AbortSignal, attempt: Attempt, outer: AbortSignal | undefined): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { signal, redirect: 'follow' });
  } catch (err) {
    if (attempt.timedOut) throw new RetryableError(`download of ${url} timed out after ${attempt.timeoutMs}ms`);
    if (outer?.aborted) throw err;
    throw new RetryableError(`GET ${url}: ${(err as Error).message}`);
  }
  if (res.status === 200) return res;
  await res.body?.cancel();
  if (res.status === 404) throw new ArtifactNotFoundError(url);
  const msg = `failed to download archive from ${url} (status: ${res.status} ${res.statusText})`;
  if (res.status === 429 || (res.status >= 500 && res.status !== 501)) throw new RetryableError(msg);
  throw new ArtifactError('DownloadFailed', msg);
}

async function writeBody(res: Response, file: string, expected: ReturnType<typeof parseDigest>, max: number, attempt: Attempt): Promise<number> {
  const hash = digestHasher(expected);
  const fh = await open(file, 'wx', 0o600);
  let bytes = 0;
  try {
    if (res.body) {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        bytes += chunk.byteLength;
        if (max > 0 && bytes > max) {
          throw new ArtifactLimitError('downloadBytes', max, `artifact is greater than the max download size of ${max} bytes`);
        }
        hash.update(chunk);
        await fh.write(chunk);
      }
    }
  } catch (err) {
    if (ArtifactError.is(err)) throw err;
    if (attempt.timedOut) throw new RetryableError(`download timed out after ${attempt.timeoutMs}ms`);
    throw new RetryableError(`failed to copy temp contents: ${(err as Error).message}`);
  } finally {
    await fh.close();
  }
  if (hash.digest('hex') !== expected.hex) {
    throw new ArtifactError('DigestMismatch', `failed to verify archive: computed digest doesn't match provided '${formatDigest(expected)}'`);
  }
  return bytes;
}

/** Options of {@link fetchArtifact}. */
export type FetchArtifactOptions = DownloadOptions & ExtractOptions;

/**
 * Downloads, verifies and safely extracts an artifact tarball into `destDir`, which must not
 * exist yet (it is created atomically by a rename). The downloaded archive is removed.
 */
export async function fetchArtifact(
  url: string,
  digest: string | undefined,
  destDir: string,
  opts: FetchArtifactOptions = {},
): Promise<DownloadResult & ExtractResult> {
  const dl = await downloadArtifact(url, digest, opts);
  try {
    const ex = await extractArchive(dl.file, destDir, opts);
    return { ...dl, ...ex };
  } finally {
    await rm(dl.file, { force: true });
  }
}
