// SPDX-License-Identifier: Apache-2.0
/**
 * A `fetch` for registries, built on node:http(s) so that it can carry what the global fetch of
 * Node 20 cannot: a custom CA, a client certificate, skipping verification, and an egress guard
 * checked on every resolved address. It returns standard `Response` objects, follows redirects
 * itself (dropping `Authorization` when the host changes) and honours an `AbortSignal`.
 *
 * Proxies come from `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` as in Flux's Go controllers
 * (`http.ProxyFromEnvironment`): https registries through a `CONNECT` tunnel (the runtime's
 * {@link ConnectProxyAgent}, TLS to the registry inside it), plain-HTTP ones with absolute-form
 * requests. Through a proxy the egress guard still refuses literal addresses, but host names are
 * resolved by the proxy, whose own egress rules then apply.
 */
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { ConnectProxyAgent, proxyFromEnvironment, type Proxy, type ProxyEnvironment } from '../client/proxy.ts';
import type { EgressPolicy } from './egress.ts';
import { assertLiteralHostAllowed, guardedLookup } from './egress.ts';

/** TLS settings for a registry (Flux `certSecretRef`: `ca.crt`, `tls.crt`, `tls.key`). */
export interface TlsOptions {
  ca?: string;
  cert?: string;
  key?: string;
  /** Skip certificate verification. */
  insecureSkipVerify?: boolean;
}

/** Options of {@link createFetch}. */
export interface TransportOptions {
  tls?: TlsOptions;
  /** Refuse destinations by address; `null` turns the guard off. @default defaultEgressPolicy */
  egress?: EgressPolicy | null;
  /** Maximum redirects to follow. @default 5 */
  maxRedirects?: number;
  /** Value of the `User-Agent` header. @default 'eddy' */
  userAgent?: string;
  /**
   * Where `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` are read from (once per request);
   * `null` never uses a proxy. @default process.env
   */
  proxyEnv?: ProxyEnvironment | null;
}

/** The fetch signature this package uses. */
export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

/** Creates a {@link FetchLike} with the given TLS and egress settings. */
export function createFetch(opts: TransportOptions = {}): FetchLike {
  const lookup = opts.egress === null ? undefined : guardedLookup(opts.egress ?? undefined);
  const agentOpts = {
    keepAlive: true,
    ...(opts.tls?.ca ? { ca: opts.tls.ca } : {}),
    ...(opts.tls?.cert ? { cert: opts.tls.cert } : {}),
    ...(opts.tls?.key ? { key: opts.tls.key } : {}),
    rejectUnauthorized: !opts.tls?.insecureSkipVerify,
    ...(lookup ? { lookup } : {}),
  };
  const httpsAgent = new https.Agent(agentOpts as https.AgentOptions);
  const httpAgent = new http.Agent({ keepAlive: true, ...(lookup ? { lookup } : {}) } as http.AgentOptions);
  const maxRedirects = opts.maxRedirects ?? 5;
  const proxyFor = proxyResolver(opts.proxyEnv);
  // The proxy resolves the registry's name: no egress lookup on tunnels.
  const { lookup: _direct, ...tunnelOpts } = agentOpts;
  const proxyAgent = proxyAgents(tunnelOpts as https.AgentOptions);

  /** Starts the request, directly or through the environment's proxy for `url`. */
  const send = (url: URL, common: http.RequestOptions & { headers: Record<string, string> }): http.ClientRequest => {
    const isHttps = url.protocol === 'https:';
    const proxy = proxyFor(url);
    if (!proxy) return (isHttps ? https : http).request(url, { ...common, agent: isHttps ? httpsAgent : httpAgent });
    if (isHttps) return https.request(url, { ...common, agent: proxyAgent(proxy, true) });
    // Plain HTTP through a forward proxy: absolute-form request line, sent to the proxy.
    const headers = { ...common.headers, host: url.host, ...(proxy.authorization ? { 'proxy-authorization': proxy.authorization } : {}) };
    const host = proxy.url.hostname.replace(/^\[|\]$/g, '');
    return http.request({ ...common, headers, host, port: proxy.url.port || 80, path: url.href, agent: proxyAgent(proxy, false) });
  };

  const once = (url: URL, init: RequestInit): Promise<Response> =>
    new Promise((resolve, reject) => {
      if (opts.egress !== null) {
        try {
          assertLiteralHostAllowed(url.hostname, opts.egress ?? undefined);
        } catch (err) {
          reject(err);
          return;
        }
      }
      const headers: Record<string, string> = { 'user-agent': opts.userAgent ?? 'eddy' };
      new Headers(init.headers).forEach((v, k) => {
        headers[k] = v;
      });
      let req: http.ClientRequest;
      try {
        req = send(url, { method: init.method ?? 'GET', headers, ...(init.signal ? { signal: init.signal } : {}) });
      } catch (err) {
        reject(err);
        return;
      }
      req.on('error', reject);
      req.on('response', (res) => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          if (Array.isArray(v)) v.forEach((x) => h.append(k, x));
          else if (v !== undefined) h.set(k, v);
        }
        const status = res.statusCode ?? 0;
        const noBody = init.method === 'HEAD' || status === 204 || status === 304;
        if (noBody) res.resume();
        const body = noBody ? null : (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>);
        resolve(new Response(body, { status, statusText: res.statusMessage ?? '', headers: h }));
      });
      const b = init.body;
      if (b === undefined || b === null) req.end();
      else if (typeof b === 'string' || b instanceof Uint8Array) req.end(b);
      else if (b instanceof ArrayBuffer) req.end(Buffer.from(b));
      else if (b instanceof ReadableStream) Readable.fromWeb(b as never).pipe(req);
      else reject(new TypeError('unsupported request body'));
    });

  return async (raw, init = {}) => {
    let url = new URL(raw);
    let currentInit = init;
    for (let hop = 0; ; hop++) {
      const res = await once(url, currentInit);
      if (![301, 302, 303, 307, 308].includes(res.status)) return res;
      const loc = res.headers.get('location');
      if (!loc || hop >= maxRedirects) return res;
      await res.body?.cancel();
      const next = new URL(loc, url);
      const headers = new Headers(currentInit.headers);
      if (next.host !== url.host) headers.delete('authorization');
      const method = res.status === 303 ? 'GET' : (currentInit.method ?? 'GET');
      currentInit = { ...currentInit, method, headers };
      url = next;
    }
  };
}

/** One keep-alive agent per proxy: `CONNECT` tunnels (with `tls` settings) for https, relays for http. */
function proxyAgents(tls: https.AgentOptions): (proxy: Proxy, isHttps: boolean) => http.Agent {
  const agents = new Map<string, http.Agent>();
  return (proxy, isHttps) => {
    const key = `${isHttps ? 'tunnel' : 'relay'} ${proxy.url.href}`;
    let agent = agents.get(key);
    if (!agent) {
      agent = isHttps ? new ConnectProxyAgent({ ...tls, proxy }) : new http.Agent({ keepAlive: true });
      agents.set(key, agent);
    }
    return agent;
  };
}

/** The proxy of a URL from `env` (`process.env` when undefined; `null`: never a proxy). */
function proxyResolver(env: ProxyEnvironment | null | undefined): (url: URL) => Proxy | undefined {
  if (env === null) return () => undefined;
  const from = env ?? process.env;
  return (url) => proxyFromEnvironment(url, from);
}
