// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../clock/index.ts';
import { setSummary, summary, type SummaryOptions } from './merge.ts';
import type { ConditionInput } from './setter.ts';
import type { Condition, ObjectWithConditions } from './types.ts';

function c(type: string, status: Condition['status'], reason = `${type}Reason`, message = `${type} msg`, gen = 1): Condition {
  return { type, status, observedGeneration: gen, lastTransitionTime: '2026-01-01T00:00:00Z', reason, message };
}
function o(...cs: Condition[]): ObjectWithConditions {
  return { metadata: { generation: 2 }, status: { conditions: cs } };
}

const sourceOpts: SummaryOptions = {
  conditions: ['Stalled', 'FetchFailed', 'ArtifactOutdated', 'ArtifactInStorage', 'Reconciling'],
  negativePolarity: ['Stalled', 'FetchFailed', 'ArtifactOutdated', 'Reconciling'],
};

describe('conditions.summary', () => {
  const cases: Array<{ name: string; target?: string; before: ObjectWithConditions; opts: SummaryOptions; want: ConditionInput | undefined }> = [
    { name: 'no conditions in scope gives no summary', before: o(c('Ready', 'True')), opts: sourceOpts, want: undefined },
    {
      name: 'a single positive True condition makes Ready True',
      before: o(c('ArtifactInStorage', 'True')),
      opts: sourceOpts,
      want: { type: 'Ready', status: 'True', reason: 'ArtifactInStorageReason', message: 'ArtifactInStorage msg' },
    },
    {
      name: 'a negative True condition wins and is inverted',
      before: o(c('ArtifactInStorage', 'True'), c('FetchFailed', 'True', 'AuthenticationFailed', 'denied')),
      opts: sourceOpts,
      want: { type: 'Ready', status: 'False', reason: 'AuthenticationFailed', message: 'denied' },
    },
    {
      name: 'among negative True conditions the first in scope order wins',
      before: o(c('FetchFailed', 'True'), c('Reconciling', 'True', 'Progressing', 'working'), c('ArtifactOutdated', 'True')),
      opts: sourceOpts,
      want: { type: 'Ready', status: 'False', reason: 'FetchFailedReason', message: 'FetchFailed msg' },
    },
    {
      name: 'Reconciling alone makes Ready False with its reason',
      before: o(c('Reconciling', 'True', 'Progressing', 'building'), c('ArtifactInStorage', 'True')),
      opts: sourceOpts,
      want: { type: 'Ready', status: 'False', reason: 'Progressing', message: 'building' },
    },
    {
      name: 'a positive False condition beats a positive True one',
      before: o(c('A', 'True'), c('B', 'False')),
      opts: {},
      want: { type: 'Ready', status: 'False', reason: 'BReason', message: 'B msg' },
    },
    {
      name: 'a negative False condition means Ready True',
      before: o(c('FetchFailed', 'False', 'Ok', 'fine')),
      opts: sourceOpts,
      want: { type: 'Ready', status: 'True', reason: 'Ok', message: 'fine' },
    },
    {
      name: 'Unknown has the lowest priority',
      before: o(c('A', 'Unknown'), c('B', 'True')),
      opts: {},
      want: { type: 'Ready', status: 'True', reason: 'BReason', message: 'B msg' },
    },
    {
      name: 'only Unknown conditions give Unknown',
      before: o(c('A', 'Unknown', 'Progressing', 'p')),
      opts: {},
      want: { type: 'Ready', status: 'Unknown', reason: 'Progressing', message: 'p' },
    },
    {
      name: 'without a scope order the setter sort order picks the first (Reconciling before others)',
      before: o(c('Zed', 'True'), c('Reconciling', 'True', 'Progressing', 'rec')),
      opts: { negativePolarity: ['Zed', 'Reconciling'] },
      want: { type: 'Ready', status: 'False', reason: 'Progressing', message: 'rec' },
    },
    {
      name: 'step counter counts positive True conditions',
      before: o(c('A', 'True'), c('B', 'True'), c('C', 'False')),
      opts: { stepCounter: true },
      want: { type: 'Ready', status: 'False', reason: 'CReason', message: '2 of 3 completed' },
    },
    {
      name: 'step counter uses the scope length',
      before: o(c('A', 'True')),
      opts: { stepCounter: true, conditions: ['A', 'B'] },
      want: { type: 'Ready', status: 'True', reason: 'AReason', message: '1 of 2 completed' },
    },
    {
      name: 'stepCounterIfOnly disables the counter when other types are present',
      before: o(c('A', 'True'), c('Healthy', 'True')),
      opts: { stepCounter: true, stepCounterIfOnly: ['A'] },
      want: { type: 'Ready', status: 'True', reason: 'AReason', message: 'A msg' },
    },
    {
      name: 'latestGeneration ignores conditions of older generations',
      before: o(c('A', 'False', 'Old', 'old', 1), c('B', 'True', 'New', 'new', 2)),
      opts: { latestGeneration: true },
      want: { type: 'Ready', status: 'True', reason: 'New', message: 'new' },
    },
    {
      name: 'a negative-polarity target is not inverted by a negative top group',
      target: 'Degraded',
      before: o(c('FetchFailed', 'True', 'Auth', 'denied')),
      opts: { negativePolarity: ['FetchFailed', 'Degraded'] },
      want: { type: 'Degraded', status: 'True', reason: 'Auth', message: 'denied' },
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      assert.deepEqual(summary(tc.before, tc.target ?? 'Ready', tc.opts), tc.want);
    });
  }

  it('setSummary writes the target and leaves other conditions alone', () => {
    const obj = o(c('FetchFailed', 'True', 'Auth', 'denied'));
    setSummary(obj, 'Ready', sourceOpts, new FakeClock());
    assert.deepEqual(
      obj.status?.conditions?.map((x) => [x.type, x.status, x.reason, x.observedGeneration]),
      [
        ['Ready', 'False', 'Auth', 2],
        ['FetchFailed', 'True', 'Auth', 1],
      ],
    );
  });

  it('setSummary is a no-op without conditions in scope', () => {
    const obj = o();
    setSummary(obj, 'Ready', sourceOpts, new FakeClock());
    assert.deepEqual(obj.status?.conditions, []);
  });
});
