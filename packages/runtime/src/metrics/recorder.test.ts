// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { MetricsRecorder } from './recorder.ts';
import { listen, parseBindAddress, serveMetrics } from './server.ts';

describe('MetricsRecorder', () => {
  const obj = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', metadata: { name: 'podinfo', namespace: 'flux-system' } };
  const l = 'kind="GitRepository",name="podinfo",namespace="flux-system"';

  it('records one status of a condition type as 1 and the others as 0', async () => {
    const reg = new Registry();
    const r = new MetricsRecorder(reg);
    r.recordCondition(obj, { type: 'Ready', status: 'False' });
    const text = await reg.metrics();
    assert.match(text, new RegExp(`gotk_reconcile_condition\\{${l},type="Ready",status="False"\\} 1`));
    for (const s of ['True', 'Unknown', 'Deleted']) assert.match(text, new RegExp(`gotk_reconcile_condition\\{${l},type="Ready",status="${s}"\\} 0`));
    r.recordCondition(obj, { type: 'Ready', status: 'True' }, true);
    assert.match(await reg.metrics(), new RegExp(`gotk_reconcile_condition\\{${l},type="Ready",status="Deleted"\\} 1`));
  });

  it('records durations and suspension, and deletes every series of an object', async () => {
    const reg = new Registry();
    const r = new MetricsRecorder(reg);
    const other = { kind: 'GitRepository', name: 'other', namespace: 'flux-system' };
    r.recordDuration(obj, 1_000, 3_500);
    r.recordSuspend(obj, true);
    r.recordSuspend(other, false);
    r.recordCondition(obj, { type: 'Ready', status: 'True' });
    let text = await reg.metrics();
    assert.match(text, new RegExp(`gotk_reconcile_duration_seconds_sum\\{${l}\\} 2.5`));
    assert.match(text, new RegExp(`gotk_suspend_status\\{${l}\\} 1`));
    r.deleteFor(obj);
    text = await reg.metrics();
    assert.doesNotMatch(text, /name="podinfo"/);
    assert.match(text, /gotk_suspend_status\{kind="GitRepository",name="other",namespace="flux-system"\} 0/);
  });

  it('shares metrics between recorders of one registry', () => {
    const reg = new Registry();
    new MetricsRecorder(reg);
    assert.doesNotThrow(() => new MetricsRecorder(reg));
  });
});

describe('bind addresses and servers', () => {
  it('parses Go-style addresses and disables on 0', () => {
    assert.deepEqual(parseBindAddress(':8080'), { host: undefined, port: 8080 });
    assert.deepEqual(parseBindAddress('127.0.0.1:9440'), { host: '127.0.0.1', port: 9440 });
    assert.deepEqual(parseBindAddress('[::1]:0'), { host: '::1', port: 0 });
    assert.equal(parseBindAddress('0'), undefined);
    assert.equal(parseBindAddress(''), undefined);
    assert.throws(() => parseBindAddress('8080'), /invalid bind address/);
  });

  it('serves /metrics and answers 404 elsewhere', async () => {
    const reg = new Registry();
    new MetricsRecorder(reg).recordSuspend({ kind: 'K', name: 'n', namespace: 'ns' }, true);
    const s = (await serveMetrics(reg, '127.0.0.1:0'))!;
    try {
      const res = await fetch(`http://${s.address}/metrics`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /gotk_suspend_status\{kind="K",name="n",namespace="ns"\} 1/);
      assert.equal((await fetch(`http://${s.address}/other`)).status, 404);
    } finally {
      await s.close();
    }
    assert.equal(await listen('0', () => true), undefined);
  });
});
