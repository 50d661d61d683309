// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../build/manifests.ts';
import { ChangeSet, changeSetEntry, hasChanged } from './change-set.ts';
import { cleanupPatch, defaultCleanupOptions, mergeFieldsV1 } from './cleanup.ts';
import { formatSubject, objMetadataOf, objectId, parseObjectId } from './objects.ts';
import { anyInMetadata, setCommonMetadata, setOwnerLabels, shouldForceApply, shouldPrune, shouldSkipApply } from './policy.ts';
import { sortObjects, stageObjects } from './sort.ts';

const obj = (apiVersion: string, kind: string, name: string, namespace?: string, meta: Record<string, unknown> = {}): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}), ...meta },
});
const names = (objs: KubeObject[]): string[] => objs.map((o) => formatSubject(objMetadataOf(o)));

describe('object identity', () => {
  const ids: Array<[KubeObject, string]> = [
    [obj('apps/v1', 'Deployment', 'podinfo', 'default'), 'default_podinfo_apps_Deployment'],
    [obj('v1', 'Service', 'podinfo', 'default'), 'default_podinfo__Service'],
    [obj('v1', 'Namespace', 'ns1'), '_ns1__Namespace'],
    [obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'system:aggregate-to-edit'), '_system__aggregate-to-edit_rbac.authorization.k8s.io_ClusterRole'],
    [obj('v1', 'ConfigMap', 'a:b', 'x'), 'x_a:b__ConfigMap'],
  ];
  for (const [o, id] of ids) {
    it(`writes ${id}`, () => {
      assert.equal(objectId(objMetadataOf(o)), id);
      assert.deepEqual(parseObjectId(id), objMetadataOf(o).kind === 'ConfigMap' ? objMetadataOf(o) : parseObjectId(objectId(objMetadataOf(o))));
    });
  }
  it('round-trips RBAC names with colons', () => assert.equal(parseObjectId('_system__x_rbac.authorization.k8s.io_ClusterRole').name, 'system:x'));
  it('rejects malformed ids', () => assert.throws(() => parseObjectId('nounderscores'), /unable to parse/));
  it('formats subjects like Flux', () => {
    assert.equal(formatSubject(objMetadataOf(obj('apps/v1', 'Deployment', 'podinfo', 'default'))), 'Deployment/default/podinfo');
    assert.equal(formatSubject(objMetadataOf(obj('v1', 'Namespace', 'apps'))), 'Namespace/apps');
  });
});

describe('sorting and stages', () => {
  const objects = [
    obj('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', 'hook'),
    obj('apps/v1', 'Deployment', 'b', 'ns'),
    obj('example.com/v1', 'Widget', 'w', 'ns'),
    obj('apps/v1', 'Deployment', 'a', 'ns'),
    obj('v1', 'Service', 's', 'ns'),
    obj('networking.k8s.io/v1', 'IngressClass', 'nginx'),
    obj('v1', 'Namespace', 'ns'),
    obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'widgets.example.com'),
    obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'cr'),
    obj('v1', 'ConfigMap', 'cm', 'ns'),
  ];
  it('sorts by kind rank, then group/kind, namespace and name', () => {
    assert.deepEqual(names(sortObjects(objects)), [
      'CustomResourceDefinition/widgets.example.com',
      'Namespace/ns',
      'ClusterRole/cr',
      'ConfigMap/ns/cm',
      'Service/ns/s',
      'Deployment/ns/a',
      'Deployment/ns/b',
      'Widget/ns/w',
      'IngressClass/nginx',
      'ValidatingWebhookConfiguration/hook',
    ]);
  });
  it('stages definitions, classes, custom kinds and the rest', () => {
    const stages = stageObjects(objects, ['example.com/Widget']);
    assert.deepEqual(
      stages.map((s) => [s.name, names(s.objects), s.waitAfter]),
      [
        ['definitions', ['CustomResourceDefinition/widgets.example.com', 'Namespace/ns', 'ClusterRole/cr'], true],
        ['classes', ['IngressClass/nginx'], true],
        ['custom', ['Widget/ns/w'], true],
        ['resources', ['ConfigMap/ns/cm', 'Service/ns/s', 'Deployment/ns/a', 'Deployment/ns/b', 'ValidatingWebhookConfiguration/hook'], false],
      ],
    );
  });
});

describe('apply policies', () => {
  const ann = (k: string, v: string): KubeObject => obj('v1', 'ConfigMap', 'x', 'ns', { annotations: { [k]: v } });
  const lab = (k: string, v: string): KubeObject => obj('v1', 'ConfigMap', 'x', 'ns', { labels: { [k]: v } });
  it('matches labels or annotations case-insensitively', () => {
    assert.ok(anyInMetadata(ann('kustomize.toolkit.fluxcd.io/ssa', 'IGNORE'), { 'kustomize.toolkit.fluxcd.io/ssa': 'ignore' }));
    assert.ok(anyInMetadata(lab('kustomize.toolkit.fluxcd.io/reconcile', 'Disabled'), { 'kustomize.toolkit.fluxcd.io/reconcile': 'disabled' }));
    assert.ok(!anyInMetadata(ann('kustomize.toolkit.fluxcd.io/ssa', ''), { 'kustomize.toolkit.fluxcd.io/ssa': '' }));
  });
  it('skips excluded objects and IfNotPresent objects that exist', () => {
    assert.ok(shouldSkipApply(ann('kustomize.toolkit.fluxcd.io/ssa', 'Ignore'), undefined));
    assert.ok(shouldSkipApply(obj('v1', 'ConfigMap', 'x', 'ns'), lab('kustomize.toolkit.fluxcd.io/reconcile', 'disabled')));
    const ifNotPresent = ann('kustomize.toolkit.fluxcd.io/ssa', 'IfNotPresent');
    assert.ok(!shouldSkipApply(ifNotPresent, undefined));
    assert.ok(shouldSkipApply(ifNotPresent, obj('v1', 'ConfigMap', 'x', 'ns', { uid: 'u1' })));
  });
  it('forces on spec.force or the force annotation', () => {
    assert.ok(shouldForceApply(obj('v1', 'ConfigMap', 'x'), undefined, true));
    assert.ok(shouldForceApply(ann('kustomize.toolkit.fluxcd.io/force', 'Enabled'), undefined, false));
    assert.ok(!shouldForceApply(obj('v1', 'ConfigMap', 'x'), undefined, false));
  });
  it('prunes only owned objects without prune/reconcile/ssa opt-outs', () => {
    const owned = (extra: Record<string, string> = {}): KubeObject =>
      obj('v1', 'ConfigMap', 'x', 'ns', { labels: { 'kustomize.toolkit.fluxcd.io/name': 'app', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system', ...extra } });
    assert.ok(shouldPrune(owned(), 'app', 'flux-system'));
    assert.ok(!shouldPrune(owned(), 'other', 'flux-system'));
    assert.ok(!shouldPrune(owned({ 'kustomize.toolkit.fluxcd.io/prune': 'disabled' }), 'app', 'flux-system'));
    assert.ok(!shouldPrune(owned({ 'kustomize.toolkit.fluxcd.io/ssa': 'ignore' }), 'app', 'flux-system'));
  });
  it('sets owner labels and common metadata, overriding existing keys', () => {
    const o = obj('v1', 'ConfigMap', 'x', 'ns', { labels: { env: 'old' } });
    setOwnerLabels([o], 'app', 'flux-system');
    setCommonMetadata([o], { env: 'prod' }, { team: 'a' });
    assert.deepEqual(o.metadata, {
      name: 'x',
      namespace: 'ns',
      labels: { env: 'prod', 'kustomize.toolkit.fluxcd.io/name': 'app', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' },
      annotations: { team: 'a' },
    });
  });
});

describe('cleanupPatch', () => {
  const opts = defaultCleanupOptions();
  const existing = (meta: Record<string, unknown>): KubeObject => obj('v1', 'ConfigMap', 'x', 'ns', meta);
  it('removes kubectl leftovers and hands kubectl fields to the controller', () => {
    const ops = cleanupPatch(obj('v1', 'ConfigMap', 'x', 'ns'), existing({
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', keep: 'me' },
      labels: { 'fluxcd.io/sync-gc-mark': 'x' },
      managedFields: [
        { manager: 'kustomize-controller', operation: 'Apply', fieldsV1: { 'f:data': { 'f:a': {} } } },
        { manager: 'kubectl-client-side-apply', operation: 'Update', fieldsV1: { 'f:data': { 'f:b': {} } } },
        { manager: 'kube-controller-manager', operation: 'Update', fieldsV1: { 'f:status': {} } },
        { manager: 'kubectl-edit', operation: 'Update', subresource: 'status', fieldsV1: {} },
      ],
    }), opts, 'kustomize-controller');
    assert.deepEqual(ops, [
      { op: 'remove', path: '/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration' },
      { op: 'remove', path: '/metadata/labels/fluxcd.io~1sync-gc-mark' },
      {
        op: 'replace',
        path: '/metadata/managedFields',
        value: [
          { manager: 'kube-controller-manager', operation: 'Update', fieldsV1: { 'f:status': {} } },
          { manager: 'kubectl-edit', operation: 'Update', subresource: 'status', fieldsV1: {} },
          { manager: 'kustomize-controller', operation: 'Apply', fieldsV1: { 'f:data': { 'f:a': {}, 'f:b': {} } } },
        ],
      },
    ]);
  });
  it('renames the first match when the controller has no apply entry yet', () => {
    const ops = cleanupPatch(obj('v1', 'ConfigMap', 'x', 'ns'), existing({ managedFields: [{ manager: 'before-first-apply', operation: 'Update', fieldsV1: { 'f:a': {} } }] }), opts, 'kustomize-controller');
    assert.deepEqual(ops, [{ op: 'replace', path: '/metadata/managedFields', value: [{ manager: 'kustomize-controller', operation: 'Apply', fieldsV1: { 'f:a': {} } }] }]);
  });
  it('leaves ssa: Merge objects and flux-client-side-apply edits alone', () => {
    const merge = existing({ annotations: { 'kustomize.toolkit.fluxcd.io/ssa': 'Merge', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } });
    assert.deepEqual(cleanupPatch(obj('v1', 'ConfigMap', 'x'), merge, opts, 'kustomize-controller'), []);
    const fluxCsa = existing({ managedFields: [{ manager: 'flux-client-side-apply', operation: 'Update' }] });
    assert.deepEqual(cleanupPatch(obj('v1', 'ConfigMap', 'x'), fluxCsa, opts, 'kustomize-controller'), []);
  });
  it('merges field tries', () => {
    assert.deepEqual(mergeFieldsV1({ 'f:a': { 'f:b': {} } }, { 'f:a': { 'f:c': {} }, '.': {} }), { 'f:a': { 'f:b': {}, 'f:c': {} }, '.': {} });
  });
});

describe('ChangeSet', () => {
  it('prints entries like Flux and keeps only changes for events', () => {
    const cs = new ChangeSet().add(
      changeSetEntry(obj('v1', 'Service', 'podinfo', 'default'), 'created'),
      changeSetEntry(obj('apps/v1', 'Deployment', 'podinfo', 'default'), 'configured'),
      changeSetEntry(obj('v1', 'ConfigMap', 'same', 'default'), 'unchanged'),
      changeSetEntry(obj('v1', 'Namespace', 'old'), 'deleted'),
    );
    assert.equal(cs.toString(), 'Service/default/podinfo created\nDeployment/default/podinfo configured\nConfigMap/default/same unchanged\nNamespace/old deleted');
    assert.equal(cs.changedString(), 'Service/default/podinfo created\nDeployment/default/podinfo configured\nNamespace/old deleted');
    assert.deepEqual(cs.toGroupedMap(), { created: ['Service/default/podinfo'], configured: ['Deployment/default/podinfo'], unchanged: ['ConfigMap/default/same'], deleted: ['Namespace/old'] });
    assert.equal(cs.entries[1]!.version, 'v1');
    assert.deepEqual([hasChanged('skipped'), hasChanged('unknown'), hasChanged('deleted')], [false, false, true]);
  });
});
