// SPDX-License-Identifier: Apache-2.0
/**
 * Writing side of the git client, for image automation: switch to (or create) a branch,
 * commit every change in the worktree with a given author (optionally signed with an OpenPGP or
 * SSH key), and push branches or refspecs with push options — all with the same credential
 * handling as clones (see {@link GitSession}).
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { effectiveUrl } from './clone.ts';
import { GitError } from './errors.ts';
import { assertRefName } from './remote.ts';
import type { GitSessionOptions } from './session.ts';
import { withSession } from './session.ts';

const execFileP = promisify(execFile);

/** A commit author (the committer is the same). */
export interface CommitAuthor {
  name: string;
  email: string;
}

/** A key to sign commits with (image automation's `signingKey`). */
export interface SigningKey {
  type: 'gpg' | 'ssh';
  /** Armored OpenPGP private key, or OpenSSH private key. */
  privateKey: string;
  /** Passphrase of an OpenPGP key. */
  passphrase?: string;
}

/** Options of {@link commitAll}. */
export interface CommitOptions {
  author: CommitAuthor;
  message: string;
  signingKey?: SigningKey;
  /** Commit time as RFC 3339 (for reproducible tests). @default now */
  date?: string;
  signal?: AbortSignal;
}

/** Result of {@link commitAll}: the new commit, or the unchanged HEAD when nothing changed. */
export interface CommitResult {
  hash: string;
  /** False when the worktree had no changes (Flux's `ErrNoStagedFiles`). */
  created: boolean;
}

/**
 * Switches the worktree in `dir` to `branch`: checks it out when it exists locally or as
 * `origin/<branch>`, else creates it from HEAD (fluxcd/pkg `gogit.SwitchBranch`).
 */
export async function switchBranch(dir: string, branch: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
  assertRefName(branch, 'branch');
  await withSession(opts, async (s) => {
    const has = async (ref: string): Promise<boolean> =>
      s.run(['rev-parse', '--verify', '--quiet', ref], dir, 'ref lookup').then(
        () => true,
        () => false,
      );
    if (await has(`refs/heads/${branch}`)) await s.run(['checkout', '-q', branch], dir, `could not checkout to branch '${branch}'`);
    else if (await has(`refs/remotes/origin/${branch}`)) {
      await s.run(['checkout', '-q', '-b', branch, `refs/remotes/origin/${branch}`], dir, `could not checkout to branch '${branch}'`);
    } else await s.run(['checkout', '-q', '-b', branch], dir, `could not checkout to branch '${branch}'`);
  });
}

/** Stages every change in `dir` and commits it. */
export async function commitAll(dir: string, opts: CommitOptions): Promise<CommitResult> {
  return withSession({ ...(opts.signal ? { signal: opts.signal } : {}) }, async (s) => {
    await s.run(['add', '--all'], dir, 'unable to stage changes');
    const status = await s.run(['status', '--porcelain'], dir, 'unable to read status');
    if (status.trim() === '') {
      const head = (await s.run(['rev-parse', 'HEAD'], dir, 'unable to resolve HEAD')).trim();
      return { hash: head, created: false };
    }
    const env: Record<string, string> = {
      GIT_AUTHOR_NAME: opts.author.name,
      GIT_AUTHOR_EMAIL: opts.author.email,
      GIT_COMMITTER_NAME: opts.author.name,
      GIT_COMMITTER_EMAIL: opts.author.email,
    };
    if (opts.date) {
      env.GIT_AUTHOR_DATE = opts.date;
      env.GIT_COMMITTER_DATE = opts.date;
    }
    const msgFile = join(s.tmp, 'message');
    await writeFile(msgFile, opts.message);
    const args = ['commit', '-q', '--no-verify', '-F', msgFile];
    let cleanup = async (): Promise<void> => {};
    if (opts.signingKey) {
      cleanup = await configureSigning(s.tmp, opts.signingKey, s.addConfig.bind(s), env);
      args.push('-S');
    }
    try {
      await s.run(args, dir, 'unable to commit', env);
    } finally {
      await cleanup();
    }
    const head = (await s.run(['rev-parse', 'HEAD'], dir, 'unable to resolve HEAD')).trim();
    return { hash: head, created: true };
  });
}

async function configureSigning(
  tmp: string,
  key: SigningKey,
  addConfig: (k: string, v: string) => void,
  env: Record<string, string>,
): Promise<() => Promise<void>> {
  if (key.type === 'ssh') {
    const file = join(tmp, 'signing_key');
    await writeFile(file, key.privateKey.endsWith('\n') ? key.privateKey : `${key.privateKey}\n`, { mode: 0o600 });
    addConfig('gpg.format', 'ssh');
    addConfig('user.signingKey', file);
    return async () => {};
  }
  const home = await mkdtemp(join(tmpdir(), 'eddy-gpgsign-'));
  await chmod(home, 0o700);
  const keyFile = join(home, 'key.asc');
  await writeFile(keyFile, key.privateKey, { mode: 0o600 });
  const passArgs = key.passphrase ? ['--pinentry-mode', 'loopback', '--passphrase-fd', '0'] : [];
  const child = execFileP('gpg', ['--batch', '--no-tty', ...passArgs, '--import', keyFile], { env: { PATH: process.env.PATH, GNUPGHOME: home } });
  child.child.stdin?.end(key.passphrase ?? '');
  await child;
  const { stdout } = await execFileP('gpg', ['--batch', '--with-colons', '--list-secret-keys'], { env: { PATH: process.env.PATH, GNUPGHOME: home } });
  const fpr = /^fpr:+([0-9A-F]{40})/m.exec(stdout)?.[1];
  if (!fpr) throw new GitError('InvalidOptions', 'signing key: no OpenPGP secret key found');
  if (key.passphrase) {
    await writeFile(join(home, 'gpg-agent.conf'), 'allow-loopback-pinentry\n');
    await writeFile(join(home, 'passphrase'), key.passphrase, { mode: 0o600 });
    await writeFile(join(home, 'gpg.conf'), `batch\npinentry-mode loopback\npassphrase-file ${join(home, 'passphrase')}\n`);
  }
  env.GNUPGHOME = home;
  addConfig('user.signingKey', fpr);
  return async () => {
    await execFileP('gpgconf', ['--kill', 'gpg-agent'], { env: { PATH: process.env.PATH, GNUPGHOME: home } }).catch(() => undefined);
    await rm(home, { recursive: true, force: true });
  };
}

/** Options of {@link pushRefs}. */
export interface PushOptions extends Omit<GitSessionOptions, 'url'> {
  /** Refspecs to push; empty pushes the current branch to the same name. */
  refspecs?: string[];
  /** Force-push (Flux image automation force-pushes its branch by default). */
  force?: boolean;
  /** Git push options (`-o key=value`, e.g. GitLab merge request creation). */
  options?: Record<string, string>;
}

/** Pushes from the repository in `dir` to its `origin` remote (`url` supplies auth scoping). */
export async function pushRefs(dir: string, url: string, opts: PushOptions = {}): Promise<void> {
  const target = effectiveUrl(url, opts.auth?.username);
  await withSession({ ...opts, url: target }, async (s) => {
    let refspecs = opts.refspecs ?? [];
    if (refspecs.length === 0) {
      const head = (await s.run(['symbolic-ref', 'HEAD'], dir, 'unable to resolve HEAD')).trim();
      refspecs = [`${head}:${head}`];
    }
    for (const spec of refspecs) {
      if (spec.startsWith('-') || /\s/.test(spec)) throw new GitError('InvalidOptions', `invalid refspec '${spec}'`);
    }
    const args = ['push', '--porcelain'];
    if (opts.force) args.push('--force');
    for (const [k, v] of Object.entries(opts.options ?? {})) {
      if (/[\n\0]/.test(k + v)) throw new GitError('InvalidOptions', `invalid push option '${k}'`);
      args.push('--push-option', v === '' ? k : `${k}=${v}`);
    }
    args.push('--', target, ...refspecs);
    const out = await s.run(args, dir, `unable to push to '${target}'`);
    if (/^!\t/m.test(out)) throw new GitError('PushRejected', `push rejected: ${out.split('\n').filter((l) => l.startsWith('!')).join('; ')}`);
  });
}
