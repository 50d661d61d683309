// SPDX-License-Identifier: Apache-2.0
/**
 * A loopback git server: smart HTTP (`git http-backend` behind Basic/Bearer auth) and SSH (sshd with a generated
 * client key), serving the same bare repositories, which tests create and change with real git.
 * @module
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { dirname, join, normalize } from 'node:path';
import { TestEnvError } from './errors.ts';
import { git } from './exec.ts';
import type { GitAuthMode, GitRequestRecord } from './git-http.ts';
import { gitHttpHandler } from './git-http.ts';
import { makeTempDir, systemToolPath } from './paths.ts';
import type { Reaper } from './reaper.ts';
import { removeDir, startReaper } from './reaper.ts';
import type { GitSshd } from './sshd.ts';
import { startGitSshd } from './sshd.ts';

/** A repository created by {@link GitServer.createRepo}. */
export interface GitRepo {
  /** `http://127.0.0.1:<port>/<name>.git`. */
  httpUrl: string;
  /** `ssh://<user>@127.0.0.1:<port>/<name>.git` ('' when SSH is off). */
  sshUrl: string;
  /** The bare repository's path. */
  dir: string;
  /** The commit on the branch, when content was given. */
  commit?: string;
}

/** Options of {@link GitServer.createRepo}. */
export interface CreateRepoOptions {
  /** The branch to commit on and make HEAD (default `main`). */
  branch?: string;
}

/** Options of {@link GitServer.commitFiles}. */
export interface CommitOptions {
  /** Default `main`. */
  branch?: string;
  /** Default `update`. */
  message?: string;
}

/** A running git server; see {@link startGitServer}. */
export interface GitServer {
  /** `http://127.0.0.1:<port>`. */
  httpUrl: string;
  /**
   * `ssh://<user>@127.0.0.1:<port>` with `<user>` the current user (root here): sshd cannot log in as a `git` user
   * that does not exist. Repositories are at `<sshUrl>/<name>.git`, mapped to the same bare repos as HTTP.
   */
  sshUrl: string;
  /** Basic auth user. */
  username: string;
  /** Basic auth password. */
  password: string;
  /** Bearer token. */
  token: string;
  /** The `known_hosts` line `[127.0.0.1]:<port> ssh-ed25519 AAAA…`. */
  knownHosts: string;
  /** The client private key sshd accepts (OpenSSH PEM). */
  clientPrivateKey: string;
  /** Its public key. */
  clientPublicKey: string;
  /** A file with {@link GitServer.clientPrivateKey} (mode 0600). */
  clientKeyFile: string;
  /** A file with {@link GitServer.knownHosts}. */
  knownHostsFile: string;
  /** A `GIT_SSH_COMMAND` using the client key, the known_hosts file and `StrictHostKeyChecking=yes`. */
  sshCommand: string;
  /** Every HTTP request answered, in order (method, url, status). */
  requests: GitRequestRecord[];
  /**
   * Creates a bare repository `<name>.git` and, when `from` is given, commits it on the branch with real git.
   * @param name - e.g. `fleet` or `org/app` (`.git` is appended unless present).
   * @param from - a directory to copy (its `.git` is skipped) or a map of relative paths to contents.
   * @param opts - the branch.
   */
  createRepo(name: string, from?: string | Record<string, string>, opts?: CreateRepoOptions): Promise<GitRepo>;
  /**
   * Commits changes to a branch of an existing repository: each path is written, or deleted when its value is null.
   * @returns the new commit's SHA.
   */
  commitFiles(name: string, files: Record<string, string | null>, opts?: CommitOptions): Promise<string>;
  /**
   * Creates a tag in a repository.
   * @param name - the repository.
   * @param tag - the tag name.
   * @param opts - what to tag (default `main`) and an annotation message (lightweight tag without).
   * @returns the SHA of the tagged commit.
   */
  tag(name: string, tag: string, opts?: { ref?: string; message?: string }): Promise<string>;
  /** Stops HTTP and SSH and removes every repository. Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startGitServer}. */
export interface GitServerOptions {
  /** Which HTTP credentials are accepted (default `both`: Basic or Bearer). `none` allows anonymous access. */
  auth?: GitAuthMode;
  /** Start sshd (default true; needs openssh-server). */
  ssh?: boolean;
}

function repoPath(name: string): string {
  const withGit = name.endsWith('.git') ? name : `${name}.git`;
  const badSegment = withGit.split('/').some((p) => p === '..' || p === '' || p === '.');
  if (!/^[A-Za-z0-9._/-]+$/.test(withGit) || badSegment) {
    throw new TestEnvError(`invalid repository name ${JSON.stringify(name)}: use letters, digits, . _ - and /`);
  }
  return normalize(withGit);
}

function writeTree(work: string, from: string | Record<string, string | null>): void {
  if (typeof from === 'string') {
    cpSync(from, work, { recursive: true, filter: (src) => !/(^|\/)\.git(\/|$)/.test(src.slice(from.length)) });
    return;
  }
  for (const [rel, content] of Object.entries(from)) {
    const file = join(work, normalize(rel));
    if (!file.startsWith(`${work}/`)) throw new TestEnvError(`file path ${rel} escapes the repository`);
    if (content === null) {
      rmSync(file, { force: true, recursive: true });
    } else {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
  }
}

class LocalGitServer implements GitServer {
  readonly username = 'eddy';
  readonly password = randomBytes(12).toString('hex');
  readonly token = randomBytes(24).toString('hex');
  readonly requests: GitRequestRecord[] = [];
  httpUrl = '';
  sshUrl = '';
  knownHosts = '';
  clientPrivateKey = '';
  clientPublicKey = '';
  clientKeyFile = '';
  knownHostsFile = '';
  sshCommand = '';
  server: Server | undefined;
  sshd: GitSshd | undefined;
  #stopping: Promise<void> | undefined;

  constructor(
    readonly dir: string,
    readonly reaper: Reaper,
  ) {}

  get reposDir(): string {
    return join(this.dir, 'repos');
  }

  urlsOf(rel: string): { httpUrl: string; sshUrl: string } {
    return { httpUrl: `${this.httpUrl}/${rel}`, sshUrl: this.sshUrl ? `${this.sshUrl}/${rel}` : '' };
  }

  async createRepo(
    name: string,
    from?: string | Record<string, string>,
    opts: CreateRepoOptions = {},
  ): Promise<GitRepo> {
    const rel = repoPath(name);
    const branch = opts.branch ?? 'main';
    const bare = join(this.reposDir, rel);
    mkdirSync(dirname(bare), { recursive: true });
    await git(['init', '-q', '--bare', `--initial-branch=${branch}`, bare]);
    const repo: GitRepo = { ...this.urlsOf(rel), dir: bare };
    if (from !== undefined) repo.commit = await this.#commit(bare, from, branch, 'initial commit', false);
    return repo;
  }

  async commitFiles(name: string, files: Record<string, string | null>, opts: CommitOptions = {}): Promise<string> {
    const bare = join(this.reposDir, repoPath(name));
    return this.#commit(bare, files, opts.branch ?? 'main', opts.message ?? 'update', true);
  }

  async tag(name: string, tag: string, opts: { ref?: string; message?: string } = {}): Promise<string> {
    const bare = join(this.reposDir, repoPath(name));
    const ref = opts.ref ?? 'main';
    const annotate = opts.message === undefined ? [] : ['-a', '-m', opts.message];
    await git(['-C', bare, 'tag', ...annotate, tag, ref]);
    return (await git(['-C', bare, 'rev-parse', `${tag}^{commit}`])).trim();
  }

  async #commit(
    bare: string,
    tree: string | Record<string, string | null>,
    branch: string,
    message: string,
    existing: boolean,
  ): Promise<string> {
    const work = mkdtempSync(join(this.dir, 'work-'));
    try {
      if (existing) {
        await git(['clone', '-q', '--branch', branch, bare, work]);
      } else {
        await git(['init', '-q', `--initial-branch=${branch}`, work]);
      }
      writeTree(work, tree);
      await git(['add', '-A'], { cwd: work });
      await git(['commit', '-q', '--allow-empty', '-m', message], { cwd: work });
      await git(['push', '-q', bare, `HEAD:refs/heads/${branch}`], { cwd: work });
      return (await git(['rev-parse', 'HEAD'], { cwd: work })).trim();
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    const server = this.server;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await this.sshd?.daemon.stop();
    removeDir(this.dir);
    await this.reaper.dismiss();
  }
}

/**
 * Starts a git server on 127.0.0.1: smart HTTP with push, and SSH with a generated client key.
 * @param opts - HTTP auth mode (default `both`), whether to run sshd (default true).
 * @throws {@link ToolNotFoundError} when git-http-backend or sshd is missing (`make setup`),
 *   {@link StartupError} when sshd does not start.
 */
export async function startGitServer(opts: GitServerOptions = {}): Promise<GitServer> {
  const backend = systemToolPath('git-http-backend', 'install git (`apt-get install -y git`)');
  const dir = makeTempDir('eddy-git-');
  const reaper = startReaper(dir);
  const gs = new LocalGitServer(dir, reaper);
  try {
    mkdirSync(gs.reposDir, { recursive: true });
    const creds = { mode: opts.auth ?? 'both', username: gs.username, password: gs.password, token: gs.token };
    const handler = gitHttpHandler({
      projectRoot: gs.reposDir,
      backend,
      creds,
      logFile: join(dir, 'git-http-backend.log'),
      records: gs.requests,
    });
    const server = createServer(handler);
    gs.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    server.unref();
    const address = server.address();
    gs.httpUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    if (opts.ssh !== false) {
      const sshd = await startGitSshd(join(dir, 'ssh'), gs.reposDir, reaper);
      gs.sshd = sshd;
      gs.sshUrl = `ssh://${sshd.user}@127.0.0.1:${sshd.port}`;
      Object.assign(gs, {
        knownHosts: sshd.knownHosts,
        clientPrivateKey: sshd.clientPrivateKey,
        clientPublicKey: sshd.clientPublicKey,
        clientKeyFile: sshd.clientKeyFile,
        knownHostsFile: sshd.knownHostsFile,
        sshCommand:
          `ssh -F /dev/null -i ${sshd.clientKeyFile} -o IdentitiesOnly=yes ` +
          `-o UserKnownHostsFile=${sshd.knownHostsFile} -o StrictHostKeyChecking=yes -o BatchMode=yes`,
      });
    }
    return gs;
  } catch (err) {
    await gs.stop();
    throw err;
  }
}
