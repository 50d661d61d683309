// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@eddy/runtime/client';
import { kubernetesCheck, parseKubeVersion } from './check.ts';
import { countStats, formatSize } from './stats.ts';
import { formatLogLine } from './logs.ts';
import { imageTag } from './version.ts';

const obj = (spec: object, status: object): KubeObject => ({ apiVersion: 'x/v1', kind: 'X', metadata: { name: 'x' }, spec, status });

describe('check', () => {
  const cases: Array<[string, string, boolean]> = [
    ['v1.36.3', 'kubernetes 1.36.3>=1.30.0-0', false],
    ['v1.30.0-eks-1234', 'kubernetes 1.30.0>=1.30.0-0', false],
    ['v1.29.9', 'kubernetes 1.29.9>=1.30.0-0', true],
    ['v2.0.0', 'kubernetes 2.0.0>=1.30.0-0', false],
  ];
  for (const [version, name, failed] of cases) {
    it(`judges ${version}`, () => assert.deepEqual(kubernetesCheck(version).entries, [{ name, failed }]));
  }
  it('refuses what is not a version', () => {
    assert.equal(parseKubeVersion('v0.0.0-master+$Format:%H$')?.minor, 0);
    assert.equal(kubernetesCheck('garbage').entries[0]!.failed, true);
  });
});

describe('stats', () => {
  it('counts running, failing, suspended and artifact storage', () => {
    const s = countStats('GitRepository', [
      obj({}, { conditions: [{ type: 'Ready', status: 'True' }], artifact: { size: 1024 } }),
      obj({}, { conditions: [{ type: 'Ready', status: 'False' }], artifact: { size: 2048 } }),
      obj({ suspend: true }, { conditions: [{ type: 'Ready', status: 'False' }] }),
    ]);
    assert.deepEqual(s, { kind: 'GitRepository', running: 2, failing: 2, suspended: 1, storageBytes: 3072 });
  });
  it('formats sizes like flux stats', () => {
    assert.deepEqual([0, 512, 1536, 3 * 1024 * 1024, 5 * 1024 ** 3].map(formatSize), ['-', '512 B', '1.5 KiB', '3.0 MiB', '5.0 GiB']);
  });
});

describe('logs', () => {
  const line = JSON.stringify({ level: 'info', ts: '2026-01-01T00:00:00Z', msg: 'Reconciliation finished', controllerKind: 'Kustomization', name: 'apps', namespace: 'flux-system' });
  it('formats a controller log line like flux logs', () => {
    assert.equal(formatLogLine(line, {}, 'flux-system'), '2026-01-01T00:00:00Z info Kustomization/apps.flux-system - Reconciliation finished');
  });
  it('filters by kind, name, level and namespace', () => {
    assert.equal(formatLogLine(line, { kind: 'kustomization', name: 'apps' }, 'flux-system')?.includes('apps'), true);
    assert.equal(formatLogLine(line, { kind: 'HelmRelease' }, 'flux-system'), undefined);
    assert.equal(formatLogLine(line, { level: 'error' }, 'flux-system'), undefined);
    assert.equal(formatLogLine(line, { name: 'apps' }, 'default'), undefined);
    assert.notEqual(formatLogLine(line, { name: 'apps', allNamespaces: true }, 'default'), undefined);
    assert.equal(formatLogLine('plain text', {}, 'x'), 'plain text');
    assert.equal(formatLogLine('plain text', { level: 'info' }, 'x'), undefined);
  });
});

describe('version', () => {
  it('reads the tag of an image', () => {
    assert.deepEqual(['ghcr.io/eddy/eddy:0.1.0', 'localhost:5000/eddy@sha256:abc', 'eddy:1.2@sha256:abc'].map(imageTag), ['0.1.0', 'latest', '1.2']);
  });
});
