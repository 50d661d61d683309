// SPDX-License-Identifier: Apache-2.0
/**
 * `.sourceignore` files and `spec.ignore` with Flux's defaults (fluxcd/pkg `sourceignore`):
 * VCS files are always excluded; the other defaults (images, archives, CI configs, tool configs)
 * apply only when neither `.sourceignore` files nor `spec.ignore` give any pattern
 * (fluxcd/pkg `artifact/storage.SourceIgnoreFilter`).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pattern } from './pattern.ts';
import { Matcher, parsePattern } from './pattern.ts';

/** The name of ignore files. */
export const IGNORE_FILE = '.sourceignore';
/** VCS exclusions, always applied. */
export const EXCLUDE_VCS = '.git/,.gitignore,.gitmodules,.gitattributes';
/** File extension exclusions. */
export const EXCLUDE_EXT = '*.jpg,*.jpeg,*.gif,*.png,*.wmv,*.flv,*.tar.gz,*.zip';
/** CI configuration exclusions. */
export const EXCLUDE_CI =
  '.github/,.circleci/,.travis.yml,.gitlab-ci.yml,appveyor.yml,.drone.yml,cloudbuild.yaml,codeship-services.yml,codeship-steps.yml';
/** Tool configuration exclusions. */
export const EXCLUDE_EXTRA = '**/.goreleaser.yml,**/.sops.yaml,**/.flux.yaml';

/** Patterns of {@link EXCLUDE_VCS} in `domain`. */
export function vcsPatterns(domain: readonly string[] = []): Pattern[] {
  return EXCLUDE_VCS.split(',').map((p) => parsePattern(p, domain));
}

/** Patterns of the non-VCS defaults in `domain`. */
export function defaultPatterns(domain: readonly string[] = []): Pattern[] {
  return [EXCLUDE_EXT, EXCLUDE_CI, EXCLUDE_EXTRA].join(',').split(',').map((p) => parsePattern(p, domain));
}

/** Reads patterns from ignore-file text: blank lines and `#` comments are skipped. */
export function readPatterns(text: string, domain: readonly string[] = []): Pattern[] {
  return text
    .split(/\r?\n/)
    .filter((l) => !l.startsWith('#') && l.trim().length > 0)
    .map((l) => parsePattern(l, domain));
}

/**
 * Loads `.sourceignore` files recursively from `dir` (skipping `.git`), each scoped to its own
 * directory. Returns patterns in load order (parents before children).
 */
export async function loadIgnoreFiles(dir: string, domain: readonly string[] = []): Promise<Pattern[]> {
  const out: Pattern[] = [];
  try {
    out.push(...readPatterns(await readFile(join(dir, IGNORE_FILE), 'utf8'), domain));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'EISDIR') throw err;
  }
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.isDirectory() && e.name !== '.git') out.push(...(await loadIgnoreFiles(join(dir, e.name), [...domain, e.name])));
  }
  return out;
}

/**
 * The matcher for archiving: VCS + user patterns when there are any, else VCS + defaults.
 * `patterns` are the loaded `.sourceignore` patterns followed by `spec.ignore`'s.
 */
export function archiveMatcher(patterns: readonly Pattern[]): Matcher {
  return patterns.length > 0 ? new Matcher([...vcsPatterns(), ...patterns]) : new Matcher([...vcsPatterns(), ...defaultPatterns()]);
}

/**
 * Builds the exclusion filter for a directory about to be archived: `.sourceignore` files in it
 * plus the `spec.ignore` text. The filter takes a relative path (`a/b.yaml`) and whether it is a
 * directory, and returns true to exclude.
 */
export async function sourceIgnoreFilter(dir: string, specIgnore?: string): Promise<(rel: string, isDir: boolean) => boolean> {
  const ps = await loadIgnoreFiles(dir);
  if (specIgnore !== undefined) ps.push(...readPatterns(specIgnore));
  const m = archiveMatcher(ps);
  return (rel, isDir) => m.match(rel.split('/'), isDir);
}
