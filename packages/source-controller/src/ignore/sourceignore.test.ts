// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { globToRegExp, Matcher, parsePattern } from './pattern.ts';
import { archiveMatcher, readPatterns, sourceIgnoreFilter } from './sourceignore.ts';

const m = (lines: string[], path: string, isDir = false, domain: string[] = []): boolean =>
  new Matcher(lines.map((l) => parsePattern(l, domain))).match(path.split('/'), isDir);

describe('gitignore patterns (go-git semantics)', () => {
  const cases: Array<[string[], string, boolean, boolean]> = [
    [['*.png'], 'img/a.png', false, true],
    [['*.png'], 'img/a.pngx', false, false],
    [['docs'], 'docs/a/b.md', false, true],
    [['docs/'], 'docs', false, false],
    [['docs/'], 'docs', true, true],
    [['docs/'], 'x/docs/a.md', false, true],
    [['/docs'], 'x/docs/a.md', false, false],
    [['/docs'], 'docs/a.md', false, true],
    [['a/*.md'], 'a/b.md', false, true],
    [['a/*.md'], 'a/c/b.md', false, false],
    [['**/.sops.yaml'], 'deep/dir/.sops.yaml', false, true],
    [['**/.sops.yaml'], '.sops.yaml', false, true],
    [['a/**/b'], 'a/x/y/b', false, true],
    [['a/**'], 'a/x/y', false, true],
    [['/*', '!/deploy'], 'deploy/app.yaml', false, false],
    [['/*', '!/deploy'], 'src/main.go', false, true],
    [['/*', '!/deploy', '/deploy/**/*.md'], 'deploy/x/README.md', false, true],
    [['*.md', '!README.md'], 'README.md', false, false],
    [['[abc].txt'], 'b.txt', false, true],
    [['[^abc].txt'], 'b.txt', false, false],
    [['file\\*'], 'file*', false, true],
    [['?.txt'], 'ab.txt', false, false],
  ];
  for (const [lines, path, isDir, want] of cases) {
    it(`${lines.join(' ')} ${path}${isDir ? '/' : ''} → ${want ? 'excluded' : 'kept'}`, () => assert.equal(m(lines, path, isDir), want));
  }
  it('scopes patterns to their domain', () => {
    assert.equal(m(['*.yaml'], 'sub/a.yaml', false, ['sub']), true);
    assert.equal(m(['*.yaml'], 'other/a.yaml', false, ['sub']), false);
    assert.equal(m(['/a.yaml'], 'sub/a.yaml', false, ['sub']), true);
  });
  it('treats malformed globs as non-matching', () => assert.equal(globToRegExp('[abc'), null));
});

describe('Flux default exclusions', () => {
  const def = archiveMatcher([]);
  const excluded = ['.git/config', '.gitignore', 'sub/.gitmodules', 'a.jpg', 'x/y.tar.gz', '.github/workflows/ci.yml', '.travis.yml', 'x/.sops.yaml', '.flux.yaml', 'cloudbuild.yaml'];
  const kept = ['deploy/app.yaml', 'README.md', 'x.tar', 'github/x', 'a.svg'];
  for (const p of excluded) it(`excludes ${p} by default`, () => assert.equal(def.match(p.split('/'), false), true));
  for (const p of kept) it(`keeps ${p} by default`, () => assert.equal(def.match(p.split('/'), false), false));
  it('drops the non-VCS defaults once any pattern is given, keeping VCS exclusions', () => {
    const custom = archiveMatcher(readPatterns('# comment\n\n*.md\n'));
    assert.equal(custom.match(['a.jpg'], false), false);
    assert.equal(custom.match(['a.md'], false), true);
    assert.equal(custom.match(['.git', 'HEAD'], false), true);
  });
});

describe('sourceIgnoreFilter', () => {
  it('loads .sourceignore files recursively and appends spec.ignore', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-ignore-'));
    try {
      const files: Record<string, string> = {
        '.sourceignore': 'secret.txt\n',
        'sub/.sourceignore': '*.yaml\n!keep.yaml\n',
        'sub/a.yaml': '',
        'sub/keep.yaml': '',
        'top.yaml': '',
        'secret.txt': '',
      };
      for (const [p, c] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, p)), { recursive: true });
        writeFileSync(join(dir, p), c);
      }
      const f = await sourceIgnoreFilter(dir, 'top.yaml\n');
      assert.equal(f('secret.txt', false), true);
      assert.equal(f('sub/a.yaml', false), true);
      assert.equal(f('sub/keep.yaml', false), false);
      assert.equal(f('top.yaml', false), true);
      assert.equal(f('img.png', false), false, 'defaults are off once patterns exist');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
