// SPDX-License-Identifier: Apache-2.0
/**
 * A git session: one private temporary directory holding the credential files of one operation
 * (SSH key, known_hosts, CA and client certificates, all mode 0600), the environment that points
 * real git at them, and a runner for git commands through simple-git.
 *
 * Credentials never go on a command line or into a repository's config on disk:
 * - HTTP(S) auth is an `Authorization` header scoped to the remote's origin, passed through
 *   `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n` (environment, not argv);
 * - SSH uses `GIT_SSH_COMMAND` with `-i <key> -o UserKnownHostsFile=… -o StrictHostKeyChecking=yes`;
 *   a key passphrase reaches ssh through an askpass script reading a 0600 file.
 * Global and system git config are ignored; terminal prompts are disabled.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import type { GitAuth } from './auth.ts';
import { authSecrets } from './auth.ts';
import { GitError, toGitError } from './errors.ts';

/** An HTTP(S) or SOCKS5 proxy (Flux's `proxySecretRef`: `address`, `username`, `password`). */
export interface GitProxy {
  address: string;
  username?: string;
  password?: string;
}

/** Options shared by every remote git operation. */
export interface GitSessionOptions {
  /** Authentication for the remote; none means anonymous. */
  auth?: GitAuth;
  /** Proxy for HTTP(S) remotes. */
  proxy?: GitProxy;
  /** Abort the whole operation after this long. @default 60000 (Flux's `spec.timeout`) */
  timeoutMs?: number;
  /** Aborts the operation (e.g. controller shutdown). */
  signal?: AbortSignal;
  /** The remote URL (used to scope the HTTP auth header to its origin). */
  url?: string;
}

const ALLOWED_ENV = [
  'GIT_SSH_COMMAND',
  'GIT_TERMINAL_PROMPT',
  'GIT_CONFIG_NOSYSTEM',
  'GIT_CONFIG_GLOBAL',
  'GIT_CONFIG_COUNT',
  'SSH_ASKPASS',
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_AUTHOR_DATE',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
  'GIT_COMMITTER_DATE',
  ...Array.from({ length: 16 }, (_, i) => [`GIT_CONFIG_KEY_${i}`, `GIT_CONFIG_VALUE_${i}`]).flat(),
];

const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** One operation's credentials, environment and git runner. Always {@link GitSession.dispose} it. */
export class GitSession {
  private readonly config: Array<[string, string]> = [];
  private readonly env: Record<string, string> = {};
  private readonly secrets: string[];
  private readonly signal: AbortSignal;
  private readonly timeoutSignal: AbortSignal;
  private disposed = false;

  private constructor(
    /** The private temporary directory of this session (mode 0700). */
    readonly tmp: string,
    opts: GitSessionOptions,
  ) {
    this.timeoutSignal = AbortSignal.timeout(opts.timeoutMs ?? 60_000);
    this.signal = opts.signal ? AbortSignal.any([opts.signal, this.timeoutSignal]) : this.timeoutSignal;
    this.secrets = [...authSecrets(opts.auth), opts.proxy?.password ?? ''].filter((s) => s !== '');
  }

  /** Creates the session directory and writes the credential files of `opts.auth`. */
  static async open(opts: GitSessionOptions = {}): Promise<GitSession> {
    const tmp = await mkdtemp(join(tmpdir(), 'eddy-git-'));
    await chmod(tmp, 0o700);
    const s = new GitSession(tmp, opts);
    try {
      await s.configure(opts);
    } catch (err) {
      await s.dispose();
      throw err;
    }
    return s;
  }

  private async secretFile(name: string, content: string, mode = 0o600): Promise<string> {
    const p = join(this.tmp, name);
    await writeFile(p, content.endsWith('\n') ? content : `${content}\n`, { mode });
    await chmod(p, mode);
    return p;
  }

  private async configure(opts: GitSessionOptions): Promise<void> {
    const { auth } = opts;
    Object.assign(this.env, {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: this.tmp,
      LC_ALL: 'C',
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
    });
    this.config.push(['init.defaultBranch', 'master'], ['advice.detachedHead', 'false'], ['gc.auto', '0']);
    const origin = originOf(opts.url);
    const scoped = (key: string): string => (origin ? `http.${origin}.${key}` : `http.${key}`);
    if (auth && (auth.transport === 'http' || auth.transport === 'https')) {
      if (auth.bearerToken) {
        this.config.push([scoped('extraHeader'), `Authorization: Bearer ${auth.bearerToken}`]);
      } else if (auth.username || auth.password) {
        const basic = Buffer.from(`${auth.username ?? ''}:${auth.password ?? ''}`).toString('base64');
        this.secrets.push(basic);
        this.config.push([scoped('extraHeader'), `Authorization: Basic ${basic}`]);
      }
      if (auth.caCert) this.config.push([scoped('sslCAInfo'), await this.secretFile('ca.crt', auth.caCert)]);
      if (auth.clientCert && auth.clientKey) {
        this.config.push([scoped('sslCert'), await this.secretFile('tls.crt', auth.clientCert)]);
        this.config.push([scoped('sslKey'), await this.secretFile('tls.key', auth.clientKey)]);
      }
    }
    if (opts.proxy?.address) this.config.push(['http.proxy', proxyUrl(opts.proxy)]);
    await this.configureSsh(auth);
  }

  private async configureSsh(auth: GitAuth | undefined): Promise<void> {
    const kh = await this.secretFile('known_hosts', auth?.knownHosts ?? '');
    const args = [
      'ssh',
      '-F',
      '/dev/null',
      '-o',
      `UserKnownHostsFile=${shq(kh)}`,
      '-o',
      'GlobalKnownHostsFile=/dev/null',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'IdentityAgent=none',
      '-o',
      'PasswordAuthentication=no',
      '-o',
      'KbdInteractiveAuthentication=no',
      '-o',
      'ConnectTimeout=30',
      '-o',
      'LogLevel=ERROR',
    ];
    if (auth?.identity) {
      const key = await this.secretFile('identity', auth.identity.replace(/\r\n/g, '\n'));
      args.push('-i', shq(key));
      if (auth.password) {
        const pass = await this.secretFile('passphrase', auth.password);
        this.env.SSH_ASKPASS = await this.secretFile('askpass.sh', `#!/bin/sh\ncat ${shq(pass)}\n`, 0o700);
        this.env.SSH_ASKPASS_REQUIRE = 'force';
        this.env.DISPLAY = ':0';
      } else {
        args.push('-o', 'BatchMode=yes');
      }
    } else {
      args.push('-o', 'BatchMode=yes');
    }
    this.env.GIT_SSH_COMMAND = args.join(' ');
  }

  /** Adds `-c`-style config for every later command (kept in the environment). */
  addConfig(key: string, value: string): void {
    this.config.push([key, value]);
  }

  /** Values to redact from any message produced in this session. */
  get redactions(): readonly string[] {
    return this.secrets;
  }

  /** True once the timeout elapsed. */
  get timedOut(): boolean {
    return this.timeoutSignal.aborted;
  }

  /** The abort signal of this session (timeout or caller's signal). */
  get abortSignal(): AbortSignal {
    return this.signal;
  }

  /** The environment git runs with (for tests and diagnostics; contains secrets). */
  environment(extra: Record<string, string> = {}): Record<string, string> {
    const env: Record<string, string> = { ...this.env, ...extra };
    const cfg = this.config.slice(0, 16);
    env.GIT_CONFIG_COUNT = String(cfg.length);
    cfg.forEach(([k, v], i) => {
      env[`GIT_CONFIG_KEY_${i}`] = k;
      env[`GIT_CONFIG_VALUE_${i}`] = v;
    });
    return env;
  }

  /**
   * Runs `git <args>` in `cwd` and returns stdout. Failures become {@link GitError}s named after
   * `context`, classified and redacted.
   */
  async run(args: string[], cwd: string, context: string, extraEnv: Record<string, string> = {}): Promise<string> {
    if (this.disposed) throw new GitError('OperationFailed', `${context}: session closed`);
    if (this.signal.aborted) throw toGitError(this.signal.reason, context, this.secrets, this.timedOut);
    const git = simpleGit({
      baseDir: cwd,
      abort: this.signal,
      allowEnvironment: ALLOWED_ENV,
      // Any non-zero exit is a failure, even without output on stderr.
      errors: (error, result) => {
        if (error) return error;
        if (result.exitCode === 0) return undefined;
        const stderr = Buffer.concat(result.stdErr).toString('utf8');
        return new Error(stderr.trim() || `git exited with code ${result.exitCode}`);
      },
      unsafe: {
        allowUnsafeSshCommand: true,
        allowUnsafeConfigEnvCount: true,
        allowUnsafeConfigPaths: true,
        allowUnsafeAskPass: true,
      },
    });
    try {
      return await git.env(this.environment(extraEnv)).raw(args);
    } catch (err) {
      throw toGitError(err, context, this.secrets, this.timedOut);
    }
  }

  /** Removes the session directory and every credential file in it. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await rm(this.tmp, { recursive: true, force: true });
  }
}

/** `scheme://host[:port]/` of an http(s) URL, used to scope auth config; undefined otherwise. */
export function originOf(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    return `${u.protocol}//${u.host}/`;
  } catch {
    return undefined;
  }
}

/** The proxy address with its credentials embedded (git's `http.proxy` format). */
export function proxyUrl(p: GitProxy): string {
  const u = new URL(p.address);
  if (p.username) u.username = encodeURIComponent(p.username);
  if (p.password) u.password = encodeURIComponent(p.password);
  return u.toString();
}

/** Runs `fn` with a fresh session and always disposes it. */
export async function withSession<T>(opts: GitSessionOptions, fn: (s: GitSession) => Promise<T>): Promise<T> {
  const s = await GitSession.open(opts);
  try {
    return await fn(s);
  } finally {
    await s.dispose();
  }
}
