// SPDX-License-Identifier: Apache-2.0
/** ArtifactGenerator copy semantics (Go `fs.Glob` sources, doublestar excludes, cp-like destinations, YAML merge) and the dirhash. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { adler32, applyCopyOperation, dirHash } from './builder.ts';
import { doublestarMatch, goGlob } from './glob.ts';

const root = mkdtempSync(join(tmpdir(), 'eddy-gen-test-'));
const src = join(root, 'src');
const files: Record<string, string> = {
  'apps/base/podinfo/release.yaml': 'kind: HelmRelease\n',
  'apps/base/podinfo/README.md': '# readme\n',
  'apps/staging/kustomization.yaml': 'resources: []\n',
  'apps/staging/values.yaml': 'a: 1\nb:\n  c: 2\n  d: [1, 2]\n',
  'apps/prod/values.yaml': 'b:\n  c: 3\n  d: [9]\ne: true\n',
  'top.yaml': 'x: 1\n',
};
for (const [k, v] of Object.entries(files)) {
  mkdirSync(dirname(join(src, k)), { recursive: true });
  writeFileSync(join(src, k), v);
}
const sources = new Map([['repo', src]]);
let n = 0;
const stage = (): string => mkdtempSync(join(root, `stage-${++n}-`));
function tree(dir: string, rel = ''): string[] {
  return readdirSync(join(dir, rel)).flatMap((e) => (statSync(join(dir, rel, e)).isDirectory() ? tree(dir, `${rel}${e}/`) : [`${rel}${e}`])).sort();
}

describe('generator copy operations', () => {
  after(() => rmSync(root, { recursive: true, force: true }));

  it('matches sources as Go fs.Glob and excludes as doublestar', async () => {
    assert.deepEqual(await goGlob(src, 'apps/**'), ['apps/base', 'apps/prod', 'apps/staging'], '** is a single segment');
    assert.deepEqual(await goGlob(src, 'apps/*/values.yaml'), ['apps/prod/values.yaml', 'apps/staging/values.yaml']);
    assert.ok(doublestarMatch('**/*.md', 'apps/base/podinfo/README.md'));
    assert.ok(doublestarMatch('apps/{prod,staging}/*.yaml', 'apps/prod/values.yaml'));
    assert.ok(!doublestarMatch('*.md', 'apps/base/README.md'));
  });

  it('copies dir/** contents under the destination, with excludes', async () => {
    const s = stage();
    await applyCopyOperation({ from: '@repo/apps/base/**', to: '@artifact/base/', exclude: ['*.md'] }, sources, s);
    await applyCopyOperation({ from: '@repo/apps/staging/**', to: '@artifact/staging/' }, sources, s);
    assert.deepEqual(tree(s), ['base/podinfo/release.yaml', 'staging/kustomization.yaml', 'staging/values.yaml']);
  });

  it('copies plain paths like cp: a directory as dest/<dir>, a file into a dir or as a name', async () => {
    const s = stage();
    await applyCopyOperation({ from: '@repo/apps/staging', to: '@artifact/envs' }, sources, s);
    await applyCopyOperation({ from: '@repo/top.yaml', to: '@artifact/envs/' }, sources, s);
    await applyCopyOperation({ from: '@repo/top.yaml', to: '@artifact/renamed.yaml' }, sources, s);
    assert.deepEqual(tree(s), ['envs/staging/kustomization.yaml', 'envs/staging/values.yaml', 'envs/top.yaml', 'renamed.yaml']);
  });

  it('merges YAML with the Merge strategy (maps deep, lists replaced)', async () => {
    const s = stage();
    await applyCopyOperation({ from: '@repo/apps/staging/values.yaml', to: '@artifact/values.yaml' }, sources, s);
    await applyCopyOperation({ from: '@repo/apps/prod/values.yaml', to: '@artifact/values.yaml', strategy: 'Merge' }, sources, s);
    assert.equal(readFileSync(join(s, 'values.yaml'), 'utf8'), 'a: 1\nb:\n  c: 3\n  d:\n  - 9\ne: true\n');
  });

  it('fails on unknown aliases, unmatched globs and escaping destinations', async () => {
    await assert.rejects(applyCopyOperation({ from: '@nope/x', to: '@artifact/' }, sources, stage()), /source alias 'nope' not found/);
    await assert.rejects(applyCopyOperation({ from: '@repo/none/*', to: '@artifact/' }, sources, stage()), /no files match pattern 'none\/\*' in source 'repo'/);
    await assert.rejects(applyCopyOperation({ from: '@repo/top.yaml', to: '@artifact/../x' }, sources, stage()), /must not contain '\.\.'/);
  });

  it('hashes like source-watcher (Adler-32 dirhash)', async () => {
    assert.equal(adler32(Buffer.from('Wikipedia')), 0x11e60398);
    const s = stage();
    await applyCopyOperation({ from: '@repo/top.yaml', to: '@artifact/top.yaml' }, sources, s);
    const line = `${adler32(Buffer.from(files['top.yaml']!)).toString(16)}  out/top.yaml\n`;
    assert.equal(await dirHash(s, 'out'), String(adler32(Buffer.from(line))));
  });
});
