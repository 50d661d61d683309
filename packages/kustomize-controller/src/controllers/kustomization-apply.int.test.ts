// SPDX-License-Identifier: Apache-2.0
/**
 * Server-side apply behaviour of the Kustomization reconciler against a real apiserver: staged
 * apply of CRDs and Namespaces with their instances, drift correction, the `ssa` annotation
 * policies (IfNotPresent, Ignore), forced recreation of immutable objects, and the events sent.
 * The conformance checker runs after every reconcile.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KustomizationEnv } from '../testing/kustomization-env.ts';
import { crdYaml } from '@eddy/testenv';

const cond = KustomizationEnv.condition;

interface RecordedEvent {
  type: string;
  reason: string;
  message: string;
  annotations: Record<string, string>;
}

describe('Kustomization: apply', { timeout: 180_000 }, () => {
  const events: RecordedEvent[] = [];
  const recorder = {
    annotatedEvent: (_obj: unknown, annotations: Record<string, string>, type: string, reason: string, message: string) => {
      events.push({ type, reason, message, annotations });
    },
  };
  const env = new KustomizationEnv(undefined, { events: recorder as never });
  before(() => env.start());
  after(() => env.stop());

  const cmRef = (namespace: string, name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name });

  it('applies CRDs and Namespaces before the objects that need them', async () => {
    const group = `${env.ns}.eddy.test`;
    const extraNs = `${env.ns}-extra`;
    await env.publish('staged', {
      'crd.yaml': crdYaml(group),
      'widget.yaml': `apiVersion: ${group}/v1\nkind: Widget\nmetadata:\n  name: w1\n  namespace: ${env.ns}\nspec: {size: 1}\n`,
      'ns.yaml': `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${extraNs}\n`,
      'cm.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: in-extra\n  namespace: ${extraNs}\n`,
    });
    await env.create('staged', { path: './' });
    try {
      const { obj } = await env.reconcile('staged');
      assert.equal(cond(obj, 'Ready')?.status, 'True', JSON.stringify(obj.status?.conditions));
      assert.ok(await env.client.get({ apiVersion: `${group}/v1`, kind: 'Widget', namespace: env.ns, name: 'w1' }));
      assert.ok(await env.client.get(cmRef(extraNs, 'in-extra')));
      const ids = (obj.status?.inventory?.entries ?? []).map((e) => e.id);
      assert.ok(ids.includes(`_widgets.${group}_apiextensions.k8s.io_CustomResourceDefinition`));
      assert.ok(ids.includes(`_${extraNs}__Namespace`));
      const applied = events.find((e) => e.message.includes('CustomResourceDefinition/'));
      assert.ok(applied, 'change set event');
      assert.match(applied.message, new RegExp(`^CustomResourceDefinition/widgets\\.${group.replaceAll('.', '\\.')} created\\n`));
      assert.equal(applied.annotations['kustomize.toolkit.fluxcd.io/revision'], obj.status?.lastAppliedRevision);
      const finished = events.find((e) => e.message.startsWith('Reconciliation finished in'));
      assert.equal(finished?.annotations['kustomize.toolkit.fluxcd.io/commit_status'], 'update');
      assert.equal(finished?.reason, 'ReconciliationSucceeded');
    } finally {
      await env.client.delete({ apiVersion: 'v1', kind: 'Namespace', name: extraNs }).catch(() => false);
      await env.client.delete({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: `widgets.${group}` }).catch(() => false);
    }
  });

  it('corrects drift and honours the ssa IfNotPresent and Ignore policies', async () => {
    await env.publish('drift', {
      'all.yaml': [
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: managed\ndata: {k: desired}\n',
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: once\n  annotations: {kustomize.toolkit.fluxcd.io/ssa: IfNotPresent}\ndata: {k: desired}\n',
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ignored\n  annotations: {kustomize.toolkit.fluxcd.io/ssa: Ignore}\ndata: {k: desired}\n',
      ].join('---\n'),
    });
    await env.create('drift', { path: './', targetNamespace: env.ns });
    assert.equal(cond((await env.reconcile('drift')).obj, 'Ready')?.status, 'True');
    assert.equal(await env.client.get(cmRef(env.ns, 'ignored')), undefined, 'Ignore: never applied');
    for (const name of ['managed', 'once']) {
      await env.client.patch(cmRef(env.ns, name), { data: { k: 'edited' } }, { type: 'merge' });
    }
    events.length = 0;
    const { obj } = await env.reconcile('drift');
    assert.equal(cond(obj, 'Ready')?.status, 'True');
    const data = async (name: string) => ((await env.client.get<{ apiVersion: string; kind: string; metadata: Record<string, unknown>; data?: Record<string, string> }>(cmRef(env.ns, name)))?.data ?? {}).k;
    assert.equal(await data('managed'), 'desired', 'drift corrected');
    assert.equal(await data('once'), 'edited', 'IfNotPresent: left alone');
    assert.ok(events.some((e) => e.message === `ConfigMap/${env.ns}/managed configured`), JSON.stringify(events.map((e) => e.message)));
  });

  it('recreates objects with immutable changes when force is set', async () => {
    const job = (image: string) =>
      `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: once\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: ${image}}]\n`;
    await env.publish('job', { 'job.yaml': job('example.invalid/a:1') });
    await env.create('job', { path: './', targetNamespace: env.ns });
    assert.equal(cond((await env.reconcile('job')).obj, 'Ready')?.status, 'True');
    await env.publish('job', { 'job.yaml': job('example.invalid/a:2') });
    const immutable = await env.reconcile('job');
    assert.equal(cond(immutable.obj, 'Ready')?.reason, 'ReconciliationFailed');
    assert.match(cond(immutable.obj, 'Ready')?.message ?? '', /field is immutable/);

    await env.patchSpec('job', { force: true });
    const forced = await env.reconcile('job');
    assert.equal(cond(forced.obj, 'Ready')?.status, 'True', JSON.stringify(forced.obj.status?.conditions));
    const live = await env.client.get<{ apiVersion: string; kind: string; metadata: Record<string, unknown>; spec: { template: { spec: { containers: Array<{ image: string }> } } } }>({
      apiVersion: 'batch/v1',
      kind: 'Job',
      namespace: env.ns,
      name: 'once',
    });
    assert.equal(live?.spec.template.spec.containers[0]?.image, 'example.invalid/a:2');
  });
});
