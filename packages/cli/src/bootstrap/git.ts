// SPDX-License-Identifier: Apache-2.0
/**
 * The git side of `eddy bootstrap git`, with the real git binary: clone a branch (creating it in
 * an empty repository), commit files, push. Credentials never land in the clone's config: HTTP
 * auth goes in a one-shot `http.extraHeader`, SSH through `GIT_SSH_COMMAND` with the given key.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CliError } from '../context.ts';

/** How bootstrap authenticates to the git server. */
export type GitAuth =
  | { kind: 'none' }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'bearer'; token: string }
  | { kind: 'ssh'; privateKeyFile: string; knownHostsFile: string };

/** A clone to write into. */
export interface Checkout {
  dir: string;
  branch: string;
  auth: GitAuth;
}

function authArgs(auth: GitAuth): string[] {
  if (auth.kind === 'basic') return ['-c', `http.extraHeader=Authorization: Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`];
  if (auth.kind === 'bearer') return ['-c', `http.extraHeader=Authorization: Bearer ${auth.token}`];
  return [];
}

function authEnv(auth: GitAuth): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
  if (auth.kind === 'ssh') {
    env['GIT_SSH_COMMAND'] = `ssh -i '${auth.privateKeyFile}' -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile='${auth.knownHostsFile}'`;
  }
  return env;
}

/** Runs git; rejects with its last stderr line (credentials redacted). */
export function git(args: string[], opts: { cwd?: string; auth?: GitAuth } = {}): Promise<string> {
  const auth = opts.auth ?? { kind: 'none' };
  return new Promise((resolve, reject) => {
    execFile('git', [...authArgs(auth), ...args], { cwd: opts.cwd, env: authEnv(auth), maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const msg = String(stderr).trim().split('\n').filter(Boolean).pop() ?? err.message;
      reject(new CliError(`git ${args[0] ?? ''} failed: ${msg.replace(/Authorization: \S+ \S+/g, 'Authorization: ***')}`));
    });
  });
}

/** Clones `url` at `branch` into `dir`; an empty repository or a missing branch gets a new branch. */
export async function cloneBranch(url: string, branch: string, dir: string, auth: GitAuth): Promise<Checkout> {
  await git(['clone', '--quiet', url, dir], { auth });
  const remoteHas = (await git(['ls-remote', '--heads', 'origin', branch], { cwd: dir, auth })).trim() !== '';
  if (remoteHas) {
    await git(['checkout', '--quiet', '-B', branch, `origin/${branch}`], { cwd: dir });
  } else {
    const hasCommits = await git(['rev-parse', '--verify', '--quiet', 'HEAD'], { cwd: dir }).then(
      () => true,
      () => false,
    );
    // A new branch starts from the default branch, or is born with the first commit in an empty repository.
    if (hasCommits) await git(['checkout', '--quiet', '-b', branch], { cwd: dir });
    else await git(['symbolic-ref', 'HEAD', `refs/heads/${branch}`], { cwd: dir });
  }
  return { dir, branch, auth };
}

/**
 * Writes files (relative path → content) and commits them when anything changed.
 * @returns the new commit SHA, or undefined when the files were already up to date.
 */
export async function commitFiles(
  co: Checkout,
  files: Record<string, string>,
  message: string,
  author: { name: string; email: string },
): Promise<string | undefined> {
  for (const [rel, content] of Object.entries(files)) {
    const path = join(co.dir, rel);
    if (existsSync(path) && readFileSync(path, 'utf8') === content) continue;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  await git(['add', '--', ...Object.keys(files)], { cwd: co.dir });
  const staged = (await git(['diff', '--cached', '--name-only'], { cwd: co.dir })).trim();
  if (!staged) return undefined;
  const identity = ['-c', `user.name=${author.name}`, '-c', `user.email=${author.email}`];
  await git([...identity, 'commit', '--quiet', '-m', message], { cwd: co.dir });
  return (await git(['rev-parse', 'HEAD'], { cwd: co.dir })).trim();
}

/** Pushes the branch to origin. */
export async function push(co: Checkout): Promise<void> {
  await git(['push', '--quiet', 'origin', `HEAD:refs/heads/${co.branch}`], { cwd: co.dir, auth: co.auth });
}
