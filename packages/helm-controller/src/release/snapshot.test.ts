// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeRelease } from '../helm/release-record.ts';
import { previous, releaseDigest, snapshotOf, testHooksOf, toMetaTime, truncate } from './snapshot.ts';
import { record, snap } from './test-fixtures.ts';

const testdata = join(import.meta.dirname, 'testdata');

describe('releaseDigest', () => {
  // The expected digests were computed by Go's encoding/json over helm v4.2.4's release types in
  // the shape of Flux's Observation, from a release helm itself wrote (podinfo, post-rendered).
  const want = JSON.parse(readFileSync(join(testdata, 'podinfo-release-v1.digests.json'), 'utf8')) as {
    plain: string;
    withOciDigest: { ociDigest: string; digest: string };
  };
  const rec = decodeRelease(readFileSync(join(testdata, 'podinfo-release-v1.secret-data'), 'utf8').trim());

  it('matches Flux byte for byte', () => assert.equal(releaseDigest(rec), want.plain));
  it('includes the OCI digest when set', () => assert.equal(releaseDigest(rec, want.withOciDigest.ociDigest), want.withOciDigest.digest));
  it('ignores test hook runs (users may run helm test by hand)', () => {
    const withRun = structuredClone(rec);
    for (const h of withRun.hooks ?? []) if ((h.events ?? []).includes('test')) h.last_run = { phase: 'Succeeded', started_at: '2026-01-01T00:00:00Z' };
    assert.equal(releaseDigest(withRun), want.plain);
  });
  it('records Flux snapshot fields', () => {
    const s = snapshotOf(rec);
    assert.deepEqual([s.name, s.version, s.status, s.chartName, s.chartVersion, s.appVersion], ['p2', 1, 'deployed', 'podinfo', '6.14.1', '6.14.1']);
    assert.match(s.configDigest, /^sha256:[a-f0-9]{64}$/);
    assert.match(s.firstDeployed, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(s.action, 'install');
  });
});

describe('history helpers', () => {
  const h = [snap(record(5, 'failed')), snap(record(4, 'superseded'), { testHooks: { t: { phase: 'Failed' } } }), snap(record(3, 'superseded')), snap(record(2, 'superseded')), snap(record(1, 'superseded'))];
  it('previous skips releases with failed tests unless ignored', () => {
    assert.equal(previous(h, false)?.version, 3);
    assert.equal(previous(h, true)?.version, 4);
  });
  it('truncate keeps up to the previous deployed release', () => {
    assert.deepEqual(truncate(h, false).map((s) => s.version), [5, 4, 3]);
    assert.deepEqual(truncate(h, true).map((s) => s.version), [5, 4]);
  });
  it('truncate keeps the newest five when nothing was deployed', () => {
    const failed = [6, 5, 4, 3, 2, 1].map((v) => snap(record(v, 'failed')));
    assert.deepEqual(truncate(failed, false).map((s) => s.version), [6, 5, 4, 3, 2]);
  });
});

describe('testHooksOf and toMetaTime', () => {
  it('maps test hook runs to Flux TestHookStatus', () => {
    const rec = record(1, 'deployed', {
      hooks: [
        { name: 'podinfo-grpc-test', kind: 'Pod', events: ['test'], last_run: { started_at: '2026-01-01T00:00:01.9Z', completed_at: '2026-01-01T00:00:03Z', phase: 'Succeeded' } },
        { name: 'podinfo-pre-install', kind: 'Job', events: ['pre-install'] },
      ],
    });
    assert.deepEqual(testHooksOf(rec), { 'podinfo-grpc-test': { lastStarted: '2026-01-01T00:00:01Z', lastCompleted: '2026-01-01T00:00:03Z', phase: 'Succeeded' } });
  });
  it('drops zero times', () => assert.equal(toMetaTime('0001-01-01T00:00:00Z'), undefined));
});
