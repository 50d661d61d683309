// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  kustomizationDeletionPolicy,
  kustomizationRetryIntervalMs,
  kustomizationTimeoutMs,
  resolveKustomizationDependency,
} from './defaults.ts';

describe('kustomizationTimeoutMs (GetTimeout)', () => {
  const cases: [string, { interval: string; timeout?: string }, number][] = [
    ['interval minus 30s when timeout is empty', { interval: '10m' }, 570_000],
    ['at least 30s when the interval is short', { interval: '40s' }, 30_000],
    ['at least 30s with a tiny interval', { interval: '1s' }, 30_000],
    ['the timeout when set', { interval: '1h', timeout: '5m' }, 300_000],
    ['at least 30s even when the timeout is shorter', { interval: '1h', timeout: '10s' }, 30_000],
  ];
  for (const [name, spec, want] of cases) {
    it(name, () => assert.deepEqual(kustomizationTimeoutMs(spec), { ok: true, value: want }));
  }

  it('returns a typed error for malformed durations', () => {
    const bad = kustomizationTimeoutMs({ interval: '10 minutes' });
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.equal(bad.error.code, 'InvalidDuration');
    assert.equal(kustomizationTimeoutMs({ interval: '1m', timeout: 'x' }).ok, false);
  });
});

describe('Kustomization defaults', () => {
  it('retries at retryInterval, else interval', () => {
    assert.deepEqual(kustomizationRetryIntervalMs({ interval: '1h', retryInterval: '2m' }), { ok: true, value: 120_000 });
    assert.deepEqual(kustomizationRetryIntervalMs({ interval: '1h' }), { ok: true, value: 3_600_000 });
  });

  it('defaults the deletion policy to MirrorPrune', () => {
    assert.equal(kustomizationDeletionPolicy({}), 'MirrorPrune');
    assert.equal(kustomizationDeletionPolicy({ deletionPolicy: 'Orphan' }), 'Orphan');
  });

  it('resolves dependencies with Flux defaults and the Eddy kind extension', () => {
    assert.deepEqual(resolveKustomizationDependency({ name: 'infra' }, 'flux-system'), {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      name: 'infra',
      namespace: 'flux-system',
    });
    assert.deepEqual(resolveKustomizationDependency({ name: 'cert-manager', namespace: 'cert-manager', kind: 'HelmRelease', readyExpr: 'true' }, 'apps'), {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      name: 'cert-manager',
      namespace: 'cert-manager',
      readyExpr: 'true',
    });
  });
});
