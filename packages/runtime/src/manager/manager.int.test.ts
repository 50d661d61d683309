// SPDX-License-Identifier: Apache-2.0
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { randomNamespaceName, useControlPlane } from '@eddy/testenv';
import { DynamicClient } from '../client/dynamic-client.ts';
import type { KubeObject } from '../client/types.ts';
import { createLogger } from '../log/logger.ts';
import { TransientError, WaitingError, type ReconcileContext, type Reconciler, type Request, type Result } from '../reconcile/contract.ts';
import { controllerManagedBy } from './builder.ts';
import { Manager } from './manager.ts';

const CM = { apiVersion: 'v1', kind: 'ConfigMap' } as const;
const SECRET = { apiVersion: 'v1', kind: 'Secret' } as const;

async function eventually(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Records what it sees, with a few keys that fail, wait or requeue once. */
class RecordingReconciler implements Reconciler {
  readonly seen: string[] = [];
  readonly ids = new Set<string>();
  readonly attempts = new Map<string, number>();
  active = 0;
  maxActivePerKey = 0;
  private readonly activeKeys = new Set<string>();
  slowAborted = false;

  constructor(private readonly mgr: Manager) {}

  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const key = `${req.namespace}/${req.name}`;
    if (this.activeKeys.has(key)) this.maxActivePerKey = 2;
    this.activeKeys.add(key);
    this.ids.add(ctx.reconcileId);
    const n = (this.attempts.get(req.name) ?? 0) + 1;
    this.attempts.set(req.name, n);
    try {
      if (req.name === 'slow') {
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
        this.slowAborted = true;
        return {};
      }
      const obj = this.mgr.getCache(CM).get(req.namespace, req.name);
      this.seen.push(obj ? `${req.name}=${(obj.data as Record<string, string> | undefined)?.v ?? ''}` : `${req.name} gone`);
      if (req.name === 'fail-once' && n === 1) throw new TransientError('first try fails');
      if (req.name === 'wait-once' && n === 1) throw new WaitingError('dependency not ready', 200);
      if (req.name === 'requeue-once' && n === 1) return { requeueAfterMs: 200 };
      return {};
    } finally {
      this.activeKeys.delete(key);
    }
  }
}

describe('Manager with a ConfigMap controller', { timeout: 120_000 }, () => {
  const ns = randomNamespaceName('manager');
  let client: DynamicClient;
  let mgr: Manager;
  let running: Promise<void>;
  let reconciler: RecordingReconciler;
  const logs: string[] = [];
  const cm = (name: string, v: string): KubeObject => ({ ...CM, metadata: { name, namespace: ns }, data: { v } });

  before(async () => {
    const cp = await useControlPlane();
    client = new DynamicClient({ kubeconfig: cp.kubeconfigPath });
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await client.create(cm('pre-existing', '0'));
    const stream = new PassThrough();
    stream.on('data', (c: Buffer) => logs.push(...c.toString().split('\n').filter(Boolean)));
    mgr = new Manager({
      kubeconfig: cp.kubeconfigPath,
      namespace: ns,
      metricsAddr: '127.0.0.1:0',
      healthAddr: '127.0.0.1:0',
      logger: createLogger({ level: 'info', stream }),
      gracefulShutdownTimeoutMs: 5_000,
    });
    reconciler = new RecordingReconciler(mgr);
    controllerManagedBy(mgr)
      .named('configmap-test')
      .for(CM)
      .watches(SECRET, (s) => {
        const target = s.metadata.annotations?.['eddy.test/target'];
        return target ? [{ namespace: s.metadata.namespace ?? '', name: target }] : [];
      })
      .withOptions({ maxConcurrentReconciles: 4 })
      .complete(reconciler);
    running = mgr.start();
    await mgr.elected;
  });

  after(async () => {
    await mgr?.stop();
    await client?.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
    client?.close();
  });

  it('becomes ready once its informers synced and reconciles existing objects', async () => {
    await eventually(() => reconciler.seen.includes('pre-existing=0'), 'the pre-existing object');
    const res = await fetch(`http://${mgr.healthAddress}/readyz`);
    assert.equal(res.status, 200);
    assert.equal((await fetch(`http://${mgr.healthAddress}/healthz`)).status, 200);
  });

  it('sees creates, updates and deletes', async () => {
    await client.create(cm('a', '1'));
    await eventually(() => reconciler.seen.includes('a=1'), 'create');
    await client.patch({ ...CM, namespace: ns, name: 'a' }, { data: { v: '2' } }, { type: 'merge' });
    await eventually(() => reconciler.seen.includes('a=2'), 'update');
    await client.delete({ ...CM, namespace: ns, name: 'a' });
    await eventually(() => reconciler.seen.includes('a gone'), 'delete');
  });

  it('enqueues from a mapped watch', async () => {
    await client.create(cm('target', 't'));
    await eventually(() => reconciler.seen.includes('target=t'), 'target reconciled');
    const before = reconciler.attempts.get('target') ?? 0;
    await client.create({ ...SECRET, metadata: { name: 's', namespace: ns, annotations: { 'eddy.test/target': 'target' } }, data: {} });
    await eventually(() => (reconciler.attempts.get('target') ?? 0) > before, 'mapped request');
  });

  it('retries errors with backoff, requeues waits and requeueAfter, and counts results', async () => {
    for (const name of ['fail-once', 'wait-once', 'requeue-once']) await client.create(cm(name, 'x'));
    await eventually(() => ['fail-once', 'wait-once', 'requeue-once'].every((n) => (reconciler.attempts.get(n) ?? 0) >= 2), 'second attempts');
    const text = await (await fetch(`http://${mgr.metricsAddress}/metrics`)).text();
    const value = (re: RegExp): number => Number(re.exec(text)?.[1] ?? 'NaN');
    assert.ok(value(/controller_runtime_reconcile_total\{controller="configmap-test",result="success"\} (\d+)/) >= 5);
    assert.equal(value(/controller_runtime_reconcile_total\{controller="configmap-test",result="error"\} (\d+)/), 1);
    assert.equal(value(/controller_runtime_reconcile_errors_total\{controller="configmap-test"\} (\d+)/), 1);
    assert.ok(value(/controller_runtime_reconcile_total\{controller="configmap-test",result="requeue_after"\} (\d+)/) >= 2);
    assert.match(text, /workqueue_adds_total\{name="configmap-test",controller="configmap-test"\} \d+/);
    assert.match(text, /workqueue_retries_total\{name="configmap-test",controller="configmap-test"\} [1-9]/);
    const errorLine = logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'Reconciler error');
    assert.ok(errorLine, logs.join('\n'));
    assert.equal(errorLine.controller, 'configmap-test');
    assert.equal(errorLine.controllerKind, 'ConfigMap');
    assert.deepEqual(errorLine.ConfigMap, { name: 'fail-once', namespace: ns });
    assert.equal(typeof errorLine.reconcileID, 'string');
    assert.equal(reconciler.maxActivePerKey, 0, 'a key never ran on two workers at once');
  });

  it('aborts in-flight reconciles on shutdown and waits for them', async () => {
    await client.create(cm('slow', 's'));
    await eventually(() => (reconciler.attempts.get('slow') ?? 0) === 1, 'slow reconcile started');
    await mgr.stop();
    await running;
    assert.equal(reconciler.slowAborted, true);
    await assert.rejects(fetch(`http://${mgr.metricsAddress}/metrics`));
    const attempts = reconciler.attempts.get('slow');
    await client.create(cm('after-stop', 'x'));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(reconciler.attempts.get('after-stop'), undefined);
    assert.equal(reconciler.attempts.get('slow'), attempts);
  });
});
