// SPDX-License-Identifier: Apache-2.0
/**
 * Kustomization health checks against a real apiserver (no kubelet: Deployments never become
 * available): `wait`, `healthChecks`, `healthCheckExprs` (CEL), timeouts, and cancellation when a
 * new source revision arrives. The conformance checker runs after every reconcile.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KustomizationEnv } from '../testing/kustomization-env.ts';

const cond = KustomizationEnv.condition;

const deployment = (name: string): string =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  replicas: 1',
    `  selector: {matchLabels: {app: ${name}}}`,
    '  template:',
    `    metadata: {labels: {app: ${name}}}`,
    '    spec:',
    '      containers: [{name: c, image: example.invalid/app:1}]',
    '',
  ].join('\n');

const configMap = (name: string, ready: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  ready: "${ready}"\n`;

describe('Kustomization: health', { timeout: 180_000 }, () => {
  const env = new KustomizationEnv();
  before(() => env.start());
  after(() => env.stop());

  it('passes health checks of ready objects and sets Healthy', async () => {
    await env.publish('ok', { 'cm.yaml': configMap('ok', 'yes') });
    await env.create('ok', { path: './', targetNamespace: env.ns, wait: true });
    const { obj } = await env.reconcile('ok');
    assert.equal(cond(obj, 'Ready')?.status, 'True');
    const healthy = cond(obj, 'Healthy');
    assert.equal(healthy?.status, 'True');
    assert.equal(healthy?.reason, 'Succeeded');
    assert.match(healthy?.message ?? '', /^Health check passed in \d/);
  });

  it('fails after the timeout when a Deployment never becomes ready', async () => {
    await env.publish('slow', { 'deploy.yaml': deployment('slow') });
    await env.create('slow', { path: './', targetNamespace: env.ns, timeout: '2s', healthChecks: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'slow', namespace: env.ns }] });
    const { obj } = await env.reconcile('slow');
    const ready = cond(obj, 'Ready');
    assert.equal(ready?.status, 'False');
    assert.equal(ready?.reason, 'HealthCheckFailed');
    assert.match(ready?.message ?? '', new RegExp(`^health check failed after \\d.*: timeout waiting for: \\[Deployment/${env.ns}/slow status: 'InProgress'\\]`));
    assert.match(ready?.message ?? '', /^health check failed after 30\.\d+s/, "Flux's 30s minimum timeout");
    const healthy = cond(obj, 'Healthy');
    assert.equal(healthy?.status, 'False');
    assert.equal(healthy?.reason, 'HealthCheckFailed');
    assert.equal(obj.status?.lastAppliedRevision, undefined, 'not applied successfully');
    assert.equal(obj.status?.history?.[0]?.lastReconciledStatus, 'HealthCheckFailed');
  });

  it('evaluates healthCheckExprs with CEL', async () => {
    await env.publish('cel', { 'cm.yaml': configMap('cel', 'no') });
    await env.create('cel', {
      path: './',
      targetNamespace: env.ns,
      timeout: '2s',
      wait: true,
      healthCheckExprs: [{ apiVersion: 'v1', kind: 'ConfigMap', current: "data.ready == 'yes'", failed: "data.ready == 'broken'" }],
    });
    const pending = await env.reconcile('cel');
    assert.equal(cond(pending.obj, 'Ready')?.reason, 'HealthCheckFailed');
    assert.match(cond(pending.obj, 'Ready')?.message ?? '', /timeout waiting for: \[ConfigMap\/.*\/cel status: 'InProgress'/);

    await env.publish('cel', { 'cm.yaml': configMap('cel', 'yes') });
    const done = await env.reconcile('cel');
    assert.equal(cond(done.obj, 'Ready')?.status, 'True', JSON.stringify(done.obj.status?.conditions));
    assert.equal(cond(done.obj, 'Healthy')?.status, 'True');
  });

  it('cancels health checks when a new revision arrives', async () => {
    const art = await env.publish('cancel', { 'deploy.yaml': deployment('cancel') });
    await env.create('cancel', { path: './', targetNamespace: env.ns, timeout: '1m', wait: true });
    const started = Date.now();
    const timer = setInterval(() => {
      if (env.reconciler.cancelHealthChecks(env.ns, 'cancel', 'main@sha1:' + 'f'.repeat(40))) clearInterval(timer);
    }, 200);
    const { obj, result } = await env.reconcile('cancel');
    clearInterval(timer);
    assert.ok(Date.now() - started < 30_000, 'canceled long before the timeout');
    const ready = cond(obj, 'Ready');
    assert.equal(ready?.status, 'False');
    assert.equal(ready?.reason, 'HealthCheckCanceled');
    assert.equal(ready?.message, `New reconciliation triggered by GitRepository/${env.ns}/cancel`);
    assert.equal(obj.status?.lastAttemptedRevision, art.revision);
    assert.ok((result?.requeueAfterMs ?? 0) <= 1000, 'requeued at once');
  });
});
