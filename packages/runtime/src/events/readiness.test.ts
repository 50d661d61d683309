// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../clock/index.ts';
import type { KubeObject } from '../client/types.ts';
import * as conditions from '../conditions/index.ts';
import type { ObjectWithConditions } from '../conditions/types.ts';
import { notifyReadiness, type ReadinessEventSink } from './readiness.ts';

type Obj = KubeObject & ObjectWithConditions;
type Ready = ['True' | 'False' | 'Unknown', string, string] | undefined;

function withReady(ready: Ready): Obj {
  const obj: Obj = { apiVersion: 'example.io/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'ns' }, status: {} };
  if (ready) conditions.set(obj, { type: 'Ready', status: ready[0], reason: ready[1], message: ready[2] }, new FakeClock());
  return obj;
}

function recorder(): { sink: ReadinessEventSink; got: string[] } {
  const got: string[] = [];
  return { got, sink: { event: (_o, type, reason, message, opts) => got.push(`${type} ${reason} ${message}${opts?.annotations ? ` ${JSON.stringify(opts.annotations)}` : ''}`) } };
}

describe('notifyReadiness', () => {
  const cases: Array<{ name: string; before: Ready; after: Ready; annotations?: Record<string, string>; want: string[] }> = [
    { name: 'becoming ready is Normal', before: ['Unknown', 'Progressing', 'x'], after: ['True', 'Succeeded', 'found 3 tags'], want: ['Normal Succeeded found 3 tags'] },
    { name: 'a first Ready=True is Normal', before: undefined, after: ['True', 'Succeeded', 'ok'], want: ['Normal Succeeded ok'] },
    { name: 'a new Ready message is Normal', before: ['True', 'Succeeded', 'found 3 tags'], after: ['True', 'Succeeded', 'found 4 tags'], want: ['Normal Succeeded found 4 tags'] },
    { name: 'staying ready is a Trace', before: ['True', 'Succeeded', 'ok'], after: ['True', 'Succeeded', 'ok'], want: ['Trace Succeeded next scan in 5m0s'] },
    { name: 'not ready is a Warning', before: ['True', 'Succeeded', 'ok'], after: ['False', 'AuthenticationFailed', 'denied'], want: ['Warning AuthenticationFailed denied'] },
    { name: 'staying not ready is a Warning too', before: ['False', 'Failed', 'x'], after: ['False', 'Failed', 'x'], want: ['Warning Failed x'] },
    { name: 'no Ready condition is silent', before: undefined, after: undefined, want: [] },
    {
      name: 'annotations go with the event',
      before: undefined,
      after: ['True', 'Succeeded', 'ok'],
      annotations: { 'image.toolkit.fluxcd.io/revision': 'abc' },
      want: ['Normal Succeeded ok {"image.toolkit.fluxcd.io/revision":"abc"}'],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const { sink, got } = recorder();
      notifyReadiness(sink, withReady(tc.before), withReady(tc.after), 'next scan in 5m0s', tc.annotations);
      assert.deepEqual(got, tc.want);
    });
  }

  it('does nothing without a sink', () => {
    assert.doesNotThrow(() => notifyReadiness(undefined, withReady(undefined), withReady(['True', 'Succeeded', 'ok']), 'trace'));
  });
});
