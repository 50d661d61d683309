// SPDX-License-Identifier: Apache-2.0
/**
 * The HTTP layer under the dynamic client. Authentication comes from client-node's `KubeConfig`
 * (token, token file, client certificates, CA, exec plugins, auth providers) through
 * `applyToHTTPSOptions`; the requests themselves go over `node:https` with one keep-alive agent,
 * so bodies are sent byte for byte and nothing is (de)serialised behind our back.
 */
import http from 'node:http';
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { realClock, type Clock } from '../clock/index.ts';
import { ApiError } from './errors.ts';

/** Options of {@link Transport}. */
export interface TransportOptions {
  /** A kubeconfig path or a loaded KubeConfig. @default `KUBECONFIG`, in-cluster, then `~/.kube/config` */
  kubeconfig?: string | KubeConfig;
  /** The kubeconfig context to use. @default the current context */
  context?: string;
  /** @default realClock */
  clock?: Clock;
  /** Idle timeout of a non-watch request. @default 60000 */
  requestTimeoutMs?: number;
  /** @default `eddy/0.1` */
  userAgent?: string;
  /** How long credentials (headers, TLS material) are reused before asking KubeConfig again. @default 10000 */
  authTtlMs?: number;
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
  headers: Record<string, string>;
  agent: http.Agent;
  tlsKey: string;
  at: number;
}

/** Loads a KubeConfig the way kubectl does. */
export function loadKubeConfig(source?: string | KubeConfig, context?: string): KubeConfig {
  let kc: KubeConfig;
  if (source instanceof KubeConfig) kc = source;
  else {
    kc = new KubeConfig();
    if (source) kc.loadFromFile(source);
    else kc.loadFromDefault();
  }
  if (context) kc.setCurrentContext(context);
  if (!kc.getCurrentCluster()) throw new Error('kubeconfig has no current cluster');
  return kc;
}

/** The authenticated, keep-alive HTTP transport to one apiserver. */
export class Transport {
  /** The loaded kubeconfig. */
  readonly kubeConfig: KubeConfig;
  /** The apiserver's base URL. */
  readonly server: URL;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private readonly authTtlMs: number;
  private snapshot: AuthSnapshot | undefined;
  private pendingAuth: Promise<AuthSnapshot> | undefined;
  private closed = false;

  constructor(opts: TransportOptions = {}) {
    this.kubeConfig = loadKubeConfig(opts.kubeconfig, opts.context);
    this.server = new URL(this.kubeConfig.getCurrentCluster()!.server);
    this.clock = opts.clock ?? realClock;
    this.timeoutMs = opts.requestTimeoutMs ?? 60_000;
    this.userAgent = opts.userAgent ?? 'eddy/0.1';
    this.authTtlMs = opts.authTtlMs ?? 10_000;
  }

  /** Sends a request and buffers the answer; non-2xx answers are returned, not thrown. */
  async request(req: HttpRequest): Promise<HttpResponse> {
    let res = await this.send(req, false);
    if (res.statusCode === 401) {
      res.resume();
      res = await this.send(req, true);
    }
    const body = await readBody(res);
    return { status: res.statusCode ?? 0, body };
  }

  /**
   * Sends a request whose answer is streamed (a watch). Resolves with the response once a 2xx
   * status arrives; other statuses reject with {@link ApiError}. The request timeout bounds the
   * wait for response headers only (a server that accepts and never answers cannot hang us).
   */
  async stream(req: HttpRequest): Promise<http.IncomingMessage> {
    let res = await this.send(req, false);
    if (res.statusCode === 401) {
      res.resume();
      res = await this.send(req, true);
    }
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

  private async send(req: HttpRequest, refreshAuth: boolean): Promise<http.IncomingMessage> {
    if (this.closed) throw new Error('transport closed');
    const auth = await this.auth(refreshAuth);
    const url = new URL(this.server.href.replace(/\/$/, '') + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { ...auth.headers, Accept: 'application/json', 'User-Agent': this.userAgent };
    if (req.body !== undefined) {
      headers['Content-Type'] = req.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(req.body));
    }
    const mod = url.protocol === 'http:' ? http : https;
    return new Promise((resolve, reject) => {
      const r = mod.request(url, { method: req.method, headers, agent: auth.agent, signal: req.signal }, resolve);
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

  private async loadAuth(): Promise<AuthSnapshot> {
    const opts: https.RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(opts);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) {
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
    }
    if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    const tls = {
      ca: opts.ca,
      cert: opts.cert,
      key: opts.key,
      rejectUnauthorized: opts.rejectUnauthorized,
      servername: opts.servername,
    };
    const tlsKey = JSON.stringify([tls.ca, tls.cert, tls.key, tls.rejectUnauthorized, tls.servername].map(String));
    const prev = this.snapshot;
    let agent = prev?.agent;
    if (!agent || prev?.tlsKey !== tlsKey) {
      const base = { keepAlive: true, keepAliveMsecs: 30_000, scheduling: 'lifo' as const };
      agent =
        this.server.protocol === 'http:'
          ? new http.Agent(base)
          : new https.Agent({ ...base, ...stripUndefined(tls) } as https.AgentOptions);
    }
    this.snapshot = { headers, agent, tlsKey, at: this.clock.now() };
    return this.snapshot;
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
