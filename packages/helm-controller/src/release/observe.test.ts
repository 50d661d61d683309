// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mark, observedSince, recordRelease, recordRollback, recordTest, recordUpdates, uninstalledRecord } from './observe.ts';
import { helmRelease, record, snap } from './test-fixtures.ts';

const stored = (version: number, status: string, rv: string) => ({ record: record(version, status), resourceVersion: rv });

describe('observing helm storage writes', () => {
  it('takes new and rewritten records only', () => {
    const before = mark([stored(2, 'deployed', '10'), stored(1, 'superseded', '5')]);
    const got = observedSince(before, [stored(3, 'deployed', '12'), stored(2, 'superseded', '11'), stored(1, 'superseded', '5')]);
    assert.deepEqual(got.map((r) => [r.version, r.info?.status]), [[3, 'deployed'], [2, 'superseded']]);
  });

  it('upgrade: prepends the new release, updates the superseded one (keeping tests), caps history at five', () => {
    const hr = helmRelease({}, { lastAttemptedRevisionDigest: 'sha256:abc', history: [5, 4, 3, 2, 1].map((v) => snap(record(v, v === 5 ? 'deployed' : 'superseded'), v === 5 ? { testHooks: { t: { phase: 'Succeeded' } } } : {})) });
    recordRelease(hr, [record(6, 'deployed'), record(5, 'superseded')], 'upgrade');
    const h = hr.status!.history!;
    assert.deepEqual(h.map((s) => [s.version, s.status]), [[6, 'deployed'], [5, 'superseded'], [4, 'superseded'], [3, 'superseded'], [2, 'superseded']]);
    assert.equal(h[0]!.ociDigest, 'sha256:abc');
    assert.equal(h[0]!.action, 'upgrade');
    assert.deepEqual(h[1]!.testHooks, { t: { phase: 'Succeeded' } });
  });

  it('test: only results for the latest release are accepted', () => {
    const hr = helmRelease({}, { history: [snap(record(2, 'deployed'))] });
    const tested = record(2, 'deployed', { hooks: [{ name: 't', kind: 'Pod', events: ['test'], last_run: { phase: 'Failed', started_at: '2026-01-01T00:00:00Z', completed_at: '2026-01-01T00:00:05Z' } }] });
    recordTest(hr, [record(1, 'superseded')]);
    assert.equal(hr.status!.history![0]!.testHooks, undefined);
    recordTest(hr, [tested]);
    assert.deepEqual(hr.status!.history![0]!.testHooks, { t: { phase: 'Failed', lastStarted: '2026-01-01T00:00:00Z', lastCompleted: '2026-01-01T00:00:05Z' } });
  });

  it('rollback: new revision first, the target updated', () => {
    const hr = helmRelease({}, { history: [snap(record(2, 'failed')), snap(record(1, 'deployed'))] });
    recordRollback(hr, [record(1, 'superseded'), record(3, 'deployed')]);
    assert.deepEqual(hr.status!.history!.map((s) => [s.version, s.status, s.action]), [[3, 'deployed', 'rollback'], [2, 'failed', 'upgrade'], [1, 'superseded', 'install']]);
  });

  it('uninstall: the purged release is recorded as uninstalled', () => {
    const hr = helmRelease({}, { history: [snap(record(1, 'deployed'))] });
    recordUpdates(hr, [uninstalledRecord(record(1, 'deployed'), new Date('2026-03-01T00:00:00Z'))]);
    assert.deepEqual([hr.status!.history![0]!.status, hr.status!.history![0]!.deleted], ['uninstalled', '2026-03-01T00:00:00Z']);
  });
});
