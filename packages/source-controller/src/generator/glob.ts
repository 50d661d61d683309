// SPDX-License-Identifier: Apache-2.0
/**
 * The two glob dialects an ArtifactGenerator uses, as source-watcher does:
 * - copy sources: Go's `fs.Glob` (`path.Match` per segment: `*`, `?`, `[...]`, `\`; `**` is just
 *   `*`), so `@repo/apps/**` selects the entries directly under `apps/`;
 * - excludes: `doublestar` (`**` spans segments, `{a,b}` alternatives).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** True when the pattern has glob metacharacters (source-watcher's `containsGlobChars`). */
export function hasGlob(p: string): boolean {
  return /[*?[\]]/.test(p);
}

function classToRegex(pattern: string, i: number): [string, number] {
  let j = i + 1;
  let out = '[';
  if (pattern[j] === '^' || pattern[j] === '!') {
    out += '^';
    j++;
  }
  let first = true;
  while (j < pattern.length && (pattern[j] !== ']' || first)) {
    const c = pattern[j]!;
    if (c === '\\' && j + 1 < pattern.length) {
      out += `\\${pattern[j + 1]}`;
      j += 2;
    } else {
      out += c === '/' ? '' : c.replace(/[\]\\^]/g, '\\$&');
      j++;
    }
    first = false;
  }
  if (j >= pattern.length) throw new Error(`syntax error in pattern '${pattern}'`);
  return [`${out}]`, j + 1];
}

/** Go `path.Match` for one segment, as an anchored RegExp. */
export function segmentRegex(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; ) {
    const c = seg[i]!;
    if (c === '*') {
      re += '[^/]*';
      i++;
    } else if (c === '?') {
      re += '[^/]';
      i++;
    } else if (c === '[') {
      const [cls, next] = classToRegex(seg, i);
      re += cls;
      i = next;
    } else if (c === '\\' && i + 1 < seg.length) {
      re += seg[i + 1]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      i += 2;
    } else {
      re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      i++;
    }
  }
  return new RegExp(`^${re}$`);
}

/** Go's `fs.Glob` under `root`: `/`-separated matches relative to root, in lexical order. */
export async function goGlob(root: string, pattern: string): Promise<string[]> {
  const segs = pattern.split('/').filter((s, i, a) => s !== '' || i === a.length - 1);
  let current = [''];
  for (const [i, seg] of segs.entries()) {
    const last = i === segs.length - 1;
    const next: string[] = [];
    for (const base of current) {
      const dir = join(root, base);
      if (!hasGlob(seg)) {
        const candidate = base ? `${base}/${seg}` : seg;
        const st = await stat(join(root, candidate)).catch(() => undefined);
        if (st && (last || st.isDirectory())) next.push(candidate);
        continue;
      }
      const re = segmentRegex(seg);
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        if (!re.test(e.name)) continue;
        if (!last && !e.isDirectory()) continue;
        next.push(base ? `${base}/${e.name}` : e.name);
      }
    }
    current = next;
  }
  return current.filter((m) => m !== '').sort();
}

function expandBraces(p: string): string[] {
  const m = /\{([^{}]*)\}/.exec(p);
  if (!m) return [p];
  return m[1]!.split(',').flatMap((alt) => expandBraces(p.slice(0, m.index) + alt + p.slice(m.index + m[0].length)));
}

/** `doublestar.Match(pattern, path)`. */
export function doublestarMatch(pattern: string, path: string): boolean {
  return expandBraces(pattern).some((alt) => {
    const segs = alt.split('/');
    let re = '';
    for (const [i, seg] of segs.entries()) {
      const last = i === segs.length - 1;
      if (seg === '**') re += last ? '.*' : '(?:[^/]*(?:/[^/]*)*/)?';
      else re += segmentRegex(seg).source.slice(1, -1) + (last ? '' : '/');
    }
    return new RegExp(`^${re}$`).test(path);
  });
}

/** Rejects patterns whose `{}` alternatives would explode (source-watcher allows 20 commas). */
export function validateGlobPattern(pattern: string): void {
  let commas = 0;
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === '}' && depth > 0) depth--;
    else if (c === ',' && depth > 0) commas++;
  }
  if (commas > 20) throw new Error(`pattern has ${commas} alternatives in '{}' groups, at most 20 are allowed`);
}
