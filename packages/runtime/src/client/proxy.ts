// SPDX-License-Identifier: Apache-2.0
/**
 * A cluster's `proxy-url`: HTTPS apiservers are reached through an HTTP `CONNECT` tunnel (the proxy
 * itself over `http://` or `https://`), plain-HTTP apiservers with absolute-form requests to an
 * `http://` proxy. SOCKS proxies are refused with a clear error rather than silently bypassed.
 *
 * {@link proxyFromEnvironment} picks the proxy of a URL from `HTTPS_PROXY` / `HTTP_PROXY` /
 * `NO_PROXY` as Go's `http.ProxyFromEnvironment` does, for the clients of user-given URLs (OCI
 * registries, Helm repositories) that Flux's Go controllers reach through those variables.
 */
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { BlockList, isIP } from 'node:net';
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
export function parseProxyUrl(raw: string | undefined, server: URL, source = 'kubeconfig proxy-url'): Proxy | undefined {
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${source} '${raw}' is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${source} '${redactUrl(url)}': ${url.protocol.slice(0, -1)} proxies are not supported (use an http:// or https:// proxy)`);
  }
  if (server.protocol === 'http:' && url.protocol !== 'http:') {
    throw new Error(`${source} '${redactUrl(url)}': a plain-HTTP server needs an http:// proxy`);
  }
  const user = decodeURIComponent(url.username);
  const authorization = user || url.password ? `Basic ${Buffer.from(`${user}:${decodeURIComponent(url.password)}`).toString('base64')}` : undefined;
  return authorization ? { url, authorization } : { url };
}

/** Environment variables as `process.env` holds them. */
export type ProxyEnvironment = Readonly<Record<string, string | undefined>>;

/**
 * The proxy for `target` from `env`, as Go's `http.ProxyFromEnvironment`: `HTTPS_PROXY` for
 * https URLs, `HTTP_PROXY` for http ones (upper case first, then lower case; a value without a
 * scheme is `http://`), none for `localhost`, loopback addresses and hosts matched by `NO_PROXY`
 * (see {@link noProxyMatches}).
 * @throws for a proxy value that does not parse or is not an http(s) proxy.
 */
export function proxyFromEnvironment(target: URL, env: ProxyEnvironment = process.env): Proxy | undefined {
  const name = target.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY';
  const raw = env[name] || env[name.toLowerCase()];
  if (!raw) return undefined;
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || isLoopback(host)) return undefined;
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  if (noProxyMatches(env.NO_PROXY || env.no_proxy || '', host, port)) return undefined;
  return parseProxyUrl(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`, target, name);
}

/**
 * Whether a `NO_PROXY` list (comma-separated) covers `host`:`port`, as Go's `httpproxy`: `*`
 * covers all; a CIDR covers the IP addresses in it; an IP address (optionally `:port`) that
 * address; `example.com` covers it and its subdomains, `.example.com` and `*.example.com` only
 * the subdomains; a `:port` suffix restricts an entry to that port.
 */
export function noProxyMatches(noProxy: string, host: string, port: string): boolean {
  return noProxy.split(',').some((raw) => noProxyEntryMatches(raw.trim().toLowerCase(), host, port));
}

function noProxyEntryMatches(entry: string, host: string, port: string): boolean {
  if (!entry) return false;
  if (entry === '*') return true;
  const ip = isIP(host) !== 0;
  if (entry.includes('/')) return ip && inCidr(entry, host);
  // `[v6]:port`, `host:port`, or a bare host / IPv4 / IPv6 address.
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry) ?? (isIP(entry) === 6 ? [entry, entry] : /^([^:]+)(?::(\d+))?$/.exec(entry));
  if (!m) return false;
  let name = m[1]!;
  if (m[2] !== undefined && m[2] !== port) return false;
  if (isIP(name)) return ip && sameAddress(name, host);
  if (name.startsWith('*.')) name = name.slice(1);
  return name.startsWith('.') ? host.endsWith(name) : host === name || host.endsWith(`.${name}`);
}

function isLoopback(host: string): boolean {
  const type = isIP(host);
  if (type === 0) return false;
  return inCidr(type === 4 ? '127.0.0.0/8' : '::1/128', host) || inCidr('::ffff:127.0.0.0/104', host);
}

function inCidr(cidr: string, address: string): boolean {
  const [net, bits] = cidr.split('/');
  const netType = isIP(net ?? '');
  const addrType = isIP(address);
  if (netType === 0 || addrType === 0 || !/^\d+$/.test(bits ?? '')) return false;
  const list = new BlockList();
  list.addSubnet(net!, Number(bits), netType === 4 ? 'ipv4' : 'ipv6');
  return list.check(address, addrType === 4 ? 'ipv4' : 'ipv6');
}

function sameAddress(a: string, b: string): boolean {
  const type = isIP(a);
  if (type !== isIP(b)) return false;
  const list = new BlockList();
  list.addAddress(a, type === 4 ? 'ipv4' : 'ipv6');
  return list.check(b, type === 4 ? 'ipv4' : 'ipv6');
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
