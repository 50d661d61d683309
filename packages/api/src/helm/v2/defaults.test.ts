// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  helmChartName,
  helmChartNamespace,
  helmReleaseMaxHistory,
  helmReleaseName,
  helmReleaseNamespace,
  helmReleasePersistentClient,
  helmReleaseTimeout,
  helmStorageNamespace,
  shortenReleaseName,
} from './defaults.ts';

const meta = { name: 'podinfo', namespace: 'apps' };

describe('helmReleaseName (GetReleaseName)', () => {
  it('uses releaseName, then targetNamespace-name, then name', () => {
    assert.equal(helmReleaseName({ metadata: meta, spec: { releaseName: 'custom', targetNamespace: 'prod' } }), 'custom');
    assert.equal(helmReleaseName({ metadata: meta, spec: { targetNamespace: 'prod' } }), 'prod-podinfo');
    assert.equal(helmReleaseName({ metadata: meta, spec: {} }), 'podinfo');
  });

  it('shortens names over 53 characters to 40 + - + 12 hex of the SHA-256', () => {
    const long = 'some-front-appended-namespace-release-with-a-really-long-name';
    const short = shortenReleaseName(long);
    assert.equal(short.length, 53);
    assert.equal(short, `${long.slice(0, 40)}-${createHash('sha256').update(long).digest('hex').slice(0, 12)}`);
    assert.equal(shortenReleaseName('a'.repeat(53)), 'a'.repeat(53));
  });
});

describe('HelmRelease defaults', () => {
  it('names the HelmChart <namespace>-<name> in the source namespace', () => {
    assert.equal(helmChartName({ metadata: meta }), 'apps-podinfo');
    const chart = { spec: { chart: 'podinfo', sourceRef: { kind: 'HelmRepository' as const, name: 'repo', namespace: 'flux-system' } } };
    assert.equal(helmChartNamespace({ metadata: meta, spec: { chart } }), 'flux-system');
    assert.equal(helmChartNamespace({ metadata: meta, spec: {} }), 'apps');
  });

  it('defaults namespaces, timeout, history and client', () => {
    assert.equal(helmReleaseNamespace({ metadata: meta, spec: {} }), 'apps');
    assert.equal(helmReleaseNamespace({ metadata: meta, spec: { targetNamespace: 'prod' } }), 'prod');
    assert.equal(helmStorageNamespace({ metadata: meta, spec: { storageNamespace: 'store' } }), 'store');
    assert.equal(helmReleaseTimeout({}), '5m0s');
    assert.equal(helmReleaseMaxHistory({}), 5);
    assert.equal(helmReleaseMaxHistory({ maxHistory: 0 }), 0);
    assert.equal(helmReleasePersistentClient({}), true);
    assert.equal(helmReleasePersistentClient({ persistentClient: false }), false);
  });
});
