// SPDX-License-Identifier: Apache-2.0
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { randomNamespaceName, useControlPlane } from '@eddy/testenv';
import { DynamicClient } from '../client/dynamic-client.ts';
import type { KubeObject } from '../client/types.ts';
import { createLogger } from '../log/logger.ts';
import { controllerManagedBy } from '../manager/builder.ts';
import { Manager } from '../manager/manager.ts';

const CM = { apiVersion: 'v1', kind: 'ConfigMap' } as const;

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('metrics and health endpoints of a running manager', { timeout: 60_000 }, () => {
  const ns = randomNamespaceName('metrics');
  let client: DynamicClient;
  let mgr: Manager;
  let running: Promise<void>;
  const scrape = async (): Promise<string> => {
    const res = await fetch(`http://${mgr.metricsAddress}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    return res.text();
  };

  before(async () => {
    const cp = await useControlPlane();
    client = new DynamicClient({ kubeconfig: cp.kubeconfigPath });
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    mgr = new Manager({
      kubeconfig: cp.kubeconfigPath,
      namespace: ns,
      metricsAddr: '127.0.0.1:0',
      healthAddr: '127.0.0.1:0',
      logger: createLogger({ level: 'error', stream: new Writable({ write: (_c, _e, cb) => cb() }) }),
    });
    controllerManagedBy(mgr)
      .named('metrics-test')
      .for(CM)
      .complete({
        reconcile: async (req) => {
          const start = mgr.clock.now();
          const obj = mgr.getCache(CM).get(req.namespace, req.name);
          const subject = { kind: 'ConfigMap', name: req.name, namespace: req.namespace };
          if (!obj) {
            mgr.recorder.deleteFor(subject);
            return {};
          }
          mgr.recorder.recordSuspend(obj, obj.metadata.labels?.suspend === 'true');
          mgr.recorder.recordCondition(obj, { type: 'Ready', status: 'True' });
          mgr.recorder.recordDuration(obj, start, mgr.clock.now());
          return {};
        },
      });
    running = mgr.start();
    await mgr.elected;
  });

  after(async () => {
    await mgr?.stop();
    await running;
    await client?.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
    client?.close();
  });

  it('serves Flux, controller-runtime, work queue and process metrics', async () => {
    const obj: KubeObject = { ...CM, metadata: { name: 'podinfo', namespace: ns, labels: { suspend: 'true' } }, data: {} };
    await client.create(obj);
    await eventually(async () => (await scrape()).includes('gotk_suspend_status{'), 'gotk metrics recorded');
    const text = await scrape();
    const l = `kind="ConfigMap",name="podinfo",namespace="${ns}"`;
    assert.match(text, new RegExp(`gotk_reconcile_condition\\{${l},type="Ready",status="True"\\} 1`));
    assert.match(text, new RegExp(`gotk_reconcile_condition\\{${l},type="Ready",status="False"\\} 0`));
    assert.match(text, new RegExp(`gotk_reconcile_condition\\{${l},type="Ready",status="Deleted"\\} 0`));
    assert.match(text, new RegExp(`gotk_suspend_status\\{${l}\\} 1`));
    assert.match(text, new RegExp(`gotk_reconcile_duration_seconds_count\\{${l}\\} \\d+`));
    for (const name of [
      'controller_runtime_reconcile_total{controller="metrics-test",result="success"}',
      'controller_runtime_reconcile_total{controller="metrics-test",result="requeue_after"}',
      'controller_runtime_reconcile_errors_total{controller="metrics-test"}',
      'controller_runtime_reconcile_time_seconds_bucket{le="0.005",controller="metrics-test"}',
      'controller_runtime_max_concurrent_reconciles{controller="metrics-test"} 1',
      'controller_runtime_active_workers{controller="metrics-test"}',
      'workqueue_depth{name="metrics-test",controller="metrics-test"}',
      'workqueue_adds_total{name="metrics-test",controller="metrics-test"}',
      'workqueue_queue_duration_seconds_bucket{le=',
      'workqueue_work_duration_seconds_count{name="metrics-test",controller="metrics-test"}',
      'workqueue_retries_total{name="metrics-test",controller="metrics-test"}',
      'workqueue_unfinished_work_seconds{name="metrics-test",controller="metrics-test"}',
      'workqueue_longest_running_processor_seconds{name="metrics-test",controller="metrics-test"}',
      'process_cpu_user_seconds_total',
      'nodejs_heap_size_used_bytes',
    ]) {
      assert.ok(text.includes(name), `missing ${name}`);
    }
  });

  it('drops an object\'s gotk series once it is deleted', async () => {
    await client.delete({ ...CM, namespace: ns, name: 'podinfo' });
    await eventually(async () => !(await scrape()).includes('name="podinfo"'), 'series removed');
  });

  it('serves /healthz and /readyz with per-check detail', async () => {
    const ready = await fetch(`http://${mgr.healthAddress}/readyz?verbose`);
    assert.equal(ready.status, 200);
    assert.match(await ready.text(), /\[\+\]informers-synced ok/);
    assert.equal((await fetch(`http://${mgr.healthAddress}/healthz/ping`)).status, 200);
    assert.equal((await fetch(`http://${mgr.healthAddress}/readyz/nope`)).status, 404);
    assert.equal((await fetch(`http://${mgr.healthAddress}/metrics`)).status, 404);
  });
});
