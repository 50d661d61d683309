// SPDX-License-Identifier: Apache-2.0
/**
 * Remote reference lookup with `git ls-remote`: the cheap check that lets a reconcile skip the
 * clone when the remote revision did not move, and the tag list for semver selection.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseGitUrl } from './auth.ts';
import { GitError } from './errors.ts';
import type { GitSession, GitSessionOptions } from './session.ts';
import { withSession } from './session.ts';

/** The references of a remote. */
export interface RemoteRefs {
  /** Every advertised reference (`refs/heads/main`, `refs/tags/v1`, `HEAD`) → object hash. */
  refs: Map<string, string>;
  /** Annotated tags: `refs/tags/v1` → hash of the commit the tag points at (`^{}` entries). */
  peeled: Map<string, string>;
}

/** Parses `git ls-remote` output. */
export function parseLsRemote(out: string): RemoteRefs {
  const refs = new Map<string, string>();
  const peeled = new Map<string, string>();
  for (const line of out.split('\n')) {
    const m = /^([0-9a-f]{40,64})\t(\S+)$/.exec(line.trim());
    if (!m) continue;
    const [, hash, name] = m as unknown as [string, string, string];
    if (name.endsWith('^{}')) peeled.set(name.slice(0, -3), hash);
    else refs.set(name, hash);
  }
  return { refs, peeled };
}

/** The commit hash a reference resolves to: peeled for annotated tags. */
export function commitOf(remote: RemoteRefs, ref: string): string | undefined {
  if (ref.endsWith('^{}')) return remote.peeled.get(ref.slice(0, -3));
  return remote.peeled.get(ref) ?? remote.refs.get(ref);
}

/** The tag names (`v1.0.0`, without `refs/tags/`) advertised by the remote. */
export function tagNames(remote: RemoteRefs): string[] {
  return [...remote.refs.keys()].filter((r) => r.startsWith('refs/tags/')).map((r) => r.slice('refs/tags/'.length));
}

/** Lists a remote's references within an existing session. */
export async function lsRemote(session: GitSession, url: string, patterns: string[] = []): Promise<RemoteRefs> {
  parseGitUrl(url);
  const cwd = join(session.tmp, 'ls-remote');
  await mkdir(cwd, { recursive: true });
  const out = await session.run(['ls-remote', '--', url, ...patterns], cwd, `unable to list remote for '${url}'`);
  return parseLsRemote(out);
}

/** Lists a remote's references: a standalone `git ls-remote` with its own session. */
export async function listRemoteRefs(url: string, opts: Omit<GitSessionOptions, 'url'> = {}): Promise<RemoteRefs> {
  return withSession({ ...opts, url }, (s) => lsRemote(s, url));
}

/** True when `s` has a control character, space, or one of `~ ^ : ? * [ \`. */
function hasForbiddenChar(s: string): boolean {
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c <= 0x20 || c === 0x7f || '~^:?*[\\'.includes(ch)) return true;
  }
  return false;
}

/**
 * Validates a reference or branch name against git's rules (`git check-ref-format`), refusing
 * anything that could be taken for an option. Throws GitError InvalidOptions.
 */
export function assertRefName(name: string, what = 'reference'): void {
  const bad =
    name === '' ||
    name.startsWith('-') ||
    name.startsWith('/') ||
    name.endsWith('/') ||
    name.endsWith('.') ||
    name.endsWith('.lock') ||
    name.includes('..') ||
    name.includes('//') ||
    name.includes('@{') ||
    hasForbiddenChar(name.replace(/\^\{\}$/, ''));
  if (bad) throw new GitError('InvalidOptions', `invalid ${what} '${name}'`);
}
