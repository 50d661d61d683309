// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '@eddy/runtime/client';
import { imageRepositoryIndex, policiesForRepository, policyReadyMessage, refsEqual, scanResultChanged } from './imagepolicy-helpers.ts';

describe('ImagePolicy helpers', () => {
  const policy = (ns: string, ref: { name: string; namespace?: string }): KubeObject =>
    ({ apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImagePolicy', metadata: { name: 'p', namespace: ns }, spec: { imageRepositoryRef: ref, policy: {} } }) as unknown as KubeObject;
  it('indexes policies by the namespace/name of their repository', () => {
    assert.deepEqual(imageRepositoryIndex(policy('apps', { name: 'podinfo' })), ['apps/podinfo']);
    assert.deepEqual(imageRepositoryIndex(policy('apps', { name: 'podinfo', namespace: 'shared' })), ['shared/podinfo']);
  });
  it('maps a repository to the policies in its index entry', () => {
    const index = new Map([['apps/podinfo', [policy('apps', { name: 'podinfo' })]]]);
    const map = policiesForRepository((k) => index.get(k) ?? []);
    const repo = { apiVersion: 'v', kind: 'ImageRepository', metadata: { name: 'podinfo', namespace: 'apps' } };
    assert.deepEqual(map(repo), [{ namespace: 'apps', name: 'p' }]);
    assert.deepEqual(map({ ...repo, metadata: { name: 'other', namespace: 'apps' } }), []);
  });
  it('passes repository updates only for a new scan revision', () => {
    const repo = (rev?: string): KubeObject =>
      ({ apiVersion: 'v', kind: 'ImageRepository', metadata: {}, status: rev ? { lastScanResult: { revision: rev, tagCount: 1 } } : {} }) as unknown as KubeObject;
    const p = scanResultChanged();
    assert.equal(p.update!({ objectOld: repo(), objectNew: repo('sha256:a') }), true);
    assert.equal(p.update!({ objectOld: repo('sha256:a'), objectNew: repo('sha256:b') }), true);
    assert.equal(p.update!({ objectOld: repo('sha256:a'), objectNew: repo('sha256:a') }), false);
    assert.equal(p.update!({ objectOld: repo('sha256:a'), objectNew: repo() }), false);
  });
  it('writes Flux’s Ready message, with the previous image when it changed', () => {
    const latest = { name: 'ghcr.io/a/b', tag: '1.1.0', digest: 'sha256:bb' };
    assert.equal(policyReadyMessage(latest, undefined), 'Latest image tag for ghcr.io/a/b resolved to 1.1.0 with digest sha256:bb');
    assert.equal(policyReadyMessage(latest, { name: 'ghcr.io/a/b', tag: '1.0.0' }), 'Latest image tag for ghcr.io/a/b resolved to 1.1.0 with digest sha256:bb (previously ghcr.io/a/b:1.0.0)');
    assert.equal(policyReadyMessage(latest, { ...latest }), 'Latest image tag for ghcr.io/a/b resolved to 1.1.0 with digest sha256:bb');
    assert.equal(refsEqual({ name: 'a', tag: '1' }, { name: 'a', tag: '1', digest: '' }), true);
  });
});
