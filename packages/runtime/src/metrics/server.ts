// SPDX-License-Identifier: Apache-2.0
/**
 * The HTTP side of observability: a minimal `node:http` server bound to a Go-style address
 * (`:8080`, `127.0.0.1:9440`, `[::1]:0`; `0` or empty disables it, as in controller-runtime),
 * and the manager's Prometheus registry served at `/metrics` on `--metrics-addr`. Every runtime
 * metric (`workqueue_*`, `controller_runtime_*`, `gotk_*`, process and Node.js defaults) lands in
 * one registry per manager.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry, collectDefaultMetrics } from 'prom-client';

/** A running server. */
export interface RunningServer {
  /** The bound address, e.g. `127.0.0.1:43121` (the real port when `:0` was asked for). */
  readonly address: string;
  /** The bound port. */
  readonly port: number;
  /** Stops accepting and closes idle connections. */
  close(): Promise<void>;
}

/** A request handler; return false to answer 404. */
export type RouteHandler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => Promise<boolean> | boolean;

/** Splits `host:port` (host optional, IPv6 in brackets); undefined when the address disables the server. */
export function parseBindAddress(addr: string): { host: string | undefined; port: number } | undefined {
  if (addr === '' || addr === '0') return undefined;
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr);
  if (!m) throw new Error(`invalid bind address "${addr}": use host:port or :port`);
  const host = m[1] ?? (m[2] === '' ? undefined : m[2]);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`invalid port in bind address "${addr}"`);
  return { host, port };
}

/** Starts a server on `addr`; resolves undefined when the address disables it. */
export async function listen(addr: string, handler: RouteHandler): Promise<RunningServer | undefined> {
  const bind = parseBindAddress(addr);
  if (!bind) return undefined;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    Promise.resolve()
      .then(() => handler(req, res, url))
      .then((handled) => {
        if (!handled && !res.headersSent) {
          res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
          res.end('404 page not found\n');
        }
      })
      .catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`${err instanceof Error ? err.message : String(err)}\n`);
      });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(bind.port, bind.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const info = server.address() as AddressInfo;
  const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
  return {
    address: `${host}:${info.port}`,
    port: info.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/** Options of {@link createRegistry}. */
export interface RegistryOptions {
  /** Also collect process_* and nodejs_* metrics. @default true */
  defaultMetrics?: boolean;
}

/** A fresh registry, with the process and Node.js default metrics unless disabled. */
export function createRegistry(opts: RegistryOptions = {}): Registry {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

/** Serves `registry` at `GET /metrics` on `addr`; undefined when `addr` disables it (`0`). */
export function serveMetrics(registry: Registry, addr: string): Promise<RunningServer | undefined> {
  return listen(addr, async (req, res, url) => {
    if (url.pathname !== '/metrics') return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' });
      res.end();
      return true;
    }
    const body = await registry.metrics();
    res.writeHead(200, { 'Content-Type': registry.contentType });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  });
}
