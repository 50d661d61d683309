// SPDX-License-Identifier: Apache-2.0
/**
 * The artifact file server (Flux serves `--storage-path` with `http.FileServer` on
 * `--storage-addr`, default `:9090`): read-only GET and HEAD of regular files, path traversal and
 * dot-files refused, symlinks not followed out of the root, `ETag` from size and mtime with
 * `If-None-Match`, and `Last-Modified`.
 */
import { createReadStream } from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { relative, resolve, sep } from 'node:path';

/** A running artifact server. */
export interface ArtifactServer {
  /** `http://host:port` the server listens on. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Options of {@link startArtifactServer}. */
export interface ArtifactServerOptions {
  /** Directory to serve. */
  root: string;
  /** Address to listen on, Go style (`:9090`, `127.0.0.1:0`). @default ':9090' */
  address?: string;
}

function contentType(path: string): string {
  if (path.endsWith('.tar.gz') || path.endsWith('.tgz')) return 'application/gzip';
  if (path.endsWith('.yaml') || path.endsWith('.yml')) return 'application/x-yaml';
  if (path.endsWith('.json')) return 'application/json';
  return 'application/octet-stream';
}

/** Parses a Go-style listen address into host and port. */
export function parseListenAddress(address: string): { host: string | undefined; port: number } {
  const i = address.lastIndexOf(':');
  if (i < 0) throw new Error(`invalid listen address '${address}'`);
  const host = address.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port in '${address}'`);
  return { host: host === '' ? undefined : host, port };
}

/** Resolves a request path to a file under `root`, or undefined when it must not be served. */
export async function resolveServedPath(root: string, urlPath: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0] ?? '');
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.length === 0 || segments.some((s) => s === '..' || s.startsWith('.'))) return undefined;
  const p = resolve(root, ...segments);
  const rel = relative(root, p);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..') return undefined;
  try {
    const real = await realpath(p);
    const realRoot = await realpath(root);
    const r = relative(realRoot, real);
    if (r === '' || r.startsWith('..')) return undefined;
    return (await lstat(real)).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the artifact server. */
export async function startArtifactServer(opts: ArtifactServerOptions): Promise<ArtifactServer> {
  const root = resolve(opts.root);
  const server = http.createServer((req, res) => {
    void (async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      const file = await resolveServedPath(root, req.url ?? '/');
      if (!file) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
        return;
      }
      const st = await lstat(file);
      const etag = `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
      const headers = {
        'content-type': contentType(file),
        'content-length': String(st.size),
        'last-modified': st.mtime.toUTCString(),
        etag,
        'accept-ranges': 'none',
      };
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag }).end();
        return;
      }
      res.writeHead(200, headers);
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      const stream = createReadStream(file);
      stream.on('error', () => res.destroy());
      stream.pipe(res);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  const { host, port } = parseListenAddress(opts.address ?? ':9090');
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok());
  });
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shownHost === '[::]' || shownHost === '0.0.0.0' ? '127.0.0.1' : shownHost}:${addr.port}`,
    port: addr.port,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
