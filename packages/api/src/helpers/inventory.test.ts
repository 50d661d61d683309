// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatObjMetadata, groupOf, inventoryEntryOf, parseObjMetadata } from './inventory.ts';
import type { ObjMetadata } from './inventory.ts';

describe('inventory ids', () => {
  const cases: [ObjMetadata, string][] = [
    [{ namespace: 'default', name: 'podinfo', group: 'apps', kind: 'Deployment' }, 'default_podinfo_apps_Deployment'],
    [{ namespace: 'default', name: 'podinfo', group: '', kind: 'Service' }, 'default_podinfo__Service'],
    [{ namespace: '', name: 'ns1', group: '', kind: 'Namespace' }, '_ns1__Namespace'],
    [{ namespace: '', name: 'system:controller:foo', group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' }, '_system__controller__foo_rbac.authorization.k8s.io_ClusterRole'],
    [{ namespace: 'flux-system', name: 'apps', group: 'kustomize.toolkit.fluxcd.io', kind: 'Kustomization' }, 'flux-system_apps_kustomize.toolkit.fluxcd.io_Kustomization'],
  ];
  for (const [obj, id] of cases) {
    it(`formats and parses ${id}`, () => {
      assert.equal(formatObjMetadata(obj), id);
      assert.deepEqual(parseObjMetadata(id), { ok: true, value: obj });
    });
  }

  for (const bad of ['', 'nounderscore', 'a_b', 'ns_name_group_', 'ns__group_Kind', 'ns_a_b_c_group_Kind']) {
    it(`rejects ${JSON.stringify(bad)}`, () => {
      const result = parseObjMetadata(bad);
      assert.equal(result.ok, false);
      if (!result.ok) assert.equal(result.error.code, 'InvalidObjMetadata');
    });
  }

  it('builds entries from objects', () => {
    assert.equal(groupOf('apps/v1'), 'apps');
    assert.equal(groupOf('v1'), '');
    assert.deepEqual(inventoryEntryOf({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'podinfo', namespace: 'default' } }), {
      id: 'default_podinfo_apps_Deployment',
      v: 'v1',
    });
    assert.deepEqual(inventoryEntryOf({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } }), { id: '_apps__Namespace', v: 'v1' });
  });
});
