// SPDX-License-Identifier: Apache-2.0
/**
 * A cluster's `proxy-url`: HTTPS apiservers are reached through an HTTP `CONNECT` tunnel (the proxy
 * itself over `http://` or `https://`), plain-HTTP apiservers with absolute-form requests to an
 * `http://` proxy. SOCKS proxies are refused with a clear error rather than silently bypassed.
 */
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';

/** A parsed `proxy-url`. */
export interface Proxy {
  readonly url: URL;
  /** `Proxy-Authorization` from the URL's user info, if any. */
  readonly authorization?: string;
}

/** The URL with its password hidden, for messages. */
export function redactUrl(url: URL): string {
  if (!url.password) return url.href;
  const copy = new URL(url.href);
  copy.password = '***';
  return copy.href;
}

/**
 * Parses a cluster's `proxy-url` for `server`.
 * @throws for URLs that do not parse and proxy kinds the transport does not speak.
 */
export function parseProxyUrl(raw: string | undefined, server: URL): Proxy | undefined {
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`kubeconfig proxy-url '${raw}' is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`kubeconfig proxy-url '${redactUrl(url)}': ${url.protocol.slice(0, -1)} proxies are not supported (use an http:// or https:// proxy)`);
  }
  if (server.protocol === 'http:' && url.protocol !== 'http:') {
    throw new Error(`kubeconfig proxy-url '${redactUrl(url)}': a plain-HTTP server needs an http:// proxy`);
  }
  const user = decodeURIComponent(url.username);
  const authorization = user || url.password ? `Basic ${Buffer.from(`${user}:${decodeURIComponent(url.password)}`).toString('base64')}` : undefined;
  return authorization ? { url, authorization } : { url };
}

/** Options of {@link ConnectProxyAgent}. */
export interface ConnectProxyAgentOptions extends https.AgentOptions {
  proxy: Proxy;
  /** How long to wait for the proxy to answer `CONNECT`. @default 30000 */
  connectTimeoutMs?: number;
}

/** An HTTPS agent whose connections are TLS sessions inside `CONNECT` tunnels through a proxy. */
export class ConnectProxyAgent extends https.Agent {
  private readonly proxy: Proxy;
  private readonly connectTimeoutMs: number;

  constructor(opts: ConnectProxyAgentOptions) {
    const { proxy, connectTimeoutMs, ...agentOpts } = opts;
    super(agentOpts);
    this.proxy = proxy;
    this.connectTimeoutMs = connectTimeoutMs ?? 30_000;
  }

  override createConnection(options: https.RequestOptions, callback?: (err: Error | null, stream: Duplex) => void): undefined {
    const done = callback ?? (() => undefined);
    const host = options.host ?? options.hostname ?? 'localhost';
    const authority = `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${options.port ?? 443}`;
    const { url, authorization } = this.proxy;
    const headers: http.OutgoingHttpHeaders = { Host: authority, ...(authorization ? { 'Proxy-Authorization': authorization } : {}) };
    const req = (url.protocol === 'https:' ? https : http).request({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || (url.protocol === 'https:' ? 443 : 80),
      method: 'CONNECT',
      path: authority,
      headers,
      agent: false,
      timeout: this.connectTimeoutMs,
    });
    let settled = false;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      done(err, undefined as unknown as Duplex);
    };
    req.once('connect', (res, socket, head) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        fail(new Error(`proxy ${redactUrl(url)} refused CONNECT ${authority}: ${res.statusCode} ${res.statusMessage ?? ''}`.trim()));
        return;
      }
      if (head.length > 0) socket.unshift(head);
      settled = true;
      const { agent: _agent, ...tlsOptions } = options;
      done(null, tls.connect({ ...(tlsOptions as tls.ConnectionOptions), socket }));
    });
    req.once('timeout', () => req.destroy(new Error(`proxy ${redactUrl(url)} did not answer CONNECT ${authority} within ${this.connectTimeoutMs}ms`)));
    req.once('error', (err) => fail(new Error(`proxy ${redactUrl(url)}: CONNECT ${authority}: ${err.message}`, { cause: err })));
    req.end();
    return undefined;
  }
}
