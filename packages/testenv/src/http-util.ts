// SPDX-License-Identifier: Apache-2.0
/**
 * One-shot HTTP(S) requests without connection pooling, so no socket outlives a request and keeps a test
 * process alive.
 * @module
 */
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** A request of {@link simpleRequest}. */
export interface SimpleRequest {
  /** `http://` or `https://` URL. */
  url: string;
  /** Default GET. */
  method?: string;
  /** Request headers. */
  headers?: OutgoingHttpHeaders;
  /** The body. */
  body?: string | Buffer;
  /** Abort after this long (default 10 s). */
  timeoutMs?: number;
  /** For https: skip certificate verification (health checks of self-signed local servers only). */
  insecure?: boolean;
}

/** A response of {@link simpleRequest}. */
export interface SimpleResponse {
  /** The HTTP status. */
  status: number;
  /** Response headers. */
  headers: IncomingHttpHeaders;
  /** The whole body. */
  body: Buffer;
}

/**
 * Sends one request and reads the whole response; non-2xx statuses are returned, not thrown.
 * @param req - URL, method, headers, body, timeout.
 */
export function simpleRequest(req: SimpleRequest): Promise<SimpleResponse> {
  const url = new URL(req.url);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const headers: OutgoingHttpHeaders = { ...req.headers };
  if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
  return new Promise((resolve, reject) => {
    const r = send(
      url,
      {
        method: req.method ?? 'GET',
        headers,
        agent: false,
        timeout: req.timeoutMs ?? 10_000,
        ...(req.insecure ? { rejectUnauthorized: false } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    r.on('timeout', () => r.destroy(new Error(`${req.method ?? 'GET'} ${req.url} timed out`)));
    r.on('error', reject);
    r.end(req.body);
  });
}
