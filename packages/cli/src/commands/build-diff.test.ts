// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@eddy/runtime/client';
import { maskSecret, normalizeForDiff, staleEntries } from './build-diff.ts';
import { setOwnerMetadata } from '../build/local-build.ts';

const cm = (name: string, namespace = 'apps'): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { a: '1' } });

describe('normalizeForDiff', () => {
  it('drops what the server adds', () => {
    const live: KubeObject = {
      ...cm('x'),
      metadata: { name: 'x', namespace: 'apps', uid: 'u', resourceVersion: '9', generation: 2, creationTimestamp: 't', managedFields: [{}], annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
      status: { phase: 'x' },
    };
    assert.deepEqual(normalizeForDiff(live), cm('x'));
    assert.equal(live.metadata.uid, 'u', 'the input is not modified');
  });
});

describe('maskSecret', () => {
  it('hides values but shows which keys change', () => {
    const s = (v: string): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { token: v } });
    const a = maskSecret(s('c2VjcmV0'))['data'] as Record<string, string>;
    const b = maskSecret(s('b3RoZXI='))['data'] as Record<string, string>;
    assert.match(a['token']!, /^\*\*\* \(sha256:[0-9a-f]{12}\)$/);
    assert.notEqual(a['token'], b['token']);
    assert.deepEqual(maskSecret(cm('x')), cm('x'));
  });
});

describe('staleEntries', () => {
  it('lists inventory entries the build no longer has', () => {
    const ks: KubeObject = {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'apps' },
      status: { inventory: { entries: [{ id: 'apps_keep__ConfigMap', v: 'v1' }, { id: 'apps_old_apps_Deployment', v: 'v1' }, { id: '_apps__Namespace', v: 'v1' }] } },
    };
    assert.deepEqual(staleEntries(ks, [cm('keep')]), ['Deployment/apps/old', 'Namespace/apps']);
  });
});

describe('setOwnerMetadata', () => {
  it('adds commonMetadata and the owner labels the controller sets', () => {
    const ks: KubeObject = {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'apps', namespace: 'flux-system' },
      spec: { commonMetadata: { labels: { team: 'a' }, annotations: { note: 'n' } } },
    };
    const [out] = setOwnerMetadata([cm('x')], ks);
    assert.deepEqual(out!.metadata.labels, { team: 'a', 'kustomize.toolkit.fluxcd.io/name': 'apps', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' });
    assert.deepEqual(out!.metadata.annotations, { note: 'n' });
  });
});
