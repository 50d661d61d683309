// SPDX-License-Identifier: Apache-2.0
/**
 * Gitignore patterns with the exact semantics Flux uses (go-git `plumbing/format/gitignore`,
 * forked in fluxcd/pkg `sourceignore/gitignore`), which differ from git's in places:
 * - a pattern without `/` matches any path component, so `x` also excludes everything under `x/`;
 * - a pattern with `/` is matched from the pattern's domain (the directory of the ignore file);
 * - `**` spans zero or more directories; a trailing `/` restricts the last component to directories;
 * - `!` re-includes; the last matching pattern wins.
 * Components are matched with Go's `filepath.Match` (`*`, `?`, `[...]`, `[^...]`, `\` escapes).
 */

/** The outcome of matching one pattern. */
export type MatchResult = 'none' | 'exclude' | 'include';

/** One parsed pattern. */
export interface Pattern {
  /** The pattern as written. */
  readonly source: string;
  match(path: readonly string[], isDir: boolean): MatchResult;
}

const compiled = new Map<string, RegExp | null>();

/** Converts one Go `filepath.Match` component pattern to a RegExp; null when malformed. */
export function globToRegExp(glob: string): RegExp | null {
  const hit = compiled.get(glob);
  if (hit !== undefined) return hit;
  let re = '^';
  let ok = true;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\') {
      i++;
      if (i >= glob.length) ok = false;
      else re += escapeRe(glob[i]!);
    } else if (c === '[') {
      const end = findClassEnd(glob, i);
      if (end < 0) {
        ok = false;
        break;
      }
      let body = glob.slice(i + 1, end);
      let neg = false;
      if (body.startsWith('^')) {
        neg = true;
        body = body.slice(1);
      }
      if (body === '') {
        ok = false;
        break;
      }
      re += `[${neg ? '^' : ''}${classBody(body)}]`;
      i = end;
    } else re += escapeRe(c);
  }
  const result = ok ? new RegExp(`${re}$`, 's') : null;
  compiled.set(glob, result);
  return result;
}

function findClassEnd(glob: string, start: number): number {
  for (let j = start + 1; j < glob.length; j++) {
    if (glob[j] === '\\') j++;
    else if (glob[j] === ']' && j > start + 1 + (glob[start + 1] === '^' ? 1 : 0)) return j;
  }
  return -1;
}

function classBody(body: string): string {
  let out = '';
  for (let j = 0; j < body.length; j++) {
    let ch = body[j]!;
    if (ch === '\\' && j + 1 < body.length) ch = body[++j]!;
    else if (ch === '-') {
      out += '-';
      continue;
    }
    out += /[\\\]^[-]/.test(ch) ? `\\${ch}` : ch;
  }
  return out;
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function globMatch(pattern: string, name: string): boolean {
  return globToRegExp(pattern)?.test(name) ?? false;
}

/** Parses one gitignore line in `domain` (the path components of its directory). */
export function parsePattern(line: string, domain: readonly string[] = []): Pattern {
  let p = line;
  let inclusion = false;
  if (p.startsWith('!')) {
    inclusion = true;
    p = p.slice(1);
  }
  if (!p.endsWith('\\ ')) p = p.replace(/ +$/, '');
  let dirOnly = false;
  if (p.endsWith('/')) {
    dirOnly = true;
    p = p.slice(0, -1);
  }
  const isGlob = p.includes('/');
  const parts = p.split('/');
  const dom = [...domain];

  const simpleNameMatch = (path: readonly string[], isDir: boolean): boolean => {
    for (let i = 0; i < path.length; i++) {
      if (!globMatch(parts[0]!, path[i]!)) continue;
      if (dirOnly && !isDir && i === path.length - 1) return false;
      return true;
    }
    return false;
  };

  const globPathMatch = (input: readonly string[], isDir: boolean): boolean => {
    let path = input.slice();
    let matched = false;
    let canTraverse = false;
    for (let i = 0; i < parts.length; i++) {
      const pat = parts[i]!;
      if (pat === '') {
        canTraverse = false;
        continue;
      }
      if (pat === '**') {
        if (i === parts.length - 1) break;
        canTraverse = true;
        continue;
      }
      if (pat.includes('**')) return false;
      if (path.length === 0) return false;
      if (canTraverse) {
        canTraverse = false;
        while (path.length > 0) {
          const e = path[0]!;
          path = path.slice(1);
          if (globMatch(pat, e)) {
            matched = true;
            break;
          } else if (path.length === 0) matched = false;
        }
      } else {
        if (!globMatch(pat, path[0]!)) return false;
        matched = true;
        path = path.slice(1);
      }
    }
    if (matched && dirOnly && !isDir && path.length === 0) matched = false;
    return matched;
  };

  return {
    source: line,
    match(path, isDir) {
      if (path.length <= dom.length) return 'none';
      for (let i = 0; i < dom.length; i++) if (path[i] !== dom[i]) return 'none';
      const rel = path.slice(dom.length);
      const hit = isGlob ? globPathMatch(rel, isDir) : simpleNameMatch(rel, isDir);
      if (!hit) return 'none';
      return inclusion ? 'include' : 'exclude';
    },
  };
}

/** Matches a path against patterns in increasing priority: the last pattern that matches wins. */
export class Matcher {
  constructor(readonly patterns: readonly Pattern[]) {}

  /** True when `path` (components) is excluded. */
  match(path: readonly string[], isDir: boolean): boolean {
    for (let i = this.patterns.length - 1; i >= 0; i--) {
      const r = this.patterns[i]!.match(path, isDir);
      if (r !== 'none') return r === 'exclude';
    }
    return false;
  }
}
