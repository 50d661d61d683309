// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../clock/index.ts';
import { applyConditionsPatch, ConditionsConflictError, diffConditions, type ApplyConditionsOptions } from './patch.ts';
import type { Condition, ObjectWithConditions } from './types.ts';

function c(type: string, status: Condition['status'], reason = 'R', message = 'm'): Condition {
  return { type, status, observedGeneration: 1, lastTransitionTime: '2026-01-01T00:00:00Z', reason, message };
}
function o(...cs: Condition[]): ObjectWithConditions {
  return { metadata: { generation: 1 }, status: { conditions: cs } };
}
const states = (x: ObjectWithConditions): string[] => (x.status?.conditions ?? []).map((k) => `${k.type}=${k.status}/${k.reason}`);

describe('diffConditions', () => {
  it('finds adds, changes and removals', () => {
    const patch = diffConditions(o(c('Ready', 'True'), c('Gone', 'True')), o(c('Ready', 'False'), c('New', 'True')));
    assert.deepEqual(
      patch.map((p) => `${p.op}:${'after' in p ? p.after.type : p.before.type}`),
      ['Change:Ready', 'Add:New', 'Remove:Gone'],
    );
  });
  it('is empty when nothing changed', () => assert.deepEqual(diffConditions(o(c('Ready', 'True')), o(c('Ready', 'True'))), []));
});

describe('applyConditionsPatch', () => {
  const cases: Array<{
    name: string;
    before: ObjectWithConditions;
    after: ObjectWithConditions;
    latest: ObjectWithConditions;
    opts?: ApplyConditionsOptions;
    want?: string[];
    wantConflict?: boolean;
  }> = [
    {
      name: 'adds a condition missing on latest',
      before: o(),
      after: o(c('Ready', 'True')),
      latest: o(c('Other', 'True')),
      want: ['Ready=True/R', 'Other=True/R'],
    },
    {
      name: 'add agrees with a concurrent identical add',
      before: o(),
      after: o(c('Ready', 'True')),
      latest: o(c('Ready', 'True')),
      want: ['Ready=True/R'],
    },
    {
      name: 'add conflicts with a concurrent different add',
      before: o(),
      after: o(c('Ready', 'True')),
      latest: o(c('Ready', 'False')),
      wantConflict: true,
    },
    {
      name: 'owned conditions win over a concurrent change',
      before: o(c('Ready', 'Unknown')),
      after: o(c('Ready', 'True')),
      latest: o(c('Ready', 'False', 'Theirs')),
      opts: { ownedConditions: ['Ready'] },
      want: ['Ready=True/R'],
    },
    {
      name: 'force overwrite wins over a concurrent change',
      before: o(c('X', 'Unknown')),
      after: o(c('X', 'True')),
      latest: o(c('X', 'False', 'Theirs')),
      opts: { forceOverwrite: true },
      want: ['X=True/R'],
    },
    {
      name: 'change applies when latest still equals before',
      before: o(c('X', 'Unknown')),
      after: o(c('X', 'True')),
      latest: o(c('X', 'Unknown'), c('Y', 'True')),
      want: ['X=True/R', 'Y=True/R'],
    },
    {
      name: 'change conflicts when latest was deleted concurrently',
      before: o(c('X', 'Unknown')),
      after: o(c('X', 'True')),
      latest: o(),
      wantConflict: true,
    },
    {
      name: 'change conflicts when latest was modified differently',
      before: o(c('X', 'Unknown')),
      after: o(c('X', 'True')),
      latest: o(c('X', 'False', 'Theirs')),
      wantConflict: true,
    },
    {
      name: 'remove conflicts when latest changed the condition',
      before: o(c('X', 'True')),
      after: o(),
      latest: o(c('X', 'False', 'Theirs')),
      wantConflict: true,
    },
    {
      name: 'remove of an owned condition always applies',
      before: o(c('Reconciling', 'True')),
      after: o(),
      latest: o(c('Reconciling', 'True', 'Theirs')),
      opts: { ownedConditions: ['Reconciling'] },
      want: [],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const patch = diffConditions(tc.before, tc.after);
      const run = (): void => applyConditionsPatch(tc.latest, patch, { clock: new FakeClock(), ...tc.opts });
      if (tc.wantConflict) {
        assert.throws(run, ConditionsConflictError);
        return;
      }
      run();
      assert.deepEqual(states(tc.latest), tc.want);
    });
  }
});
