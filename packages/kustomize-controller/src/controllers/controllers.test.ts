// SPDX-License-Identifier: Apache-2.0
/**
 * Unit tests of the controller helpers: history upserts, watch mappings (source revision changes,
 * dependents) and impersonating kubeconfigs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LoadedKubeconfig } from '@eddy/runtime/client';
import { upsertHistory, MAX_HISTORY } from './history.ts';
import { impersonatingConfig, serviceAccountUser } from './impersonation.ts';
import { requestsForDependents, requestsForSource } from './setup.ts';

const ks = (name: string, spec: Record<string, unknown>, status: Record<string, unknown> = {}) =>
  ({
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name, namespace: 'apps' },
    spec: { interval: '1m', prune: true, sourceRef: { kind: 'GitRepository', name: 'repo' }, ...spec },
    status,
  }) as never;

const repo = (revision: string) =>
  ({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', metadata: { name: 'repo', namespace: 'apps' }, status: { artifact: { revision } } }) as never;

const ready = [{ type: 'Ready', status: 'True' }];

describe('upsertHistory', () => {
  it('adds new digests first, updates known ones and keeps five', () => {
    let h = upsertHistory(undefined, { digest: 'sha256:a', nowMs: 1000, durationMs: 1500, status: 'ReconciliationSucceeded', metadata: { revision: 'r1' } });
    assert.equal(h.length, 1);
    assert.equal(h[0]!.lastReconciledDuration, '1.5s');
    assert.equal(h[0]!.firstReconciled, '1970-01-01T00:00:01Z');
    h = upsertHistory(h, { digest: 'sha256:a', nowMs: 2000, durationMs: 10, status: 'HealthCheckFailed' });
    assert.equal(h.length, 1);
    assert.equal(h[0]!.totalReconciliations, 2);
    assert.equal(h[0]!.lastReconciledStatus, 'HealthCheckFailed');
    assert.equal(h[0]!.firstReconciled, '1970-01-01T00:00:01Z');
    for (let i = 0; i < 6; i++) h = upsertHistory(h, { digest: `sha256:${i}`, nowMs: 3000 + i * 1000, durationMs: 1, status: 'ReconciliationSucceeded' });
    assert.equal(h.length, MAX_HISTORY);
    assert.equal(h[0]!.digest, 'sha256:5');
    assert.ok(!h.some((s) => s.digest === 'sha256:a'));
  });
});

describe('watch mappings', () => {
  it('requeues Kustomizations of a source unless ready at its revision, cancelling health checks', () => {
    const cancelled: string[] = [];
    const r = { cancelHealthChecks: (ns: string, name: string, rev: string) => (cancelled.push(`${ns}/${name}@${rev}`), true) };
    const items = [
      ks('done', {}, { lastAttemptedRevision: 'main@sha1:2', conditions: ready }),
      ks('old', {}, { lastAttemptedRevision: 'main@sha1:1', conditions: ready }),
      ks('failed', {}, { lastAttemptedRevision: 'main@sha1:2', conditions: [{ type: 'Ready', status: 'False' }] }),
      ks('other', { sourceRef: { kind: 'GitRepository', name: 'other' } }),
      ks('ocirepo', { sourceRef: { kind: 'OCIRepository', name: 'repo' } }),
      ks('xns', { sourceRef: { kind: 'GitRepository', name: 'repo', namespace: 'flux-system' } }),
    ];
    assert.deepEqual(
      requestsForSource(items, r, repo('main@sha1:2')).map((q) => q.name),
      ['old', 'failed'],
    );
    assert.deepEqual(cancelled, ['apps/old@main@sha1:2', 'apps/failed@main@sha1:2']);
  });

  it('requeues dependents of a Kustomization or HelmRelease', () => {
    const items = [
      ks('a', { dependsOn: [{ name: 'infra' }] }),
      ks('b', { dependsOn: [{ name: 'infra', namespace: 'other' }] }),
      ks('c', { dependsOn: [{ name: 'db', kind: 'HelmRelease' }] }),
      ks('d', {}),
    ];
    const infra = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'infra', namespace: 'apps' } } as never;
    const db = { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'db', namespace: 'apps' } } as never;
    assert.deepEqual(
      requestsForDependents(items, infra).map((q) => q.name),
      ['a'],
    );
    assert.deepEqual(
      requestsForDependents(items, db).map((q) => q.name),
      ['c'],
    );
  });
});

describe('impersonatingConfig', () => {
  it('sets impersonateUser on the current user only', () => {
    const base = new LoadedKubeconfig({
      clusters: [{ name: 'c', server: 'https://127.0.0.1:6443', skipTLSVerify: false }],
      users: [
        { name: 'admin', token: 't' },
        { name: 'other', token: 'o' },
      ],
      contexts: [{ name: 'ctx', cluster: 'c', user: 'admin' }],
      currentContext: 'ctx',
    });
    const user = serviceAccountUser('apps', 'tenant');
    assert.equal(user, 'system:serviceaccount:apps:tenant');
    const kc = impersonatingConfig(base, user);
    assert.equal(kc.getCurrentUser()?.impersonateUser, user);
    assert.equal(kc.getUser('other')?.impersonateUser, undefined);
    assert.equal(base.getCurrentUser()?.impersonateUser, undefined, 'base untouched');
  });
});
