// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../clock/index.ts';
import * as conditions from './index.ts';
import type { Condition, ObjectWithConditions } from './types.ts';

const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-01T00:01:00Z';

function obj(generation: number, cs?: Condition[]): ObjectWithConditions {
  return { metadata: { name: 'x', generation }, ...(cs ? { status: { conditions: cs } } : {}) };
}
function cond(type: string, status: Condition['status'], ...[reason = 'R', message = 'm', gen = 1, at = T0]: [string?, string?, number?, string?]): Condition {
  return { type, status, observedGeneration: gen, lastTransitionTime: at, reason, message };
}

describe('conditions.set', () => {
  const cases: Array<{ name: string; before: ObjectWithConditions; set: conditions.ConditionInput; want: Condition[] }> = [
    {
      name: 'adds a new condition stamped with now and the generation',
      before: obj(3),
      set: { type: 'Ready', status: 'True', reason: 'Succeeded', message: 'ok' },
      want: [cond('Ready', 'True', 'Succeeded', 'ok', 3, T1)],
    },
    {
      name: 'keeps a lastTransitionTime a new condition already carries',
      before: obj(1),
      set: { type: 'Ready', status: 'True', reason: 'R', message: 'm', lastTransitionTime: T0 },
      want: [cond('Ready', 'True', 'R', 'm', 1, T0)],
    },
    {
      name: 'keeps lastTransitionTime when status, reason and message are unchanged',
      before: obj(1, [cond('Ready', 'True')]),
      set: { type: 'Ready', status: 'True', reason: 'R', message: 'm' },
      want: [cond('Ready', 'True')],
    },
    {
      name: 'keeps lastTransitionTime but stamps a new generation',
      before: obj(2, [cond('Ready', 'True')]),
      set: { type: 'Ready', status: 'True', reason: 'R', message: 'm' },
      want: [cond('Ready', 'True', 'R', 'm', 2, T0)],
    },
    {
      name: 'moves lastTransitionTime on a status change',
      before: obj(1, [cond('Ready', 'True')]),
      set: { type: 'Ready', status: 'False', reason: 'R', message: 'm' },
      want: [cond('Ready', 'False', 'R', 'm', 1, T1)],
    },
    {
      name: 'moves lastTransitionTime on a reason change',
      before: obj(1, [cond('Ready', 'True')]),
      set: { type: 'Ready', status: 'True', reason: 'Other', message: 'm' },
      want: [cond('Ready', 'True', 'Other', 'm', 1, T1)],
    },
    {
      name: 'moves lastTransitionTime on a message change',
      before: obj(1, [cond('Ready', 'True')]),
      set: { type: 'Ready', status: 'True', reason: 'R', message: 'new' },
      want: [cond('Ready', 'True', 'R', 'new', 1, T1)],
    },
    {
      name: 'omits observedGeneration when the object has no generation',
      before: { metadata: { name: 'x' } },
      set: { type: 'Ready', status: 'Unknown', reason: 'R', message: '' },
      want: [{ type: 'Ready', status: 'Unknown', lastTransitionTime: T1, reason: 'R', message: '' }],
    },
    {
      name: 'sorts Stalled, Reconciling, Ready, then by generation and type',
      before: obj(2, [cond('Zeta', 'True', 'R', 'm', 1), cond('Ready', 'False', 'R', 'm', 2), cond('Alpha', 'True', 'R', 'm', 1)]),
      set: { type: 'Reconciling', status: 'True', reason: 'R', message: 'm' },
      want: [
        cond('Reconciling', 'True', 'R', 'm', 2, T1),
        cond('Ready', 'False', 'R', 'm', 2),
        cond('Alpha', 'True', 'R', 'm', 1),
        cond('Zeta', 'True', 'R', 'm', 1),
      ],
    },
    {
      name: 'sorts other conditions of a newer generation first',
      before: obj(2, [cond('Alpha', 'True', 'R', 'm', 1)]),
      set: { type: 'Beta', status: 'True', reason: 'R', message: 'm' },
      want: [cond('Beta', 'True', 'R', 'm', 2, T1), cond('Alpha', 'True', 'R', 'm', 1)],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const clock = new FakeClock(Date.parse(T1) + 999);
      conditions.set(tc.before, tc.set, clock);
      assert.deepEqual(tc.before.status?.conditions, tc.want);
    });
  }

  it('trims messages longer than 32 KiB and ends them in ...', () => {
    const o = obj(1);
    conditions.markFalse(o, 'Ready', 'R', 'é'.repeat(20000), new FakeClock());
    const msg = conditions.getMessage(o, 'Ready');
    assert.ok(Buffer.byteLength(msg) <= 32768);
    assert.ok(Buffer.byteLength(msg) > 32760);
    assert.ok(msg.endsWith('é...'));
  });
});

describe('conditions mark helpers', () => {
  const clock = new FakeClock(Date.parse(T1));
  const cases: Array<{ name: string; before: Condition[]; run: (o: ObjectWithConditions) => void; want: string[] }> = [
    {
      name: 'markReconciling deletes Stalled',
      before: [cond('Stalled', 'True'), cond('Ready', 'False')],
      run: (o) => conditions.markReconciling(o, 'Progressing', 'working', clock),
      want: ['Reconciling=True', 'Ready=False'],
    },
    {
      name: 'markStalled deletes Reconciling',
      before: [cond('Reconciling', 'True'), cond('Ready', 'False')],
      run: (o) => conditions.markStalled(o, 'InvalidURL', 'bad url', clock),
      want: ['Stalled=True', 'Ready=False'],
    },
    {
      name: 'delete removes the condition and drops an empty list',
      before: [cond('Ready', 'False')],
      run: (o) => conditions.delete(o, 'Ready'),
      want: [],
    },
    {
      name: 'markUnknown on a bound setter set',
      before: [],
      run: (o) => conditions.settersFor(clock).markUnknown(o, 'Ready', 'Progressing', 'in progress'),
      want: ['Ready=Unknown'],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const o = obj(1, tc.before);
      tc.run(o);
      assert.deepEqual(conditions.list(o).map((c) => `${c.type}=${c.status}`), tc.want);
    });
  }
});

describe('conditions getters', () => {
  const o = obj(1, [cond('Ready', 'True', 'Succeeded', 'done'), cond('Healthy', 'False'), cond('X', 'Unknown')]);
  const cases: Array<{ name: string; got: unknown; want: unknown }> = [
    { name: 'isTrue', got: conditions.isTrue(o, 'Ready'), want: true },
    { name: 'isFalse', got: conditions.isFalse(o, 'Healthy'), want: true },
    { name: 'isFalse of a missing condition', got: conditions.isFalse(o, 'Missing'), want: false },
    { name: 'isUnknown of a missing condition', got: conditions.isUnknown(o, 'Missing'), want: true },
    { name: 'isUnknown', got: conditions.isUnknown(o, 'X'), want: true },
    { name: 'isReady', got: conditions.isReady(o), want: true },
    {
      name: 'isReady is false while reconciling',
      got: conditions.isReady(obj(1, [cond('Reconciling', 'True'), cond('Ready', 'True')])),
      want: false,
    },
    {
      name: 'isStalled is false when Reconciling is also True',
      got: conditions.isStalled(obj(1, [cond('Stalled', 'True'), cond('Reconciling', 'True')])),
      want: false,
    },
    { name: 'getReason', got: conditions.getReason(o, 'Ready'), want: 'Succeeded' },
    { name: 'getMessage of a missing condition', got: conditions.getMessage(o, 'Missing'), want: '' },
    { name: 'getObservedGeneration', got: conditions.getObservedGeneration(o, 'Ready'), want: 1 },
    { name: 'has', got: conditions.has(o, 'Healthy'), want: true },
  ];
  for (const tc of cases) it(tc.name, () => assert.deepEqual(tc.got, tc.want));

  it('get returns a copy', () => {
    conditions.get(o, 'Ready')!.status = 'False';
    assert.equal(conditions.isTrue(o, 'Ready'), true);
  });
});

describe('formatTime', () => {
  it('drops milliseconds', () => assert.equal(conditions.formatTime(Date.parse('2026-03-04T05:06:07.891Z')), '2026-03-04T05:06:07Z'));
});
