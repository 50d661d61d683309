// SPDX-License-Identifier: Apache-2.0
/**
 * Kustomization features against a real apiserver: post-build substitution from inline values,
 * ConfigMaps and Secrets; SOPS decryption with an age key Secret (real `sops`); dependsOn;
 * apply failures; invalid CEL expressions. The conformance checker runs after every reconcile.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KustomizationEnv } from '../testing/kustomization-env.ts';
import { SopsTools } from '../testing/sops.ts';

const cond = KustomizationEnv.condition;

describe('Kustomization: features', { timeout: 180_000 }, () => {
  const env = new KustomizationEnv();
  const sops = new SopsTools();
  before(() => env.start());
  after(async () => {
    await env.stop();
    sops.cleanup();
  });

  const getObj = <T extends object>(kind: string, name: string) =>
    env.client.get<{ apiVersion: string; kind: string; metadata: Record<string, unknown> } & T>({ apiVersion: 'v1', kind, namespace: env.ns, name });

  it('substitutes variables from spec, ConfigMaps and Secrets', async () => {
    await env.client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'vars', namespace: env.ns }, data: { region: 'eu', tier: 'cm' } } as never);
    await env.client.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'vars-secret', namespace: env.ns },
      stringData: { token: 's3cr3t', tier: 'secret' },
    } as never);
    const manifest = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: sub',
      'data:',
      '  region: ${region}',
      '  tier: ${tier}',
      '  token: ${token}',
      '  cluster: ${cluster:=default}',
      '  upper: ${cluster^^}',
      '  escaped: $${region}',
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: nosub',
      '  annotations:',
      '    kustomize.toolkit.fluxcd.io/substitute: disabled',
      'data:',
      '  raw: ${region}',
      '',
    ].join('\n');
    await env.publish('sub', { 'all.yaml': manifest });
    await env.create('sub', {
      path: './',
      targetNamespace: env.ns,
      postBuild: {
        substitute: { cluster: 'prod' },
        substituteFrom: [
          { kind: 'ConfigMap', name: 'vars' },
          { kind: 'Secret', name: 'vars-secret' },
          { kind: 'ConfigMap', name: 'absent', optional: true },
        ],
      },
    });
    const { obj } = await env.reconcile('sub');
    assert.equal(cond(obj, 'Ready')?.status, 'True', JSON.stringify(obj.status?.conditions));
    const sub = await getObj<{ data: Record<string, string> }>('ConfigMap', 'sub');
    assert.deepEqual(sub?.data, { region: 'eu', tier: 'secret', token: 's3cr3t', cluster: 'prod', upper: 'PROD', escaped: '${region}' });
    const nosub = await getObj<{ data: Record<string, string> }>('ConfigMap', 'nosub');
    assert.deepEqual(nosub?.data, { raw: '${region}' });

    await env.patchSpec('sub', { postBuild: { substituteFrom: [{ kind: 'ConfigMap', name: 'absent' }] } });
    const missing = await env.reconcile('sub');
    assert.equal(cond(missing.obj, 'Ready')?.reason, 'BuildFailed');
    assert.match(cond(missing.obj, 'Ready')?.message ?? '', /absent/);
  });

  it('decrypts SOPS-encrypted Secrets and generator files with an age key', async () => {
    const key = sops.ageKey();
    await env.client.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'sops-age', namespace: env.ns },
      stringData: { 'identity.agekey': key.file },
    } as never);
    const secret = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: enc\ntype: Opaque\nstringData:\n  password: hunter2\n';
    const encSecret = sops.encrypt(secret, 'yaml', ['--age', key.recipient, '--encrypted-regex', '^(data|stringData)$']);
    const encEnv = sops.encrypt('USER=admin\nPASS=pa55\n', 'dotenv', ['--age', key.recipient]);
    await env.publish('sops', {
      'kustomization.yaml': [
        'apiVersion: kustomize.config.k8s.io/v1beta1',
        'kind: Kustomization',
        'resources: [secret.yaml]',
        'secretGenerator:',
        '- name: gen',
        '  envs: [creds.env]',
        'generatorOptions:',
        '  disableNameSuffixHash: true',
        '',
      ].join('\n'),
      'secret.yaml': encSecret,
      'creds.env': encEnv,
    });
    await env.create('sops', { path: './', targetNamespace: env.ns });
    const undecrypted = await env.reconcile('sops');
    assert.equal(cond(undecrypted.obj, 'Ready')?.status, 'False', 'the encrypted Secret is rejected without decryption');

    await env.patchSpec('sops', { decryption: { provider: 'sops', secretRef: { name: 'sops-age' } } });
    const { obj } = await env.reconcile('sops');
    assert.equal(cond(obj, 'Ready')?.status, 'True', JSON.stringify(obj.status?.conditions));
    const enc = await getObj<{ data: Record<string, string> }>('Secret', 'enc');
    assert.equal(Buffer.from(enc?.data.password ?? '', 'base64').toString(), 'hunter2');
    assert.equal('sops' in (enc ?? {}), false);
    const gen = await getObj<{ data: Record<string, string> }>('Secret', 'gen');
    assert.equal(Buffer.from(gen?.data.PASS ?? '', 'base64').toString(), 'pa55');

    await env.client.patch({ apiVersion: 'v1', kind: 'Secret', namespace: env.ns, name: 'sops-age' }, { stringData: { 'identity.agekey': sops.ageKey().file } }, { type: 'merge' });
    const wrong = await env.reconcile('sops');
    assert.equal(cond(wrong.obj, 'Ready')?.reason, 'BuildFailed');
    assert.match(cond(wrong.obj, 'Ready')?.message ?? '', /decrypt/);
  });

  it('waits for dependencies to be ready', async () => {
    await env.publish('dep', { 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dep\n' });
    await env.create('dep', { path: './', targetNamespace: env.ns, suspend: true });
    await env.publish('app', { 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n' });
    await env.create('app', { path: './', targetNamespace: env.ns, dependsOn: [{ name: 'dep' }] });
    const waiting = await env.reconcile('app');
    const ready = cond(waiting.obj, 'Ready');
    assert.equal(ready?.status, 'False');
    assert.equal(ready?.reason, 'DependencyNotReady');
    assert.match(ready?.message ?? '', new RegExp(`dependency '${env.ns}/dep' is not ready`));
    assert.equal(waiting.result?.requeueAfterMs, 30_000);

    await env.patchSpec('dep', { suspend: false });
    assert.equal(cond((await env.reconcile('dep')).obj, 'Ready')?.status, 'True');
    const { obj } = await env.reconcile('app');
    assert.equal(cond(obj, 'Ready')?.status, 'True', JSON.stringify(obj.status?.conditions));
  });

  it('reports apply failures as ReconciliationFailed', async () => {
    await env.publish('bad', { 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Not_Valid\n' });
    await env.create('bad', { path: './', targetNamespace: env.ns });
    const { obj } = await env.reconcile('bad');
    const ready = cond(obj, 'Ready');
    assert.equal(ready?.status, 'False');
    assert.equal(ready?.reason, 'ReconciliationFailed');
    assert.match(ready?.message ?? '', /^ConfigMap\/.*\/Not_Valid dry-run failed/);
    assert.equal(obj.status?.history?.[0]?.lastReconciledStatus, 'ReconciliationFailed');
  });

  it('stalls on invalid CEL health check expressions', async () => {
    await env.publish('cel', { 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cel\n' });
    await env.create('cel', { path: './', healthCheckExprs: [{ apiVersion: 'v1', kind: 'ConfigMap', current: 'status.(' }] });
    const { obj, error } = await env.reconcile('cel');
    assert.ok(error, 'a stalling error is returned');
    assert.equal(cond(obj, 'Stalled')?.reason, 'InvalidCELExpression');
    assert.equal(cond(obj, 'Ready')?.reason, 'InvalidCELExpression');
    assert.equal(obj.status?.observedGeneration, 1);
  });
});
