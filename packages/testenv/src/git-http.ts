// SPDX-License-Identifier: Apache-2.0
/**
 * Git smart HTTP: a node:http handler that checks Basic or Bearer credentials and runs `git http-backend` as a
 * CGI program for each request (push enabled).
 * @module
 */
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Which credentials the git HTTP server accepts. */
export type GitAuthMode = 'basic' | 'bearer' | 'both' | 'none';

/** The credentials of a git HTTP server. */
export interface GitCredentials {
  /** Which kinds are accepted. */
  mode: GitAuthMode;
  /** Basic auth user. */
  username: string;
  /** Basic auth password. */
  password: string;
  /** Bearer token. */
  token: string;
}

/** One request the git HTTP server answered. */
export interface GitRequestRecord {
  /** GET or POST. */
  method: string;
  /** Path and query. */
  url: string;
  /** The status sent. */
  status: number;
}

/**
 * Whether a request carries acceptable credentials.
 * @param header - the Authorization header.
 * @param creds - what is accepted.
 */
export function checkAuthorization(header: string | undefined, creds: GitCredentials): boolean {
  if (creds.mode === 'none') return true;
  if (!header) return false;
  const [scheme = '', value = ''] = header.split(/\s+/, 2);
  if (scheme.toLowerCase() === 'basic' && (creds.mode === 'basic' || creds.mode === 'both')) {
    return Buffer.from(value, 'base64').toString('utf8') === `${creds.username}:${creds.password}`;
  }
  if (scheme.toLowerCase() === 'bearer' && (creds.mode === 'bearer' || creds.mode === 'both')) {
    return value === creds.token;
  }
  return false;
}

function challenge(mode: GitAuthMode): string[] {
  const out: string[] = [];
  if (mode === 'basic' || mode === 'both') out.push('Basic realm="eddy-git"');
  if (mode === 'bearer' || mode === 'both') out.push('Bearer realm="eddy-git"');
  return out;
}

/** Splits a CGI response into its status, headers and the start of the body. */
function parseCgiHead(head: string): { status: number; headers: [string, string][] } {
  let status = 200;
  const headers: [string, string][] = [];
  for (const line of head.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim();
    const value = line.slice(i + 1).trim();
    if (name.toLowerCase() === 'status') status = parseInt(value, 10) || 200;
    else headers.push([name, value]);
  }
  return { status, headers };
}

/** Options of {@link gitHttpHandler}. */
export interface GitHttpOptions {
  /** The directory holding the bare repositories (GIT_PROJECT_ROOT). */
  projectRoot: string;
  /** Absolute path of `git-http-backend`. */
  backend: string;
  /** Accepted credentials. */
  creds: GitCredentials;
  /** Receives stderr of the backend. */
  logFile: string;
  /** Every answered request is appended here. */
  records: GitRequestRecord[];
}

function cgiEnv(req: IncomingMessage, url: URL, opts: GitHttpOptions): NodeJS.ProcessEnv {
  const h = req.headers;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GIT_PROJECT_ROOT: opts.projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_COUNT: '2',
    GIT_CONFIG_KEY_0: 'http.receivepack',
    GIT_CONFIG_VALUE_0: 'true',
    GIT_CONFIG_KEY_1: 'uploadpack.allowFilter',
    GIT_CONFIG_VALUE_1: 'true',
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.replace(/^\?/, ''),
    CONTENT_TYPE: h['content-type'] ?? '',
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    REMOTE_USER: opts.creds.mode === 'none' ? 'anonymous' : opts.creds.username,
    SERVER_PROTOCOL: 'HTTP/1.1',
  };
  if (h['content-length']) env.CONTENT_LENGTH = h['content-length'];
  if (h['content-encoding']) env.HTTP_CONTENT_ENCODING = h['content-encoding'];
  if (h['git-protocol']) env.GIT_PROTOCOL = String(h['git-protocol']);
  return env;
}

/**
 * A request handler serving every bare repository under `projectRoot` with `git http-backend`.
 * Unauthenticated or wrongly authenticated requests get 401 with `WWW-Authenticate` challenges.
 * @param opts - repositories, backend path, credentials, log.
 */
export function gitHttpHandler(opts: GitHttpOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const record = (status: number): void => {
      opts.records.push({ method: req.method ?? 'GET', url: req.url ?? '/', status });
    };
    if (!checkAuthorization(req.headers.authorization, opts.creds)) {
      req.resume();
      res.writeHead(401, { 'WWW-Authenticate': challenge(opts.creds.mode), 'Content-Type': 'text/plain' });
      res.end('authentication required\n');
      record(401);
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const cgi = spawn(opts.backend, [], { env: cgiEnv(req, url, opts), stdio: ['pipe', 'pipe', 'pipe'] });
    req.pipe(cgi.stdin);
    cgi.stdin.on('error', () => undefined);
    cgi.stderr.on('data', (c: Buffer) => appendFileSync(opts.logFile, c));
    let head = Buffer.alloc(0);
    let headersSent = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersSent) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const text = head.toString('latin1');
      const m = /\r?\n\r?\n/.exec(text);
      if (!m) return;
      const { status, headers } = parseCgiHead(text.slice(0, m.index));
      res.writeHead(status, Object.fromEntries(headers));
      headersSent = true;
      record(status);
      res.write(head.subarray(m.index + m[0].length));
    });
    cgi.on('error', (err) => {
      appendFileSync(opts.logFile, `spawn ${opts.backend}: ${err.message}\n`);
      if (!headersSent) res.writeHead(500);
      res.end();
    });
    cgi.on('close', () => {
      if (!headersSent) {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        record(500);
        res.end('git http-backend produced no response\n');
        return;
      }
      res.end();
    });
  };
}
