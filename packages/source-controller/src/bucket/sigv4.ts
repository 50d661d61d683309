// SPDX-License-Identifier: Apache-2.0
/**
 * AWS Signature Version 4 for S3 requests (the `Authorization` header form), as the AWS docs
 * define it: canonical request → string to sign → HMAC-SHA256 signing key derived from the secret,
 * date, region and service. Payloads are signed by their sha256 (`x-amz-content-sha256`), which is
 * the empty-body hash for the GET/HEAD requests a Bucket source makes.
 */
import { createHash, createHmac } from 'node:crypto';

/** Static credentials (`accesskey`/`secretkey` of a Bucket's Secret). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** A request to sign. */
export interface SignableRequest {
  method: string;
  /** Absolute URL; its path must already be URI-encoded (see {@link encodePath}). */
  url: string;
  /** Headers to send; `host`, `x-amz-date`, `x-amz-content-sha256` are added. */
  headers: Record<string, string>;
  /** sha256 hex of the body. @default the hash of an empty body */
  payloadHash?: string;
}

/** sha256 of an empty payload. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** RFC 3986 encoding of one component, as SigV4 wants it (unreserved characters kept). */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Encodes an object path segment by segment, keeping `/`. */
export function encodePath(path: string): string {
  return path
    .split('/')
    .map((seg) => uriEncode(seg))
    .join('/');
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** `YYYYMMDDTHHMMSSZ` of a time. */
export function amzDate(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function canonicalQuery(u: URL): string {
  const pairs: Array<[string, string]> = [];
  u.searchParams.forEach((v, k) => pairs.push([uriEncode(k), uriEncode(v)]));
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/**
 * Signs `req` in place for `service` in `region` at `now`; returns the headers to send (the input
 * headers plus `host`, `x-amz-date`, `x-amz-content-sha256`, optional `x-amz-security-token`, and
 * `authorization`).
 */
export function signRequest(req: SignableRequest, creds: AwsCredentials, region: string, now: Date, service = 's3'): Record<string, string> {
  const u = new URL(req.url);
  const date = amzDate(now);
  const day = date.slice(0, 8);
  const payload = req.payloadHash ?? EMPTY_SHA256;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = v;
  headers.host = u.host;
  headers['x-amz-date'] = date;
  headers['x-amz-content-sha256'] = payload;
  if (creds.sessionToken) headers['x-amz-security-token'] = creds.sessionToken;
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${headers[n]!.trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const canonical = [req.method.toUpperCase(), u.pathname || '/', canonicalQuery(u), canonicalHeaders, signedHeaders, payload].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', date, scope, createHash('sha256').update(canonical, 'utf8').digest('hex')].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, day), region), service), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
