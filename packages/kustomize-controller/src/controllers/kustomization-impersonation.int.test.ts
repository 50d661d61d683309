// SPDX-License-Identifier: Apache-2.0
/**
 * Service account impersonation against a real apiserver with RBAC: a Kustomization with
 * `serviceAccountName` is applied as that account (forbidden until a Role allows it), and its
 * deletion skips pruning when the account is gone. Conformance runs after every reconcile.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { useControlPlane } from '@eddy/testenv';
import { KustomizationEnv } from '../testing/kustomization-env.ts';

const cond = KustomizationEnv.condition;

describe('Kustomization: impersonation', { timeout: 120_000 }, () => {
  const env = new KustomizationEnv();
  before(() => env.start());
  after(() => env.stop());

  const getCm = (name: string) => env.client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: env.ns, name });

  it('applies as the service account and is bound by its RBAC', async () => {
    await env.client.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'tenant', namespace: env.ns } } as never);
    await env.publish('tenant', { 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tenant-cm\ndata: {a: b}\n' });
    await env.create('tenant', { path: './', targetNamespace: env.ns, serviceAccountName: 'tenant' });
    const denied = await env.reconcile('tenant');
    const ready = cond(denied.obj, 'Ready');
    assert.equal(ready?.status, 'False');
    assert.equal(ready?.reason, 'ReconciliationFailed');
    assert.match(ready?.message ?? '', /forbidden/i);
    assert.match(ready?.message ?? '', new RegExp(`system:serviceaccount:${env.ns}:tenant`));
    assert.equal(await getCm('tenant-cm'), undefined);

    await env.client.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'tenant', namespace: env.ns },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['*'] }],
    } as never);
    await env.client.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'tenant', namespace: env.ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'tenant' },
      subjects: [{ kind: 'ServiceAccount', name: 'tenant', namespace: env.ns }],
    } as never);
    const allowed = await env.reconcile('tenant');
    assert.equal(cond(allowed.obj, 'Ready')?.status, 'True', JSON.stringify(allowed.obj.status?.conditions));
    assert.ok(await getCm('tenant-cm'));
  });

  it('applies to a remote cluster from a kubeConfig Secret', async () => {
    const cp = await useControlPlane();
    await env.client.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'remote', namespace: env.ns },
      stringData: { 'value.yaml': readFileSync(cp.kubeconfigPath, 'utf8'), other: 'x' },
    } as never);
    await env.publish('remote', { 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: remote-cm\n' });
    await env.create('remote', { path: './', targetNamespace: env.ns, kubeConfig: { secretRef: { name: 'remote', key: 'missing' } } });
    const bad = await env.reconcile('remote');
    assert.equal(cond(bad.obj, 'Ready')?.reason, 'ReconciliationFailed');
    assert.equal(cond(bad.obj, 'Ready')?.message, `KubeConfig secret '${env.ns}/remote' does not contain a 'missing' key`);

    await env.patchSpec('remote', { kubeConfig: { secretRef: { name: 'remote', key: null } } });
    const { obj } = await env.reconcile('remote');
    assert.equal(cond(obj, 'Ready')?.status, 'True', JSON.stringify(obj.status?.conditions));
    assert.ok(await getCm('remote-cm'));
  });

  it('skips pruning on deletion when the service account is gone', async () => {
    await env.client.delete({ apiVersion: 'v1', kind: 'ServiceAccount', namespace: env.ns, name: 'tenant' });
    await env.client.delete({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', namespace: env.ns, name: 'tenant' });
    await env.reconcile('tenant', { conformance: false });
    assert.equal(await env.get('tenant'), undefined, 'finalizer removed');
    assert.ok(await getCm('tenant-cm'), 'objects left behind');
  });
});
