// SPDX-License-Identifier: Apache-2.0
/**
 * Kustomization reconciler against a real apiserver: apply, inventory, history, new revision,
 * prune, per-object opt-outs, missing source and artifact, build failure, suspend, deletion.
 * The conformance checker runs after every reconcile.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KustomizationEnv } from '../testing/kustomization-env.ts';

const cond = KustomizationEnv.condition;

const cm = (name: string, data: Record<string, string>, annotations: Record<string, string> = {}): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  annotations: ${JSON.stringify(annotations)}\ndata: ${JSON.stringify(data)}\n`;

describe('Kustomization: basic', { timeout: 180_000 }, () => {
  const env = new KustomizationEnv();
  before(() => env.start());
  after(() => env.stop());

  const getCm = (name: string) => env.client.get<{ apiVersion: string; kind: string; data?: Record<string, string>; metadata: { labels?: Record<string, string> } }>({ apiVersion: 'v1', kind: 'ConfigMap', namespace: env.ns, name });

  it('applies manifests, records inventory and history, then prunes on the next revision', async () => {
    const art1 = await env.publish('app', {
      'deploy/a.yaml': cm('a', { k: '1' }),
      'deploy/b.yaml': cm('b', { k: '1' }),
      'deploy/keep.yaml': cm('keep', { k: '1' }, { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' }),
    });
    await env.create('app', { path: './deploy', targetNamespace: env.ns, commonMetadata: { labels: { team: 'x' } } });
    const { obj, result, error } = await env.reconcile('app');
    assert.equal(error, undefined);
    assert.ok((result?.requeueAfterMs ?? 0) >= 599_000, 'requeue at interval');
    const ready = cond(obj, 'Ready');
    assert.equal(ready?.status, 'True');
    assert.equal(ready?.reason, 'ReconciliationSucceeded');
    assert.equal(ready?.message, `Applied revision: ${art1.revision}`);
    assert.equal(obj.status?.lastAppliedRevision, art1.revision);
    assert.equal(obj.status?.lastAttemptedRevision, art1.revision);
    assert.equal(obj.status?.observedGeneration, 1);
    assert.deepEqual(obj.metadata.finalizers, ['finalizers.fluxcd.io']);
    assert.equal(cond(obj, 'Reconciling'), undefined);
    const ids = (obj.status?.inventory?.entries ?? []).map((e) => `${e.id} ${e.v}`);
    assert.deepEqual(ids, [`${env.ns}_a__ConfigMap v1`, `${env.ns}_b__ConfigMap v1`, `${env.ns}_keep__ConfigMap v1`]);
    const history = obj.status?.history ?? [];
    assert.equal(history.length, 1);
    assert.match(history[0]!.digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(history[0]!.lastReconciledStatus, 'ReconciliationSucceeded');
    assert.equal(history[0]!.totalReconciliations, 1);
    assert.deepEqual(history[0]!.metadata, { revision: art1.revision });

    const a = await getCm('a');
    assert.deepEqual(a?.data, { k: '1' });
    assert.equal(a?.metadata.labels?.['kustomize.toolkit.fluxcd.io/name'], 'app');
    assert.equal(a?.metadata.labels?.['kustomize.toolkit.fluxcd.io/namespace'], env.ns);
    assert.equal(a?.metadata.labels?.team, 'x');

    // Same revision again: history counts up, digest unchanged.
    const again = await env.reconcile('app');
    assert.equal(again.obj.status?.history?.length, 1);
    assert.equal(again.obj.status?.history?.[0]?.totalReconciliations, 2);

    const art2 = await env.publish('app', { 'deploy/a.yaml': cm('a', { k: '2' }) });
    const second = await env.reconcile('app');
    assert.equal(cond(second.obj, 'Ready')?.message, `Applied revision: ${art2.revision}`);
    assert.deepEqual((await getCm('a'))?.data, { k: '2' });
    assert.equal(await getCm('b'), undefined, 'b pruned');
    assert.ok(await getCm('keep'), 'keep not pruned (prune: disabled)');
    assert.deepEqual(
      (second.obj.status?.inventory?.entries ?? []).map((e) => e.id),
      [`${env.ns}_a__ConfigMap`],
    );
    assert.equal(second.obj.status?.history?.length, 2);
    assert.equal(second.obj.status?.history?.[0]?.metadata?.revision, art2.revision);
  });

  it('reports a missing source and a source without artifact', async () => {
    await env.create('nosrc', { path: './' }, 'does-not-exist');
    const { obj, result } = await env.reconcile('nosrc');
    assert.equal(cond(obj, 'Ready')?.status, 'False');
    assert.equal(cond(obj, 'Ready')?.reason, 'ArtifactFailed');
    assert.match(cond(obj, 'Ready')?.message ?? '', /GitRepository.*does-not-exist.*not found/);
    assert.ok((result?.requeueAfterMs ?? 0) > 0);

    await env.setArtifact('noart', undefined);
    await env.create('noart', { path: './' });
    const second = await env.reconcile('noart');
    assert.equal(cond(second.obj, 'Ready')?.reason, 'ArtifactFailed');
    assert.match(cond(second.obj, 'Ready')?.message ?? '', /^Source artifact not found, retrying in 30s$/);
  });

  it('fails the build with BuildFailed and keeps the last applied revision', async () => {
    const good = await env.publish('bf', { 'cm.yaml': cm('bf', { k: '1' }) });
    await env.create('bf', { path: './', targetNamespace: env.ns });
    assert.equal(cond((await env.reconcile('bf')).obj, 'Ready')?.status, 'True');
    const bad = await env.publish('bf', { 'kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [missing.yaml]\n' });
    const { obj, error } = await env.reconcile('bf');
    assert.equal(error, undefined);
    const ready = cond(obj, 'Ready');
    assert.equal(ready?.status, 'False');
    assert.equal(ready?.reason, 'BuildFailed');
    assert.match(ready?.message ?? '', /missing\.yaml/);
    assert.equal(obj.status?.lastAppliedRevision, good.revision);
    assert.equal(obj.status?.lastAttemptedRevision, bad.revision);
    assert.equal(cond(obj, 'Reconciling')?.reason, 'ProgressingWithRetry', 'Flux keeps Reconciling with retry after a failure');
  });

  it('fails with ArtifactFailed when the path does not exist', async () => {
    await env.publish('nopath', { 'cm.yaml': cm('np', {}) });
    await env.create('nopath', { path: './nope' });
    const { obj } = await env.reconcile('nopath');
    assert.equal(cond(obj, 'Ready')?.reason, 'ArtifactFailed');
    assert.match(cond(obj, 'Ready')?.message ?? '', /kustomization path not found/);
  });

  it('skips suspended objects and prunes per deletionPolicy on deletion', async () => {
    await env.publish('del', { 'cm.yaml': cm('del-a', { k: '1' }) });
    await env.create('del', { path: './', targetNamespace: env.ns });
    assert.equal(cond((await env.reconcile('del')).obj, 'Ready')?.status, 'True');
    await env.patchSpec('del', { suspend: true });
    // Flux skips suspended objects without touching Ready (its observedGeneration stays behind).
    const suspended = await env.reconcile('del', { conformance: false });
    assert.equal((suspended.obj.status?.conditions ?? []).find((c) => c.type === 'Ready')?.observedGeneration, 1);
    await env.patchSpec('del', { suspend: false });
    await env.reconcile('del');

    await env.client.delete({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', namespace: env.ns, name: 'del' });
    await env.reconcile('del', { conformance: false });
    assert.equal(await env.get('del'), undefined, 'finalizer removed');
    assert.equal(await getCm('del-a'), undefined, 'inventory pruned');

    await env.publish('orphan', { 'cm.yaml': cm('orphan-a', { k: '1' }) });
    await env.create('orphan', { path: './', targetNamespace: env.ns, deletionPolicy: 'Orphan' });
    await env.reconcile('orphan');
    await env.client.delete({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', namespace: env.ns, name: 'orphan' });
    await env.reconcile('orphan', { conformance: false });
    assert.equal(await env.get('orphan'), undefined);
    assert.ok(await getCm('orphan-a'), 'orphaned object kept');
  });
});
