// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '@eddy/runtime/client';
import { GIT_REPOSITORY_INDEX, automationsForGitRepository, gitRepositoryIndex, latestImageChanged, sourceConfigChanged } from './imageupdateautomation-watches.ts';

describe('watches', () => {
  const obj = (extra: Record<string, unknown>): KubeObject => ({ apiVersion: 'v', kind: 'K', metadata: { name: 'n', namespace: 'apps', generation: 1 }, ...extra });
  it('indexes automations by their GitRepository', () => {
    assert.equal(GIT_REPOSITORY_INDEX, '.spec.gitRepository');
    assert.deepEqual(gitRepositoryIndex(obj({ spec: { sourceRef: { name: 'fleet' } } })), ['apps/fleet']);
    assert.deepEqual(gitRepositoryIndex(obj({ spec: { sourceRef: { name: 'fleet', namespace: 'flux-system' } } })), ['flux-system/fleet']);
    const map = automationsForGitRepository((k) => (k === 'apps/fleet' ? [obj({})] : []));
    assert.deepEqual(map({ apiVersion: 'v', kind: 'GitRepository', metadata: { name: 'fleet', namespace: 'apps' } }), [{ namespace: 'apps', name: 'n' }]);
  });
  it('passes GitRepository generation changes and creations', () => {
    const p = sourceConfigChanged();
    const at = (generation: number): KubeObject => ({ apiVersion: 'v', kind: 'GitRepository', metadata: { generation } });
    assert.equal(p.update!({ objectOld: at(1), objectNew: at(2) }), true);
    assert.equal(p.update!({ objectOld: at(2), objectNew: at(2) }), false);
    assert.equal(p.create!({ object: at(1) }), true);
    assert.equal(p.delete!({ object: at(1) }), false);
  });
  it('passes ImagePolicy updates that move the latest image', () => {
    const p = latestImageChanged();
    const at = (tag?: string): KubeObject => obj(tag ? { status: { latestRef: { name: 'x', tag } } } : { status: {} });
    assert.equal(p.update!({ objectOld: at(), objectNew: at('1') }), true);
    assert.equal(p.update!({ objectOld: at('1'), objectNew: at('2') }), true);
    assert.equal(p.update!({ objectOld: at('1'), objectNew: at('1') }), false);
    assert.equal(p.update!({ objectOld: at('1'), objectNew: at() }), false);
    assert.equal(p.create!({ object: at('1') }), false);
  });
});
