// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffLines, unifiedDiff } from './unified-diff.ts';

/** Applies an edit script to `a`; it must give back `b`. */
function replay(ops: ReturnType<typeof diffLines>): { a: string[]; b: string[] } {
  return { a: ops.filter((o) => o.op !== '+').map((o) => o.line), b: ops.filter((o) => o.op !== '-').map((o) => o.line) };
}

describe('diffLines', () => {
  const cases: Array<{ name: string; a: string[]; b: string[]; changes: number }> = [
    { name: 'equal', a: ['x', 'y'], b: ['x', 'y'], changes: 0 },
    { name: 'insert', a: ['x', 'z'], b: ['x', 'y', 'z'], changes: 1 },
    { name: 'delete', a: ['x', 'y', 'z'], b: ['x', 'z'], changes: 1 },
    { name: 'replace', a: ['replicas: 1', 'image: a'], b: ['replicas: 2', 'image: a'], changes: 2 },
    { name: 'from empty', a: [], b: ['a', 'b'], changes: 2 },
    { name: 'to empty', a: ['a', 'b'], b: [], changes: 2 },
    { name: 'classic', a: 'ABCABBA'.split(''), b: 'CBABAC'.split(''), changes: 5 },
  ];
  for (const c of cases) {
    it(`${c.name}: minimal and replays both sides`, () => {
      const ops = diffLines(c.a, c.b);
      assert.deepEqual(replay(ops), { a: c.a, b: c.b });
      assert.equal(ops.filter((o) => o.op !== ' ').length, c.changes);
    });
  }
});

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    assert.equal(unifiedDiff('a\nb\n', 'a\nb\n', { from: 'live', to: 'merged' }), '');
  });

  it('matches the hunks of GNU diff -u', () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n') + '\n';
    const after = before.replace('line 3\n', 'line three\n').replace('line 15\n', '').replace('line 19\n', 'line 19\nline 20\n');
    const ours = unifiedDiff(before, after, { from: 'a', to: 'b' });
    const dir = mkdtempSync(join(tmpdir(), 'udiff-'));
    writeFileSync(join(dir, 'a'), before);
    writeFileSync(join(dir, 'b'), after);
    let gnu = '';
    try {
      execFileSync('diff', ['-u', '--label', 'a', '--label', 'b', join(dir, 'a'), join(dir, 'b')], { encoding: 'utf8' });
    } catch (err) {
      gnu = String((err as { stdout: string }).stdout);
    }
    assert.equal(ours, gnu.trimEnd());
  });
});
