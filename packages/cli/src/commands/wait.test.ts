// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@eddy/runtime/client';
import { readiness } from './wait.ts';
import { rowOf, statusFilter } from './get.ts';
import { findKind } from '../kinds.ts';

const cond = (type: string, status: string, message = ''): object => ({ type, status, reason: 'R', message, lastTransitionTime: '2026-01-01T00:00:00Z' });
const ks = (status: object, generation = 3, spec: object = {}): KubeObject => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name: 'apps', namespace: 'flux-system', generation },
  spec,
  status,
});

describe('readiness', () => {
  const cases: Array<{ name: string; obj: KubeObject | undefined; want: ReturnType<typeof readiness> }> = [
    { name: 'not created yet', obj: undefined, want: { state: 'waiting' } },
    { name: 'older generation', obj: ks({ observedGeneration: 2, conditions: [cond('Ready', 'True')] }), want: { state: 'waiting' } },
    { name: 'ready', obj: ks({ observedGeneration: 3, conditions: [cond('Ready', 'True', 'Applied revision: main@sha1:a')] }), want: { state: 'ready', message: 'Applied revision: main@sha1:a' } },
    { name: 'retrying (Reconciling) keeps waiting', obj: ks({ observedGeneration: 3, conditions: [cond('Ready', 'False', 'x'), cond('Reconciling', 'True')] }), want: { state: 'waiting' } },
    { name: 'stalled fails', obj: ks({ observedGeneration: 3, conditions: [cond('Ready', 'False', 'bad'), cond('Stalled', 'True', 'bad CEL')] }), want: { state: 'failed', message: 'bad CEL' } },
    // Flux's kstatus reads Ready=False as InProgress: the CLI keeps waiting until --timeout, as flux does.
    { name: 'not ready for this generation keeps waiting', obj: ks({ observedGeneration: 3, conditions: [cond('Ready', 'False', 'build failed')] }), want: { state: 'waiting' } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(readiness(c.obj), c.want));
});

describe('get rows', () => {
  const kind = findKind(['ks'])!.kind;
  it('prints Flux columns, with the namespace first under -A', () => {
    const obj = ks({ lastAppliedRevision: 'main@sha1:abc', conditions: [cond('Ready', 'True', 'Applied  revision:\nmain')] }, 1, { suspend: true });
    assert.deepEqual(rowOf(kind, obj, {}), ['apps', 'main@sha1:abc', 'True', 'True', 'Applied revision: main']);
    assert.deepEqual(rowOf(kind, obj, { allNamespaces: true, prefixKind: true }).slice(0, 2), ['flux-system', 'kustomization/apps']);
    assert.deepEqual(rowOf(kind, ks({}), {}).slice(3), ['Unknown', 'waiting to be reconciled']);
  });
  it('filters by --status-selector', () => {
    const failing = ks({ conditions: [cond('Ready', 'False')] });
    assert.equal(statusFilter('ready=false')(failing), true);
    assert.equal(statusFilter('Ready=True')(failing), false);
    assert.equal(statusFilter('ready=unknown')(ks({})), true);
    assert.throws(() => statusFilter('ready'), /invalid --status-selector/);
  });
});
