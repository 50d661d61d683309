// SPDX-License-Identifier: Apache-2.0
/**
 * A minimal raw HTTPS client for the apiserver (node:https with the CA and a bearer token), used for readiness
 * checks, CRD installation and this package's own tests. Not a Kubernetes client: `@eddy/runtime` has that.
 * @module
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { HttpStatusError, WaitTimeoutError } from './errors.ts';

/** Where an apiserver is and how to authenticate to it. */
export interface KubeConnection {
  /** `https://127.0.0.1:<port>`. */
  server: string;
  /** A bearer token. */
  token: string;
  /** A PEM file with the CA that signed the serving certificate. */
  caFile: string;
}

/** Options of {@link kubeRequest}. */
export interface KubeRequestOptions {
  /** A body; objects are sent as JSON. */
  body?: unknown;
  /** The body's content type (default `application/json`). */
  contentType?: string;
  /** Abort after this long (default 30 s). */
  timeoutMs?: number;
}

/** A response of {@link kubeRequest}. */
export interface KubeResponse<T = unknown> {
  /** The HTTP status. */
  status: number;
  /** The headers. */
  headers: IncomingHttpHeaders;
  /** The body parsed as JSON when it is JSON, else the text. */
  body: T;
}

const caCache = new Map<string, Buffer>();

function caOf(conn: KubeConnection): Buffer {
  let ca = caCache.get(conn.caFile);
  if (!ca) {
    ca = readFileSync(conn.caFile);
    caCache.set(conn.caFile, ca);
  }
  return ca;
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * Sends one request to the apiserver and reads the whole response.
 * @param conn - the apiserver and credentials.
 * @param method - GET, POST, PUT, PATCH, DELETE.
 * @param path - the path with query, e.g. `/api/v1/namespaces/default`.
 * @param opts - body, content type, timeout.
 * @returns the status, headers and body; non-2xx statuses are returned, not thrown.
 */
export function kubeRequest<T = unknown>(
  conn: KubeConnection,
  method: string,
  path: string,
  opts: KubeRequestOptions = {},
): Promise<KubeResponse<T>> {
  const url = new URL(path, conn.server);
  const payload =
    opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: caOf(conn),
        headers: {
          authorization: `Bearer ${conn.token}`,
          accept: 'application/json',
          ...(payload === undefined
            ? {}
            : { 'content-type': opts.contentType ?? 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
        timeout: opts.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parseBody(text) as T });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url.href} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * Like {@link kubeRequest}, but throws unless the status is 2xx.
 * @throws {@link HttpStatusError} on any other status.
 */
export async function kubeRequestOk<T = unknown>(
  conn: KubeConnection,
  method: string,
  path: string,
  opts: KubeRequestOptions = {},
): Promise<T> {
  const res = await kubeRequest<T>(conn, method, path, opts);
  if (res.status < 200 || res.status > 299) {
    throw new HttpStatusError(method, new URL(path, conn.server).href, res.status, JSON.stringify(res.body));
  }
  return res.body;
}

/** One event of a watch stream. */
export interface WatchEvent {
  /** ADDED, MODIFIED, DELETED, BOOKMARK or ERROR. */
  type: string;
  /** The object (a Status for ERROR events). */
  object: Record<string, unknown> & { metadata?: { name?: string; resourceVersion?: string } };
}

/** An open watch stream; see {@link kubeWatch}. */
export interface KubeWatch {
  /** The HTTP status of the watch request (200 when the stream opened). */
  readonly status: number;
  /** Every event received so far. */
  readonly events: WatchEvent[];
  /**
   * Resolves with the first event (already received or future) that matches.
   * @param match - the predicate.
   * @param timeoutMs - give up after this long (default 10 s).
   */
  waitFor(match: (e: WatchEvent) => boolean, timeoutMs?: number): Promise<WatchEvent>;
  /** Closes the stream. */
  close(): void;
}

/**
 * Opens a watch (`?watch=1` is added to `path`) and collects its events.
 * @param conn - the apiserver and credentials.
 * @param path - a collection path with optional query, e.g. `/api/v1/namespaces/x/configmaps?resourceVersion=5`.
 */
export function kubeWatch(conn: KubeConnection, path: string): Promise<KubeWatch> {
  const url = new URL(path, conn.server);
  url.searchParams.set('watch', '1');
  const events: WatchEvent[] = [];
  const waiters = new Set<() => void>();
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: caOf(conn), headers: { authorization: `Bearer ${conn.token}` } }, (res) => {
      let buffered = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffered += chunk;
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (line) events.push(JSON.parse(line) as WatchEvent);
        }
        for (const w of waiters) w();
      });
      res.on('error', () => undefined);
      resolve({
        status: res.statusCode ?? 0,
        events,
        waitFor(match, timeoutMs = 10_000) {
          return new Promise((res2, rej2) => {
            const check = (): void => {
              const hit = events.find(match);
              if (!hit) return;
              waiters.delete(check);
              clearTimeout(timer);
              res2(hit);
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              rej2(new WaitTimeoutError('a matching watch event', timeoutMs, `${events.length} events received`));
            }, timeoutMs);
            waiters.add(check);
            check();
          });
        },
        close() {
          req.destroy();
        },
      });
    });
    req.on('error', reject);
    req.end();
  });
}
