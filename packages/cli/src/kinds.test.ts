// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findKind, kindOf, singular, truncateHex } from './kinds.ts';
import { rowOf } from './commands/get.ts';

describe('findKind', () => {
  const cases: Array<{ words: string[]; kind: string | undefined; rest: string[] }> = [
    { words: ['source', 'git', 'podinfo'], kind: 'GitRepository', rest: ['podinfo'] },
    { words: ['source', 'helm'], kind: 'HelmRepository', rest: [] },
    { words: ['source', 'charts'], kind: 'HelmChart', rest: [] },
    { words: ['ks', 'apps'], kind: 'Kustomization', rest: ['apps'] },
    { words: ['kustomizations'], kind: 'Kustomization', rest: [] },
    { words: ['hr', 'podinfo'], kind: 'HelmRelease', rest: ['podinfo'] },
    { words: ['image', 'policies'], kind: 'ImagePolicy', rest: [] },
    { words: ['image', 'update', 'flux-system'], kind: 'ImageUpdateAutomation', rest: ['flux-system'] },
    { words: ['GitRepository', 'x'], kind: 'GitRepository', rest: ['x'] },
    { words: ['alert-providers'], kind: 'Provider', rest: [] },
    { words: ['gizmo'], kind: undefined, rest: [] },
  ];
  for (const c of cases) {
    it(`${c.words.join(' ')} → ${c.kind ?? 'nothing'}`, () => {
      const found = findKind(c.words);
      assert.equal(found?.kind.kind, c.kind);
      if (found) assert.deepEqual(found.rest, c.rest);
    });
  }
});

describe('singular', () => {
  it('drops plural endings the way kind words are typed', () => {
    assert.deepEqual(['policies', 'charts', 'git', 'address'].map(singular), ['policy', 'chart', 'git', 'address']);
  });
});

describe('kindOf', () => {
  it('matches by group and kind, whatever the version', () => {
    assert.equal(kindOf('source.toolkit.fluxcd.io/v1beta2', 'GitRepository')?.words.join(' '), 'source git');
    assert.equal(kindOf('apps/v1', 'Deployment'), undefined);
  });
});

describe('revision columns', () => {
  it('reads each kind the way flux get does', () => {
    const hr = findKind(['hr'])!.kind;
    assert.equal(hr.revision({ status: { history: [{ chartVersion: '6.14.1' }], lastAttemptedRevision: '6.0.0' } }), '6.14.1');
    const policy = findKind(['image', 'policy'])!.kind;
    assert.equal(policy.revision({ status: { latestRef: { name: 'ghcr.io/org/app', tag: '1.2.3' } } }), 'ghcr.io/org/app:1.2.3');
    const ks = findKind(['ks'])!.kind;
    assert.equal(ks.revision({ status: { lastAppliedRevision: 'main@sha1:abc' } }), 'main@sha1:abc');
  });
});

describe('truncateHex', () => {
  const sha1 = 'a'.repeat(8) + '0123456789abcdef0123456789abcdef';
  const sha256 = 'f'.repeat(64);

  it('shortens 40–128-character hex digests to 8 characters, as flux get does', () => {
    assert.equal(truncateHex(`main@sha1:${sha1}`), 'main@sha1:aaaaaaaa');
    assert.equal(truncateHex(`Applied revision: main@sha1:${sha1}, digest sha256:${sha256}`), 'Applied revision: main@sha1:aaaaaaaa, digest sha256:ffffffff');
  });

  it('leaves shorter hex, upper case and embedded runs alone', () => {
    assert.equal(truncateHex('sha1:abc123'), 'sha1:abc123');
    assert.equal(truncateHex('A'.repeat(40)), 'A'.repeat(40));
    assert.equal(truncateHex(`x${'a'.repeat(40)}`), `x${'a'.repeat(40)}`);
    assert.equal(truncateHex('6.14.1'), '6.14.1');
  });

  it('applies to the columns flux truncates, per kind', () => {
    const rev = `main@sha1:${sha1}`;
    const obj = { metadata: { name: 'a' }, status: { lastAppliedRevision: rev, artifact: { revision: rev }, conditions: [{ type: 'Ready', status: 'True', message: `stored ${rev}` }] } };
    const row = (words: string[]): string[] => rowOf(findKind(words)!.kind, obj as never, {});
    assert.deepEqual(row(['ks']).slice(1), ['main@sha1:aaaaaaaa', 'False', 'True', 'stored main@sha1:aaaaaaaa']);
    assert.deepEqual(row(['source', 'chart']).slice(1), [rev, 'False', 'True', 'stored main@sha1:aaaaaaaa']);
    assert.equal(row(['source', 'git'])[1], 'main@sha1:aaaaaaaa');
  });
});
