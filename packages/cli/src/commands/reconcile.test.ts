// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { judge, requestToken } from './reconcile.ts';
import type { KubeObject } from '@eddy/runtime/client';

const obj = (status: Record<string, unknown>, generation = 2): KubeObject => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name: 'apps', namespace: 'flux-system', generation },
  status,
});
const ready = (status: string, message: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'Ready',
  status,
  reason: status === 'True' ? 'ReconciliationSucceeded' : 'BuildFailed',
  message,
  lastTransitionTime: '2026-01-01T00:00:00Z',
  observedGeneration: 2,
  ...extra,
});

describe('judge', () => {
  const token = '2026-11-27T10:00:00.123456789Z';
  const cases: Array<{ name: string; status: Record<string, unknown>; want: ReturnType<typeof judge> }> = [
    { name: 'not handled yet', status: { lastHandledReconcileAt: 'older', observedGeneration: 2, conditions: [ready('True', 'ok')] }, want: { done: false } },
    { name: 'handled and ready', status: { lastHandledReconcileAt: token, observedGeneration: 2, conditions: [ready('True', 'Applied revision: main@sha1:1')] }, want: { done: true, ok: true, message: 'Applied revision: main@sha1:1' } },
    { name: 'handled but older generation', status: { lastHandledReconcileAt: token, observedGeneration: 1, conditions: [ready('True', 'ok')] }, want: { done: false } },
    {
      name: 'failed while retrying is reported at once',
      status: { lastHandledReconcileAt: token, observedGeneration: 2, conditions: [ready('False', 'kustomize build failed'), { type: 'Reconciling', status: 'True', reason: 'ProgressingWithRetry', message: '', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
      want: { done: true, ok: false, message: 'kustomize build failed' },
    },
    { name: 'unknown while in progress', status: { lastHandledReconcileAt: token, observedGeneration: 2, conditions: [ready('Unknown', 'Reconciliation in progress')] }, want: { done: false } },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(judge(obj(c.status), token), c.want));
  }
});

describe('requestToken', () => {
  it('formats like RFC3339Nano without trailing zeros', () => {
    assert.equal(requestToken(Date.parse('2026-11-27T10:00:00.120Z')), '2026-11-27T10:00:00.12Z');
    assert.equal(requestToken(Date.parse('2026-11-27T10:00:00.000Z')), '2026-11-27T10:00:00Z');
  });
});
