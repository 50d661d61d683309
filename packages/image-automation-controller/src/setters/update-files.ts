// SPDX-License-Identifier: Apache-2.0
/**
 * Walks `spec.update.path` and applies setters to every YAML file that carries a marker (Flux
 * `UpdateWithSetters` with its `ScreeningLocalReader`):
 *
 * - files named `*.yaml`, `*.yml` or `Kustomization`; the `.git` directory is skipped;
 * - files are screened for the `"$imagepolicy"` token before parsing, so templates that are not
 *   YAML (Helm charts) are never parsed;
 * - a screened file that does not parse is reported as a problem file and skipped;
 * - symbolic links are not followed (a link could point outside the repository);
 * - only files with at least one changed value are written.
 *
 * Paths in the result are relative to the update path (to its directory when it is a file), with
 * `/` separators, like Flux's file annotations.
 */
import { lstat, readFile, readdir, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, sep } from 'node:path';

import { applySettersToText } from './apply-text.ts';
import type { UnresolvedMarker } from './apply-text.ts';
import { SETTER_TOKEN, setterDefinitions } from './markers.ts';
import type { PolicyLike } from './markers.ts';
import { UpdateResult } from './result.ts';

/** Everything an update run found and did. */
export interface SettersOutcome {
  result: UpdateResult;
  /** Files that contained the token but could not be parsed. */
  problemFiles: { file: string; error: string }[];
  /** Markers naming a setter no policy provides. */
  unresolved: (UnresolvedMarker & { file: string })[];
}

function isCandidate(name: string): boolean {
  const ext = extname(name);
  return ext === '.yaml' || ext === '.yml' || name === 'Kustomization';
}

async function collect(root: string): Promise<{ base: string; files: string[] }> {
  const info = await lstat(root);
  if (!info.isDirectory()) return { base: dirname(root), files: info.isFile() && isCandidate(basename(root)) ? [root] : [] };
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== '.git') await walk(p);
      } else if (e.isFile() && isCandidate(e.name)) files.push(p);
    }
  };
  await walk(root);
  return { base: root, files };
}

/**
 * Applies the policies' setters to the files under `path` (absolute, already confined to the
 * checkout by the caller) and writes the changed files in place.
 * @throws InvalidImageRefError when a policy's latest image is not a valid reference.
 */
export async function updateWithSetters(path: string, policies: readonly PolicyLike[]): Promise<SettersOutcome> {
  const defs = setterDefinitions(policies);
  const outcome: SettersOutcome = { result: new UpdateResult(), problemFiles: [], unresolved: [] };
  const { base, files } = await collect(path);
  for (const abs of files) {
    const text = await readFile(abs, 'utf8');
    if (!text.includes(SETTER_TOKEN)) continue;
    const file = relative(base, abs).split(sep).join('/');
    const updated = applySettersToText(text, defs);
    if (!updated.ok) {
      outcome.problemFiles.push({ file, error: updated.error });
      continue;
    }
    for (const u of updated.unresolved) outcome.unresolved.push({ ...u, file });
    if (updated.changes.length === 0) continue;
    for (const c of updated.changes) outcome.result.add(file, c.object, c.change, c.line);
    await writeFile(abs, updated.text, 'utf8');
  }
  return outcome;
}
