// SPDX-License-Identifier: Apache-2.0
/**
 * `make generate`: writes every CRD to `packages/api/crds/<group>_<plural>.yaml` and every API
 * reference page to `docs/spec/<version>/<plural>.md` (plus `docs/spec/README.md`), from the kind
 * definitions in `packages/api/src`. Output is deterministic; `make verify` diffs it. Generated
 * files that no kind produces any more are removed.
 *
 *   node --conditions=development --import tsx packages/api/scripts/generate.ts [--check]
 *
 * With `--check` nothing is written: the script exits 1 and lists the files that differ.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { allKinds } from '../src/kinds.ts';
import { toYaml } from '../src/schema/yaml.ts';
import { GENERATED_MARKER, kindDocPath, renderIndex, renderKindDoc } from '../src/docs/render.ts';

const apiDir = join(import.meta.dirname, '..');
const repoRoot = join(apiDir, '..', '..');
const crdDir = join(apiDir, 'crds');
const docsDir = join(repoRoot, 'docs', 'spec');
const check = process.argv.includes('--check');

/** Relative path → content of every generated file. */
function render(): Map<string, string> {
  const files = new Map<string, string>();
  for (const kind of allKinds()) {
    const crd = kind.crd();
    const yaml = `# ${GENERATED_MARKER}\n---\n${toYaml(crd)}`;
    files.set(join(crdDir, `${kind.group}_${kind.plural}.yaml`), yaml);
    files.set(join(docsDir, kindDocPath(kind)), renderKindDoc(kind));
  }
  files.set(join(docsDir, 'README.md'), renderIndex(allKinds()));
  return files;
}

/** Generated files on disk (recognised by the marker) that are not in `wanted`. */
function stale(dir: string, wanted: Map<string, string>): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...stale(path, wanted));
    else if (!wanted.has(path) && readFileSync(path, 'utf8').includes(GENERATED_MARKER)) out.push(path);
  }
  return out;
}

const files = render();
const drift: string[] = [];
for (const [path, content] of files) {
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (current === content) continue;
  drift.push(relative(repoRoot, path));
  if (!check) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
}
for (const path of [...stale(crdDir, files), ...stale(docsDir, files)]) {
  drift.push(`${relative(repoRoot, path)} (stale)`);
  if (!check) rmSync(path);
}

if (check && drift.length > 0) {
  console.error(`generated files out of date:\n  ${drift.join('\n  ')}`);
  process.exit(1);
}
console.log(`${files.size} generated files, ${drift.length} ${check ? 'out of date' : 'updated'}`);
