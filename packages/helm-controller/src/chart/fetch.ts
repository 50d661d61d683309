// SPDX-License-Identifier: Apache-2.0
/**
 * Downloads a source artifact (`status.artifact.url` of a HelmChart, OCIRepository or
 * ExternalArtifact) to a file, streaming: the bytes are hashed as they arrive, the size is capped,
 * and the digest is verified before anything reads the file (fluxcd/pkg `http/fetch`).
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** An artifact as sources publish it (`meta.Artifact`). */
export interface ArtifactRef {
  url: string;
  /** `<algo>:<hex>`; `<hex>` alone is taken as sha256. */
  digest?: string;
  revision?: string;
  size?: number;
}

/** Why a download failed. */
export type FetchErrorKind = 'not-found' | 'digest' | 'too-large' | 'http' | 'network';

const BRAND = Symbol.for('eddy.helm-controller.ArtifactFetchError');

/** A failed artifact download. `not-found` means the source has not served it (yet): wait and retry. */
export class ArtifactFetchError extends Error {
  readonly [BRAND] = true;
  override readonly name = 'ArtifactFetchError';
  constructor(
    readonly kind: FetchErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
  /** True for this error from any copy of the package. */
  static is(e: unknown): e is ArtifactFetchError {
    return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** Options of {@link fetchArtifact}. */
export interface FetchOptions {
  /** Refuse artifacts larger than this. @default 50 MiB (Flux's helm-controller default is unlimited; bounded here) */
  maxBytes?: number;
  signal?: AbortSignal;
  /** Rewrites the host of artifact URLs (Flux's `SOURCE_CONTROLLER_LOCALHOST`), e.g. `localhost:9090`. */
  hostOverride?: string;
}

const ALGOS = new Set(['sha256', 'sha384', 'sha512']);

function parseDigest(d: string | undefined): { algo: string; hex: string } {
  if (!d) throw new ArtifactFetchError('digest', 'artifact has no digest');
  const [algo, hex] = d.includes(':') ? (d.split(':', 2) as [string, string]) : ['sha256', d];
  if (!ALGOS.has(algo)) throw new ArtifactFetchError('digest', `unsupported digest algorithm '${algo}'`);
  return { algo, hex };
}

/** Downloads `artifact` to `file`, verifying size and digest. Throws {@link ArtifactFetchError}. */
export async function fetchArtifact(artifact: ArtifactRef, file: string, opts: FetchOptions = {}): Promise<{ bytes: number }> {
  const { algo, hex } = parseDigest(artifact.digest);
  const max = opts.maxBytes ?? 50 * 1024 * 1024;
  if (artifact.size !== undefined && artifact.size > max) {
    throw new ArtifactFetchError('too-large', `artifact size ${artifact.size} exceeds the limit of ${max} bytes`);
  }
  const url = new URL(artifact.url);
  if (opts.hostOverride) url.host = opts.hostOverride;
  let res: Response;
  try {
    res = await fetch(url, { ...(opts.signal ? { signal: opts.signal } : {}) });
  } catch (e) {
    throw new ArtifactFetchError('network', `failed to download artifact from ${url}: ${(e as Error).message}`, { cause: e });
  }
  if (res.status === 404) throw new ArtifactFetchError('not-found', `artifact not found at ${url}`);
  if (!res.ok || !res.body) throw new ArtifactFetchError('http', `failed to download artifact from ${url}, status: ${res.status} ${res.statusText}`);
  const hash = createHash(algo);
  const out = createWriteStream(file, { mode: 0o600 });
  let bytes = 0;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength;
      if (bytes > max) throw new ArtifactFetchError('too-large', `artifact exceeds the limit of ${max} bytes`);
      hash.update(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
    }
  } finally {
    out.end();
    await once(out, 'close').catch(() => undefined);
  }
  const got = hash.digest('hex');
  if (got !== hex) throw new ArtifactFetchError('digest', `failed to verify artifact: computed digest doesn't match '${algo}:${hex}'`);
  return { bytes };
}
