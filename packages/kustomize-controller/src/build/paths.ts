// SPDX-License-Identifier: Apache-2.0
/**
 * Path helpers shared by the generator, the confinement check and the decryptor: classifying
 * kustomize references as remote or local, and resolving local ones without leaving a root
 * (the job Flux's secure filesystem and `securejoin` do).
 */
import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { BuildError } from './errors.ts';

const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;
const SCP = /^[^/\s]+@[^/\s]+:/;

/**
 * True when kustomize would fetch `ref` over the network (a git clone or an HTTP file):
 * any `scheme://` URL, `git::`/`gh:` forced protocols, scp-style `user@host:path`, and the
 * scheme-less `github.com/...` form kustomize accepts.
 */
export function isRemoteRef(ref: string): boolean {
  const r = ref.trim();
  if (SCHEME.test(r)) return true;
  const lower = r.toLowerCase();
  if (lower.startsWith('git::') || lower.startsWith('gh:')) return true;
  if (SCP.test(r)) return true;
  return lower.startsWith('github.com/') || lower.startsWith('github.com:');
}

/**
 * Flux's `IsLocalRelativePath` for `spec.components`: relative, local (a `file://` prefix with a
 * relative remainder is accepted), and not a URL or git reference.
 */
export function isLocalRelativePath(p: string): boolean {
  let rest = p;
  if (rest.toLowerCase().startsWith('file://')) rest = rest.slice('file://'.length);
  if (rest === '' || isAbsolute(rest) || isRemoteRef(rest)) return false;
  return !rest.includes('@');
}

/** True when `child` equals `root` or lies below it (both absolute and normalised). */
export function isWithin(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Joins `p` onto `root` the way `securejoin` does for Flux's `spec.path`: `..` cannot climb
 * above the root and an absolute `p` is taken relative to it.
 */
export function secureJoin(root: string, p: string): string {
  const parts: string[] = [];
  for (const seg of p.split(/[/\\]+/)) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return resolve(root, ...parts);
}

/**
 * Resolves a local reference made from `baseDir` and fails unless it stays inside `root`,
 * lexically and, when it exists, after resolving symlinks.
 * @throws BuildError `OutsideRoot`
 */
export async function resolveInside(root: string, baseDir: string, ref: string, what: string): Promise<string> {
  if (isAbsolute(ref)) {
    throw new BuildError('OutsideRoot', `security file system: ${what} '${ref}' is an absolute path, which is not allowed`);
  }
  const target = resolve(baseDir, ref);
  if (!isWithin(root, target)) {
    throw new BuildError('OutsideRoot', `security file system: ${what} '${ref}' is not in or below '${displayRoot()}'`);
  }
  let real: string;
  try {
    real = await realpath(target);
  } catch {
    return target; // missing: kustomize reports it
  }
  const realRoot = await realpath(root);
  if (!isWithin(realRoot, real)) {
    throw new BuildError('OutsideRoot', `security file system: ${what} '${ref}' resolves outside the source root`);
  }
  return target;
}

function displayRoot(): string {
  return '/';
}
