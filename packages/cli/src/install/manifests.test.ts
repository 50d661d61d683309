// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@eddy/runtime/client';
import { ALL_COMPONENTS, componentsOf, installManifests, loadInstallManifests, retarget, selectComponents, validateComponents } from './manifests.ts';

const subjectNames = (objs: KubeObject[]): string[] =>
  objs.filter((o) => o.kind === 'ClusterRoleBinding').flatMap((b) => (b['subjects'] as Array<{ name: string }>).map((s) => s.name));

describe('install manifests', () => {
  const all = loadInstallManifests();

  it('hold the namespace, every CRD and every controller', () => {
    assert.equal(all[0]!.kind, 'Namespace');
    assert.equal(all.filter((o) => o.kind === 'CustomResourceDefinition').length, 15);
    assert.deepEqual(all.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name).sort(), [...ALL_COMPONENTS].sort());
    for (const o of all) if (o.kind !== 'CustomResourceDefinition') assert.equal(o.metadata.labels?.['app.kubernetes.io/part-of'], 'flux', `${o.kind}/${o.metadata.name}`);
  });

  it('keep only the chosen controllers, their CRDs and their RBAC subjects', () => {
    const objs = selectComponents(all, ['source-controller']);
    assert.deepEqual(objs.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name), ['source-controller']);
    const crds = objs.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => o.metadata.name ?? '');
    assert.ok(crds.includes('gitrepositories.source.toolkit.fluxcd.io'));
    assert.ok(!crds.includes('kustomizations.kustomize.toolkit.fluxcd.io'));
    assert.ok(crds.includes('alerts.notification.toolkit.fluxcd.io'), 'kinds without an Eddy controller are always served');
    assert.deepEqual([...new Set(subjectNames(objs))], ['source-controller']);
    assert.ok(!objs.some((o) => o.kind === 'ClusterRoleBinding' && (o['roleRef'] as { name: string }).name === 'cluster-admin'), 'no applier, no cluster-admin binding');
  });

  it('move to another namespace, RBAC subjects included', () => {
    const objs = retarget(selectComponents(all, ['kustomize-controller']), 'gitops');
    assert.equal(objs[0]!.metadata.name, 'gitops');
    for (const o of objs.filter((x) => x.metadata.namespace)) assert.equal(o.metadata.namespace, 'gitops');
    for (const b of objs.filter((o) => o.kind === 'ClusterRoleBinding')) {
      for (const s of b['subjects'] as Array<{ namespace: string }>) assert.equal(s.namespace, 'gitops');
    }
    assert.equal(all.find((o) => o.kind === 'Namespace')!.metadata.name, 'flux-system', 'the loaded manifests are not modified');
  });

  it('take --components and --components-extra like Flux', () => {
    assert.deepEqual(componentsOf({}), ['source-controller', 'kustomize-controller', 'helm-controller']);
    assert.deepEqual(componentsOf({ components: ['source-controller'], componentsExtra: ['image-reflector-controller,image-automation-controller'] }), [
      'source-controller',
      'image-reflector-controller',
      'image-automation-controller',
    ]);
    assert.throws(() => validateComponents(['notification-controller']), /component 'notification-controller' is not available/);
    assert.throws(() => installManifests('flux-system', []), /at least one component/);
  });
});
