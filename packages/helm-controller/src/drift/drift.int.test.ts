// SPDX-License-Identifier: Apache-2.0
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@eddy/runtime/client';
import * as conditions from '@eddy/runtime/conditions';
import { setupHarness, type Harness } from '../testing/harness.ts';
import { atomicRelease } from '../release/atomic-release.ts';
import type { HelmReleaseObject } from '../release/types.ts';
import { driftHandler } from './handler.ts';

type Deployment = KubeObject & { spec: { replicas: number; template: { spec: { containers: Array<{ image: string }> } } } };

describe('drift detection and correction against a real apiserver', () => {
  let h: Harness;
  before(async () => {
    h = await setupHarness('hc-drift');
  });
  after(() => h.teardown());

  const reconcile = async (hr: HelmReleaseObject) => {
    const { req, env, chart } = await h.request(hr, { replicaCount: 2 });
    env.drift = driftHandler({ client: h.client, release: { name: 'podinfo', namespace: h.namespace }, spec: hr.spec.driftDetection });
    try {
      return await atomicRelease(req, env, { patch: async () => undefined, forceRequested: false });
    } finally {
      await chart.dispose();
    }
  };
  const deployRef = () => ({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: h.namespace, name: 'podinfo' });
  const getDeploy = async () => (await h.client.get<Deployment>(deployRef()))!;

  it('reports no drift after install', async () => {
    const hr = h.helmRelease({ driftDetection: { mode: 'enabled', ignore: [{ paths: ['/spec/template/metadata/annotations'], target: { kind: 'Deployment' } }] } });
    assert.deepEqual(await reconcile(hr), { kind: 'done' });
    assert.equal(conditions.getReason(hr, 'Drifted'), 'NoDriftDetected');
    assert.equal(conditions.get(hr, 'Drifted')?.status, 'False');

    await h.client.patch(deployRef(), { spec: { replicas: 5 } }, { type: 'merge', fieldManager: 'kubectl-edit' });
    await h.client.delete({ apiVersion: 'v1', kind: 'Service', namespace: h.namespace, name: 'podinfo' });

    assert.deepEqual(await reconcile(hr), { kind: 'done' });
    const drifted = h.events.find((e) => e.reason === 'DriftDetected')!;
    assert.match(drifted.message, /has drifted from the desired state:\n/);
    assert.match(drifted.message, /Deployment\/.*\/podinfo changed \(0 additions, 1 changes, 0 removals\)/);
    assert.match(drifted.message, /Service\/.*\/podinfo removed/);
    const corrected = h.events.find((e) => e.reason === 'DriftCorrected')!;
    assert.match(corrected.message, /has been corrected:\n/);
    assert.equal((await getDeploy()).spec.replicas, 2);
    assert.ok(await h.client.get({ apiVersion: 'v1', kind: 'Service', namespace: h.namespace, name: 'podinfo' }), 'the Service is back');
    assert.equal(conditions.getReason(hr, 'Drifted'), 'NoDriftDetected', 'the final pass sees no drift');
    assert.equal(conditions.get(hr, 'Ready')?.status, 'True');
  });

  it('ignores drift under ignore rules and objects with the driftDetection: disabled annotation', async () => {
    const hr = h.helmRelease({ driftDetection: { mode: 'enabled', ignore: [{ paths: ['/spec/replicas'], target: { kind: 'Deployment', name: 'podin.*' } }] } });
    await reconcile(hr);
    const n = h.events.length;
    await h.client.patch(deployRef(), { spec: { replicas: 7 } }, { type: 'merge', fieldManager: 'hpa' });
    await h.client.patch({ apiVersion: 'v1', kind: 'Service', namespace: h.namespace, name: 'podinfo' }, { metadata: { annotations: { 'helm.toolkit.fluxcd.io/driftDetection': 'disabled' } }, spec: { sessionAffinity: 'ClientIP' } }, { type: 'merge', fieldManager: 'other' });
    assert.deepEqual(await reconcile(hr), { kind: 'done' });
    assert.equal(h.events.slice(n).filter((e) => e.reason === 'DriftDetected').length, 0);
    assert.equal((await getDeploy()).spec.replicas, 7);
  });

  it('warn mode reports drift and changes nothing', async () => {
    const hr = h.helmRelease({ driftDetection: { mode: 'warn' } });
    await reconcile(hr);
    const image = 'ghcr.io/stefanprodan/podinfo:0.0.1';
    const d = await getDeploy();
    d.spec.template.spec.containers[0]!.image = image;
    await h.client.apply({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'podinfo', namespace: h.namespace }, spec: { template: { spec: { containers: [{ name: 'podinfo', image }] } } } } as KubeObject, { fieldManager: 'someone', force: true });
    assert.deepEqual(await reconcile(hr), { kind: 'done' });
    assert.equal(conditions.getReason(hr, 'Drifted'), 'DriftDetected');
    assert.equal(conditions.get(hr, 'Drifted')?.status, 'True');
    assert.equal((await getDeploy()).spec.template.spec.containers[0]!.image, image);
    assert.equal(conditions.get(hr, 'Ready')?.status, 'True', 'drift does not affect Ready');
  });
});
