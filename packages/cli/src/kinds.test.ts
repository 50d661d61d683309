// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findKind, kindOf, singular } from './kinds.ts';

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
