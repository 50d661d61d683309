// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChangeSet, changeSetEntry } from '../apply/change-set.ts';
import type { KubeObject } from '../build/manifests.ts';
import { addChangeSet, diffInventory, listInventory, mergeInventory, newInventory } from './inventory.ts';

const obj = (apiVersion: string, kind: string, name: string, namespace?: string): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
});

describe('inventory', () => {
  const cs = new ChangeSet().add(
    changeSetEntry(obj('v1', 'Namespace', 'apps'), 'created'),
    changeSetEntry(obj('apps/v1', 'Deployment', 'podinfo', 'apps'), 'created'),
    changeSetEntry(obj('v1', 'Service', 'podinfo', 'apps'), 'unchanged'),
    changeSetEntry(obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'a:b'), 'skipped'),
  );
  const inv = addChangeSet(newInventory(), cs);

  it('records entries in change-set order with the version', () => {
    assert.deepEqual(inv.entries, [
      { id: '_apps__Namespace', v: 'v1' },
      { id: 'apps_podinfo_apps_Deployment', v: 'v1' },
      { id: 'apps_podinfo__Service', v: 'v1' },
      { id: '_a__b_rbac.authorization.k8s.io_ClusterRole', v: 'v1' },
    ]);
  });

  it('lists objects back in apply order', () => {
    assert.deepEqual(
      listInventory(inv).map((o) => `${o.apiVersion} ${o.kind} ${(o.metadata as { name: string }).name}`),
      ['v1 Namespace apps', 'rbac.authorization.k8s.io/v1 ClusterRole a:b', 'v1 Service podinfo', 'apps/v1 Deployment podinfo'],
    );
  });

  it('finds stale objects, ignoring version changes', () => {
    const next = addChangeSet(
      newInventory(),
      new ChangeSet().add(changeSetEntry(obj('v1', 'Namespace', 'apps'), 'unchanged'), changeSetEntry(obj('apps/v2', 'Deployment', 'podinfo', 'apps'), 'configured')),
    );
    assert.deepEqual(
      diffInventory(inv, next).map((o) => `${o.apiVersion} ${o.kind}`),
      ['rbac.authorization.k8s.io/v1 ClusterRole', 'v1 Service'],
    );
    assert.deepEqual(diffInventory(undefined, next), []);
  });

  it('re-tracks prune survivors once', () => {
    const next = newInventory();
    mergeInventory(next, [obj('v1', 'Service', 'podinfo', 'apps'), obj('v1', 'Service', 'podinfo', 'apps')]);
    assert.deepEqual(next.entries, [{ id: 'apps_podinfo__Service', v: 'v1' }]);
  });
});
