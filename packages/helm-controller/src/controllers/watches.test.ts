// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@eddy/runtime/client';
import { artifactChanged, becameReady, dependsOnIndex, requestsForDependents, requestsForSource, sourceIndex } from './watches.ts';

const hr = (name: string, spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject =>
  ({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name, namespace: 'apps' }, spec, status }) as KubeObject;
const ready = [{ type: 'Ready', status: 'True' }];
const src = (kind: string, revision: string): KubeObject => ({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind, metadata: { name: 'podinfo', namespace: 'flux' }, status: { artifact: { revision } } }) as KubeObject;

describe('HelmRelease watch indexes', () => {
  it('indexes chartRef sources (namespace defaulted), templated HelmCharts, and dependencies', () => {
    assert.deepEqual(sourceIndex(hr('a', { chartRef: { kind: 'OCIRepository', name: 'podinfo' } })), ['OCIRepository/apps/podinfo']);
    assert.deepEqual(sourceIndex(hr('b', { chart: {} }, { helmChart: 'flux/apps-b' })), ['HelmChart/flux/apps-b']);
    assert.deepEqual(sourceIndex(hr('c', { chart: {} })), [], 'no HelmChart templated yet');
    assert.deepEqual(dependsOnIndex(hr('d', { dependsOn: [{ name: 'db' }, { name: 'cache', namespace: 'infra' }] })), ['apps/db', 'infra/cache']);
    assert.deepEqual(dependsOnIndex(hr('e', {})), []);
  });

  it('maps a source revision to the releases that have not attempted it yet', () => {
    const users = [
      hr('done', { chartRef: { kind: 'HelmChart', name: 'podinfo' } }, { lastAttemptedRevision: '6.14.2', conditions: ready }),
      hr('behind', { chartRef: { kind: 'HelmChart', name: 'podinfo' } }, { lastAttemptedRevision: '6.14.1', conditions: ready }),
      hr('failing', { chartRef: { kind: 'HelmChart', name: 'podinfo' } }, { lastAttemptedRevision: '6.14.2', conditions: [{ type: 'Ready', status: 'False' }] }),
    ];
    const keys: string[] = [];
    const map = requestsForSource((key) => (keys.push(key), users));
    assert.deepEqual(map(src('HelmChart', '6.14.2')), [{ namespace: 'apps', name: 'behind' }, { namespace: 'apps', name: 'failing' }]);
    assert.deepEqual(keys, ['HelmChart/flux/podinfo']);
    assert.deepEqual(map(src('HelmChart', '')), [], 'no artifact yet');
  });

  it('compares OCIRepository revisions by digest', () => {
    const d = 'sha256:' + 'a'.repeat(64);
    const users = [hr('oci', { chartRef: { kind: 'OCIRepository', name: 'podinfo' } }, { lastAttemptedRevisionDigest: d, conditions: ready })];
    assert.deepEqual(requestsForSource(() => users)(src('OCIRepository', `6.14.2@${d}`)), []);
    assert.deepEqual(requestsForSource(() => users)(src('OCIRepository', `6.14.3@sha256:${'b'.repeat(64)}`)), [{ namespace: 'apps', name: 'oci' }]);
  });

  it('maps a dependency to its dependents, and filters events', () => {
    const dep = hr('db', {});
    assert.deepEqual(requestsForDependents((key) => (key === 'apps/db' ? [hr('web', {})] : []))(dep), [{ namespace: 'apps', name: 'web' }]);
    assert.equal(becameReady.update({ objectOld: hr('db', {}), objectNew: hr('db', {}, { conditions: ready }) }), true);
    assert.equal(becameReady.update({ objectOld: hr('db', {}, { conditions: ready }), objectNew: hr('db', {}, { conditions: ready }) }), false);
    assert.equal(artifactChanged.update({ objectOld: src('HelmChart', '1'), objectNew: src('HelmChart', '2') }), true);
    assert.equal(artifactChanged.update({ objectOld: src('HelmChart', '1'), objectNew: src('HelmChart', '1') }), false);
  });
});
