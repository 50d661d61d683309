// SPDX-License-Identifier: Apache-2.0
/**
 * The HTTP layer under the dynamic client. Kubeconfigs are loaded by `kubeconfig.ts` and turned
 * into headers and TLS material by `credentials.ts` (token, rotating token file, basic auth, client
 * certificates, CA, impersonation); only exec plugins and auth providers need client-node, which
 * is then imported on first use. The requests themselves go over `node:https` with one keep-alive
 * agent (through the cluster's `proxy-url`, if any), so bodies are sent byte for byte and nothing
 * is (de)serialised behind our back. Answers that ask to come back later (429, or 5xx with
 * `Retry-After`; 503/504 to reads and applies) are retried as client-go does (`retry.ts`).
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { realClock, type Clock } from '../clock/index.ts';
import { ApiError } from './errors.ts';
import { isClientNodeKubeConfig, loadKubeConfig, type KubeconfigSource, type LoadedKubeconfig } from './kubeconfig.ts';
import { PluginCredentials, needsClientNode, requireClientNodeKubeConfig, staticCredentials, type Credentials } from './credentials.ts';
import { ConnectProxyAgent, parseProxyUrl, type Proxy } from './proxy.ts';
import { retryDelayMs, type RetryOptions } from './retry.ts';

/** Options of {@link Transport}. */
export interface TransportOptions {
  /**
   * A kubeconfig path, a {@link LoadedKubeconfig}, or a client-node `KubeConfig`.
   * @default `KUBECONFIG`, in-cluster, then `~/.kube/config`
   */
  kubeconfig?: KubeconfigSource;
  /** The kubeconfig context to use. @default the current context */
  context?: string;
  /** @default realClock */
  clock?: Clock;
  /** Idle timeout of a non-watch request. @default 60000 */
  requestTimeoutMs?: number;
  /** @default `eddy/0.1` */
  userAgent?: string;
  /**
   * How long credentials (headers, TLS material) are reused before they are resolved again
   * (token, CA and certificate files re-read; plugins asked). A 401 answer refreshes them at once.
   * @default 10000
   */
  authTtlMs?: number;
  /**
   * Retries of answers that ask to come back later (see `retry.ts`); waits go through `clock`.
   * `false` disables them. @default client-go's: up to 10 retries
   */
  retry?: RetryOptions | false;
}

/** One HTTP request to the apiserver. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Absolute API path, e.g. `/api/v1/namespaces/default/configmaps`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: string;
  contentType?: string;
  signal?: AbortSignal;
  /** Overrides {@link TransportOptions.requestTimeoutMs}; 0 disables it. */
  timeoutMs?: number;
}

/** A buffered answer. */
export interface HttpResponse {
  status: number;
  body: string;
}

interface AuthSnapshot {
  headers: Record<string, string | string[]>;
  agent: http.Agent;
  tlsKey: string;
  at: number;
}

/** The authenticated, keep-alive HTTP transport to one apiserver. */
export class Transport {
  /** The loaded kubeconfig, its context selected. */
  readonly config: LoadedKubeconfig;
  /** The apiserver's base URL. */
  readonly server: URL;
  private readonly proxy: Proxy | undefined;
  private readonly given: KubeConfig | undefined;
  private clientNodeConfig: KubeConfig | undefined;
  private plugin: PluginCredentials | undefined;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private readonly authTtlMs: number;
  private readonly retry: RetryOptions;
  private snapshot: AuthSnapshot | undefined;
  private pendingAuth: Promise<AuthSnapshot> | undefined;
  private closed = false;

  constructor(opts: TransportOptions = {}) {
    this.config = loadKubeConfig(opts.kubeconfig, opts.context);
    this.given = isClientNodeKubeConfig(opts.kubeconfig) ? opts.kubeconfig : undefined;
    const cluster = this.config.getCurrentCluster()!;
    this.server = new URL(cluster.server);
    this.proxy = parseProxyUrl(cluster.proxyUrl, this.server);
    this.clock = opts.clock ?? realClock;
    this.timeoutMs = opts.requestTimeoutMs ?? 60_000;
    this.userAgent = opts.userAgent ?? 'eddy/0.1';
    this.authTtlMs = opts.authTtlMs ?? 10_000;
    this.retry = opts.retry === false ? { maxRetries: 0 } : (opts.retry ?? {});
  }

  /**
   * The kubeconfig as a client-node `KubeConfig`: the one passed in, else one built (and
   * client-node loaded) on first access.
   * @deprecated Use {@link Transport.config}; this loads client-node (~80 MiB) when nothing else has.
   */
  get kubeConfig(): KubeConfig {
    this.clientNodeConfig ??= this.given ?? requireClientNodeKubeConfig(this.config);
    return this.clientNodeConfig;
  }

  /**
   * Sends a request and buffers the answer; non-2xx answers are returned, not thrown (after the
   * retries a 429 or 5xx may earn, see `retry.ts`).
   */
  async request(req: HttpRequest): Promise<HttpResponse> {
    const res = await this.sendRetrying(req);
    const body = await readBody(res);
    return { status: res.statusCode ?? 0, body };
  }

  /**
   * Sends a request whose answer is streamed (a watch). Resolves with the response once a 2xx
   * status arrives; other statuses reject with {@link ApiError}. The request timeout bounds the
   * wait for response headers only (a server that accepts and never answers cannot hang us).
   */
  async stream(req: HttpRequest): Promise<http.IncomingMessage> {
    const res = await this.sendRetrying(req);
    // The timeout guarded the wait for headers; a stream may then stay quiet for minutes.
    res.socket?.setTimeout(0);
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) {
      throw ApiError.fromResponse(status, await readBody(res), `${req.method} ${req.path}`);
    }
    return res;
  }

  /** Closes idle keep-alive sockets; in-flight requests finish. */
  close(): void {
    this.closed = true;
    this.snapshot?.agent.destroy();
    this.snapshot = undefined;
  }

  /** {@link Transport.sendAuthenticated}, again while the answer asks to come back later. */
  private async sendRetrying(req: HttpRequest): Promise<http.IncomingMessage> {
    for (let attempt = 1; ; attempt++) {
      const res = await this.sendAuthenticated(req);
      const wait = retryDelayMs(req, res.statusCode ?? 0, res.headers['retry-after'], attempt, this.retry);
      if (wait === undefined) return res;
      res.resume();
      await this.clock.sleep(wait, req.signal);
    }
  }

  /** One attempt; a 401 refreshes the credentials and sends once more. */
  private async sendAuthenticated(req: HttpRequest): Promise<http.IncomingMessage> {
    const res = await this.send(req, false);
    if (res.statusCode !== 401) return res;
    res.resume();
    return this.send(req, true);
  }

  private async send(req: HttpRequest, refreshAuth: boolean): Promise<http.IncomingMessage> {
    if (this.closed) throw new Error('transport closed');
    const auth = await this.auth(refreshAuth);
    const url = new URL(this.server.href.replace(/\/$/, '') + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: http.OutgoingHttpHeaders = { ...auth.headers, Accept: 'application/json', 'User-Agent': this.userAgent };
    if (req.body !== undefined) {
      headers['Content-Type'] = req.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(req.body));
    }
    return new Promise((resolve, reject) => {
      const common = { method: req.method, headers, agent: auth.agent, signal: req.signal };
      let r: http.ClientRequest;
      if (url.protocol === 'http:' && this.proxy) {
        // Plain HTTP through a forward proxy: absolute-form request line, sent to the proxy.
        const { url: proxy, authorization } = this.proxy;
        if (authorization) headers['Proxy-Authorization'] = authorization;
        headers.Host = url.host;
        r = http.request({ ...common, host: proxy.hostname.replace(/^\[|\]$/g, ''), port: proxy.port || 80, path: url.href }, resolve);
      } else r = (url.protocol === 'http:' ? http : https).request(url, common, resolve);
      r.on('error', reject);
      const timeout = req.timeoutMs ?? this.timeoutMs;
      if (timeout > 0) {
        r.setTimeout(timeout, () => r.destroy(new Error(`${req.method} ${url.pathname}: no answer within ${timeout}ms`)));
      }
      r.end(req.body);
    });
  }

  private async auth(refresh: boolean): Promise<AuthSnapshot> {
    const s = this.snapshot;
    if (!refresh && s && this.clock.now() - s.at < this.authTtlMs) return s;
    this.pendingAuth ??= this.loadAuth().finally(() => {
      this.pendingAuth = undefined;
    });
    return this.pendingAuth;
  }

  private async credentials(): Promise<Credentials> {
    const cluster = this.config.getCurrentCluster()!;
    const user = this.config.getCurrentUser();
    const creds = await staticCredentials(cluster, user);
    if (!needsClientNode(user)) return creds;
    this.plugin ??= new PluginCredentials(this.config, this.given);
    return this.plugin.apply(creds);
  }

  private async loadAuth(): Promise<AuthSnapshot> {
    const { headers, ...tls } = await this.credentials();
    const tlsKey = JSON.stringify([tls.ca, tls.cert, tls.key, tls.rejectUnauthorized, tls.servername].map(String));
    const prev = this.snapshot;
    let agent = prev?.agent;
    if (!agent || prev?.tlsKey !== tlsKey) agent = this.newAgent(tls);
    this.snapshot = { headers, agent, tlsKey, at: this.clock.now() };
    return this.snapshot;
  }

  private newAgent(tls: Omit<Credentials, 'headers'>): http.Agent {
    const base = { keepAlive: true, keepAliveMsecs: 30_000, scheduling: 'lifo' as const };
    if (this.server.protocol === 'http:') return new http.Agent(base);
    const opts = { ...base, ...stripUndefined(tls) } as https.AgentOptions;
    return this.proxy ? new ConnectProxyAgent({ ...opts, proxy: this.proxy, connectTimeoutMs: this.timeoutMs }) : new https.Agent(opts);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function readBody(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
    res.on('aborted', () => reject(new Error('response aborted')));
  });
}
