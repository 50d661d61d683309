// SPDX-License-Identifier: Apache-2.0
import assert, { AssertionError } from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Condition, ObjectWithConditions } from '../conditions/types.ts';
import { assertConformant, assertInProgressConformant, checkConditions, checkInProgress, lintConditions } from './index.ts';

const NEG = { negativePolarity: ['FetchFailed', 'Stalled', 'Reconciling'] };

function c(type: string, status: Condition['status'], gen = 2, reason = 'R', message = 'm'): Condition {
  return { type, status, observedGeneration: gen, lastTransitionTime: '2026-01-01T00:00:00Z', reason, message };
}
function o(generation: number, observedGeneration: number | undefined, ...cs: Condition[]): ObjectWithConditions {
  return {
    metadata: { name: 'x', namespace: 'ns', generation },
    status: { ...(observedGeneration !== undefined ? { observedGeneration } : {}), conditions: cs },
  };
}

describe('checkConditions (reconciled)', () => {
  const cases: Array<{ name: string; before: ObjectWithConditions; want: string[] }> = [
    { name: 'a clean Ready=True status', before: o(2, 2, c('Ready', 'True'), c('ArtifactInStorage', 'True')), want: [] },
    { name: 'a clean failure', before: o(2, 1, c('Ready', 'False'), c('FetchFailed', 'True')), want: [] },
    { name: 'FAIL0001 negative polarity True while Ready True', before: o(2, 2, c('Ready', 'True'), c('FetchFailed', 'True')), want: ['FAIL0001'] },
    { name: 'FAIL0002 Ready missing', before: o(2, 2, c('ArtifactInStorage', 'True')), want: ['FAIL0002'] },
    {
      name: 'FAIL0003 Ready not False while Reconciling True',
      before: o(2, 1, c('Reconciling', 'True'), c('Ready', 'Unknown')),
      want: ['FAIL0003'],
    },
    { name: 'FAIL0004 Ready not False while Stalled True', before: o(2, 2, c('Stalled', 'True'), c('Ready', 'Unknown')), want: ['FAIL0004'] },
    {
      name: 'FAIL0005 both Reconciling and Stalled',
      before: o(2, 1, c('Reconciling', 'False'), c('Stalled', 'True'), c('Ready', 'False')),
      want: ['FAIL0005'],
    },
    { name: 'FAIL0006 observedGeneration above generation', before: o(2, 3, c('Ready', 'False')), want: ['FAIL0006'] },
    { name: 'FAIL0007 ready with an unobserved generation', before: o(3, 2, c('Ready', 'True', 3)), want: ['FAIL0007', 'FAIL0009'] },
    { name: 'FAIL0007 holds for the CRD default -1', before: o(1, -1, c('Ready', 'True', 1)), want: ['FAIL0007', 'FAIL0009'] },
    { name: 'FAIL0008 ready with a stale condition', before: o(2, 2, c('Ready', 'True'), c('Other', 'True', 1)), want: ['FAIL0008', 'FAIL0009'] },
    { name: 'FAIL0009 condition generation differs from the root', before: o(2, 2, c('Ready', 'True'), c('Other', 'True', 3)), want: ['FAIL0009'] },
    { name: 'missing observedGeneration counts as 0', before: o(1, undefined, c('Ready', 'True', 1)), want: ['FAIL0007', 'FAIL0009'] },
  ];
  for (const tc of cases) {
    it(tc.name, () => assert.deepEqual(checkConditions(tc.before, NEG).map((v) => v.id), tc.want));
  }
});

describe('checkInProgress', () => {
  const cases: Array<{ name: string; before: ObjectWithConditions; want: string[] }> = [
    { name: 'first run: Reconciling with Ready Unknown', before: o(1, -1, c('Reconciling', 'True', 1), c('Ready', 'Unknown', 1)), want: [] },
    { name: 'no drift: Reconciling with Ready True', before: o(2, 1, c('Reconciling', 'True'), c('Ready', 'True', 1)), want: [] },
    { name: 'FAIL0011 Ready Unknown without Reconciling', before: o(1, 1, c('Ready', 'Unknown', 1)), want: ['FAIL0011'] },
    { name: 'FAIL0002 without Ready', before: o(1, 1, c('Reconciling', 'True', 1)), want: ['FAIL0002'] },
    {
      name: 'FAIL0004 and FAIL0011 when stalled with Ready Unknown',
      before: o(1, 1, c('Stalled', 'True', 1), c('Ready', 'Unknown', 1)),
      want: ['FAIL0004', 'FAIL0011'],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => assert.deepEqual(checkInProgress(tc.before).map((v) => v.id), tc.want));
  }
});

describe('lintConditions', () => {
  const cases: Array<{ name: string; before: ObjectWithConditions; want: string[] }> = [
    { name: 'clean', before: o(2, 2, c('Ready', 'True')), want: [] },
    { name: 'WARN0001 negative condition present (False) with Ready True', before: o(2, 2, c('Ready', 'True'), c('FetchFailed', 'False')), want: ['WARN0001'] },
    {
      name: 'WARN0002 Ready does not mirror the top negative condition',
      before: o(2, 1, c('Ready', 'False', 2, 'Other', 'x'), c('FetchFailed', 'True', 2, 'Auth', 'denied')),
      want: ['WARN0002'],
    },
    { name: 'WARN0003 False Reconciling', before: o(2, 1, c('Reconciling', 'False'), c('Ready', 'False')), want: ['WARN0003'] },
    { name: 'WARN0004 False Stalled', before: o(2, 1, c('Stalled', 'False'), c('Ready', 'False')), want: ['WARN0004'] },
    { name: 'WARN0005 missing condition generation', before: o(2, 1, c('Ready', 'False', 0)), want: ['WARN0005'] },
  ];
  for (const tc of cases) {
    it(tc.name, () => assert.deepEqual(lintConditions(tc.before, NEG).map((v) => v.id), tc.want));
  }
});

describe('assertions', () => {
  it('assertConformant lists every violation', () => {
    assert.throws(
      () => assertConformant(o(2, 3, c('Reconciling', 'True'), c('Stalled', 'True')), NEG),
      (e: unknown) => e instanceof AssertionError && /FAIL0002[\s\S]*FAIL0005[\s\S]*FAIL0006/.test(e.message),
    );
  });
  it('assertConformant passes a clean status', () => assertConformant(o(1, 1, c('Ready', 'True', 1)), NEG));
  it('assertInProgressConformant throws on FAIL0011', () => {
    assert.throws(() => assertInProgressConformant(o(1, 1, c('Ready', 'Unknown', 1))), AssertionError);
  });
});
