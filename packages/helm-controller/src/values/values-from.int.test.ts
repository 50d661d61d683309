// SPDX-License-Identifier: Apache-2.0
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DynamicClient } from '@eddy/runtime/client';
import { randomNamespaceName, useControlPlane } from '@eddy/testenv';
import { digestValues } from './digest.ts';
import { composeValues, ValuesReferenceError } from './values-from.ts';

describe('composeValues against a real apiserver', () => {
  let client: DynamicClient;
  const ns = randomNamespaceName('hc-values');
  before(async () => {
    client = new DynamicClient({ kubeconfig: (await useControlPlane()).kubeconfigPath });
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'base', namespace: ns }, data: { 'values.yaml': 'replicaCount: 2\nimage:\n  tag: "1.0"\n  pullPolicy: IfNotPresent\nenabled: yes\n', 'prod.yaml': 'replicaCount: 5\n', list: '- a\n' } });
    await client.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: ns }, stringData: { token: 's3cr3t', tag: '"2.0"', cfg: 'a=b,c' } } as never);
  });
  after(() => client.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns }));

  it('merges references in order, inline values last, targetPath over everything', async () => {
    const values = await composeValues(client, ns, { replicaCount: 3, image: { repository: 'podinfo' } }, [
      { kind: 'ConfigMap', name: 'base' },
      { kind: 'ConfigMap', name: 'base', valuesKey: 'prod.yaml' },
      { kind: 'Secret', name: 'creds', valuesKey: 'token', targetPath: 'auth.token' },
      { kind: 'Secret', name: 'creds', valuesKey: 'tag', targetPath: 'image.tag' },
      { kind: 'Secret', name: 'creds', valuesKey: 'cfg', targetPath: 'raw.cfg', literal: true },
      { kind: 'ConfigMap', name: 'missing', optional: true },
      { kind: 'ConfigMap', name: 'base', valuesKey: 'absent.yaml', optional: true },
    ]);
    assert.deepEqual(values, {
      replicaCount: 3,
      enabled: true,
      image: { tag: '2.0', pullPolicy: 'IfNotPresent', repository: 'podinfo' },
      auth: { token: 's3cr3t' },
      raw: { cfg: 'a=b,c' },
    });
    assert.match(digestValues(values), /^sha256:[a-f0-9]{64}$/);
  });

  it('fails with Flux messages for missing resources, keys and bad data', async () => {
    await assert.rejects(composeValues(client, ns, {}, [{ kind: 'ConfigMap', name: 'missing' }]), (e: unknown) =>
      ValuesReferenceError.is(e) && e.reason === 'resource not found' && e.message === `could not resolve ConfigMap chart values reference '${ns}/missing' with key 'values.yaml': configmaps "missing" not found`);
    await assert.rejects(composeValues(client, ns, {}, [{ kind: 'Secret', name: 'creds', valuesKey: 'nope' }]), /key 'nope': key not found/);
    await assert.rejects(composeValues(client, ns, {}, [{ kind: 'ConfigMap', name: 'base', valuesKey: 'list' }]), /failed to read values data|cannot unmarshal array/);
    await assert.rejects(composeValues(client, ns, {}, [{ kind: 'Bucket', name: 'x' }]), /unsupported values reference kind/);
  });
});
