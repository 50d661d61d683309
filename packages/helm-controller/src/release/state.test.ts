// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { determineReleaseState, type StateInput, type ReleaseStatus } from './state.ts';
import { helmRelease, record, snap } from './test-fixtures.ts';
import type { HelmReleaseObject } from './types.ts';

const chart = { name: 'podinfo', version: '6.14.1' };
const deployed = record(1, 'deployed');
const tested = (phase: string) => snap(deployed, { testHooks: { 'podinfo-test': { phase } } });

interface Case {
  name: string;
  hr: HelmReleaseObject;
  latest?: StateInput['latest'];
  values?: Record<string, unknown>;
  chartVersion?: string;
  drift?: StateInput['drift'];
  want: ReleaseStatus;
  reason?: RegExp;
}

const cases: Case[] = [
  { name: 'no release in storage', hr: helmRelease(), want: 'Absent', reason: /no release in storage/ },
  { name: 'pending release', hr: helmRelease(), latest: record(2, 'pending-upgrade'), want: 'Locked', reason: /pending-upgrade/ },
  { name: 'release without history', hr: helmRelease(), latest: deployed, want: 'Unmanaged', reason: /found existing release/ },
  { name: 'uninstalled release without history', hr: helmRelease(), latest: record(1, 'uninstalled'), want: 'Absent' },
  { name: 'release changed behind our back', hr: helmRelease({}, { history: [snap(record(1, 'deployed', { config: { other: 1 } }))] }), latest: deployed, want: 'Unmanaged', reason: /not observed/ },
  { name: 'malformed snapshot digest', hr: helmRelease({}, { history: [snap(deployed, { digest: 'bogus' })] }), latest: deployed, want: 'Unmanaged', reason: /digest verification/ },
  { name: 'failed release', hr: helmRelease({}, { history: [snap(record(1, 'failed'))] }), latest: record(1, 'failed'), want: 'Failed' },
  { name: 'observed uninstalled release', hr: helmRelease({}, { history: [snap(record(1, 'uninstalled'))] }), latest: record(1, 'uninstalled'), want: 'Absent' },
  { name: 'superseded latest', hr: helmRelease({}, { history: [snap(record(1, 'superseded'))] }), latest: record(1, 'superseded'), want: 'Unknown' },
  { name: 'in sync', hr: helmRelease({}, { history: [snap(deployed)] }), latest: deployed, want: 'InSync' },
  { name: 'new chart version', hr: helmRelease({}, { history: [snap(deployed)] }), latest: deployed, chartVersion: '6.15.0', want: 'OutOfSync', reason: /chart changed/ },
  { name: 'new values', hr: helmRelease({}, { history: [snap(deployed)] }), latest: deployed, values: { replicaCount: 2 }, want: 'OutOfSync', reason: /values changed/ },
  { name: 'tests enabled, not run', hr: helmRelease({ test: { enable: true } }, { history: [snap(deployed)] }), latest: deployed, want: 'Untested' },
  {
    name: 'failed test with active remediation',
    hr: helmRelease({ test: { enable: true } }, { history: [tested('Failed')], lastAttemptedReleaseAction: 'install' }),
    latest: deployed,
    want: 'Failed',
    reason: /test in failed phase/,
  },
  {
    name: 'failed test ignored',
    hr: helmRelease({ test: { enable: true, ignoreFailures: true } }, { history: [tested('Failed')], lastAttemptedReleaseAction: 'install' }),
    latest: deployed,
    want: 'InSync',
  },
  { name: 'passed tests', hr: helmRelease({ test: { enable: true } }, { history: [tested('Succeeded')], lastAttemptedReleaseAction: 'upgrade' }), latest: deployed, want: 'InSync' },
  { name: 'drift', hr: helmRelease({}, { history: [snap(deployed)] }), latest: deployed, drift: { detected: true, summary: 'Service/apps/x changed' }, want: 'Drifted', reason: /Service/ },
];

describe('determineReleaseState', () => {
  for (const c of cases) {
    it(c.name, () => {
      const got = determineReleaseState({
        hr: c.hr,
        ...(c.latest ? { latest: c.latest } : {}),
        chart: { ...chart, version: c.chartVersion ?? chart.version },
        values: c.values ?? { replicaCount: 1 },
        ...(c.drift ? { drift: c.drift } : {}),
      });
      assert.equal(got.status, c.want, got.reason);
      if (c.reason) assert.match(got.reason ?? '', c.reason);
    });
  }
});
