// SPDX-License-Identifier: Apache-2.0
/**
 * Test fixtures for the git client: real repositories made with the git CLI in temporary
 * directories, and throw-away OpenPGP and SSH signing keys. Not exported from the package.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const GIT_ENV = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: tmpdir(),
  LC_ALL: 'C',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};

/** Runs git in `cwd` with a hermetic environment; returns trimmed stdout. */
export function git(cwd: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync('git', args, { cwd, env: { ...GIT_ENV, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** A temporary directory removed by the returned cleanup. */
export function tempDir(prefix = 'eddy-test-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** A working repository with helpers to commit files and tag. */
export class WorkRepo {
  constructor(readonly dir: string) {}

  static init(dir: string, branch = 'main'): WorkRepo {
    mkdirSync(dir, { recursive: true });
    git(dir, ['init', '-q', '-b', branch]);
    return new WorkRepo(dir);
  }

  /** Writes `files` and commits them; returns the commit hash. */
  commit(files: Record<string, string>, message = 'commit', opts: { env?: Record<string, string>; config?: string[]; sign?: boolean } = {}): string {
    for (const [name, content] of Object.entries(files)) {
      const p = join(this.dir, name);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, content);
    }
    git(this.dir, ['add', '--all']);
    git(this.dir, [...(opts.config ?? []), 'commit', '-q', '--allow-empty', ...(opts.sign ? ['-S'] : []), '-m', message], opts.env);
    return git(this.dir, ['rev-parse', 'HEAD']);
  }

  tag(name: string, opts: { annotated?: boolean; sign?: boolean; env?: Record<string, string>; config?: string[] } = {}): void {
    const kind = opts.sign ? ['-s'] : opts.annotated ? ['-a'] : [];
    const msg = kind.length > 0 ? ['-m', `release ${name}`] : [];
    git(this.dir, [...(opts.config ?? []), 'tag', ...kind, ...msg, name], opts.env);
  }

  head(): string {
    return git(this.dir, ['rev-parse', 'HEAD']);
  }
}

/** A bare repository with `file://` URL, pushed from a {@link WorkRepo}. */
export function bareFrom(work: WorkRepo, bareDir: string): string {
  git(dirname(bareDir), ['clone', '-q', '--bare', work.dir, bareDir]);
  return `file://${bareDir}`;
}

/** A throw-away OpenPGP key in its own GNUPGHOME. */
export interface GpgKey {
  home: string;
  fingerprint: string;
  keyId: string;
  publicKey: string;
  privateKey: string;
  /** Environment making git sign with this key. */
  env: Record<string, string>;
}

/** Generates an unprotected ed25519 OpenPGP key. */
export function generateGpgKey(dir: string, email = 'signer@example.com'): GpgKey {
  const home = join(dir, `gnupg-${email.replace(/\W/g, '')}`);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const env = { GNUPGHOME: home };
  const gpg = (args: string[]): string =>
    execFileSync('gpg', ['--batch', '--no-tty', ...args], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  gpg(['--passphrase', '', '--quick-gen-key', `Signer <${email}>`, 'ed25519', 'sign', 'never']);
  const fingerprint = /^fpr:+([0-9A-F]{40})/m.exec(gpg(['--with-colons', '--list-keys']))![1]!;
  return {
    home,
    fingerprint,
    keyId: fingerprint.slice(-16),
    publicKey: gpg(['--armor', '--export', fingerprint]),
    privateKey: gpg(['--armor', '--export-secret-keys', fingerprint]),
    env,
  };
}

/** A throw-away SSH key pair. */
export interface SshKey {
  privateKeyPath: string;
  privateKey: string;
  publicKey: string;
  fingerprint: string;
}

/** Generates an unprotected ed25519 SSH key (or one protected by `passphrase`). */
export function generateSshKey(dir: string, name = 'id_ed25519', passphrase = ''): SshKey {
  const privateKeyPath = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'test', '-f', privateKeyPath]);
  const fp = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${privateKeyPath}.pub`], { encoding: 'utf8' });
  return {
    privateKeyPath,
    privateKey: readFileSync(privateKeyPath, 'utf8'),
    publicKey: readFileSync(`${privateKeyPath}.pub`, 'utf8'),
    fingerprint: /(SHA256:\S+)/.exec(fp)![1]!,
  };
}

/** Git `-c` arguments that sign commits and tags with an SSH key. */
export function sshSigningArgs(key: SshKey): string[] {
  return ['-c', 'gpg.format=ssh', '-c', `user.signingKey=${key.privateKeyPath}`];
}
