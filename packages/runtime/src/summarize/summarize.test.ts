// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../clock/index.ts';
import type { KubeObject } from '../client/types.ts';
import * as conditions from '../conditions/index.ts';
import type { Condition, ObjectWithConditions } from '../conditions/types.ts';
import { assertConformant } from '../conformance/index.ts';
import { FakeKubeClient } from '../patch/fake-client.ts';
import { SerialPatcher } from '../patch/serial-patcher.ts';
import { StallingError, TransientError, WaitingError } from '../reconcile/contract.ts';
import { errorEventProcessor, finalizeStatus } from './finalize.ts';
import { alwaysRequeueResultBuilder, lowestRequeuingResult, type StepResult } from './result.ts';
import { summarizeAndPatch, summarizeConditions, type ConditionsSpec } from './summarize.ts';

const INTERVAL = 60_000;
const readyConditions: ConditionsSpec = {
  target: 'Ready',
  owned: ['Stalled', 'Reconciling', 'Ready', 'FetchFailed', 'ArtifactOutdated', 'ArtifactInStorage', 'SourceVerified'],
  summarize: ['Stalled', 'SourceVerified', 'FetchFailed', 'ArtifactOutdated', 'ArtifactInStorage', 'Reconciling'],
  negativePolarity: ['Stalled', 'FetchFailed', 'ArtifactOutdated', 'Reconciling'],
};
const NEG = { negativePolarity: readyConditions.negativePolarity };

function c(type: string, status: Condition['status'], reason = `${type}Reason`, message = `${type} msg`): Condition {
  return { type, status, observedGeneration: 2, lastTransitionTime: '2025-12-31T00:00:00Z', reason, message };
}
function repo(...cs: Condition[]): KubeObject & ObjectWithConditions {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name: 'repo', namespace: 'ns', generation: 2, annotations: { 'reconcile.fluxcd.io/requestedAt': 'token-1' } },
    status: { observedGeneration: 1, conditions: cs },
  };
}
const summaryOf = (o: ObjectWithConditions): string[] => conditions.list(o).map((x) => `${x.type}=${x.status}/${x.reason}`);

describe('summarizeConditions (final)', () => {
  const cases: Array<{
    name: string;
    before: Condition[];
    result: StepResult;
    error?: unknown;
    biPolarity?: string[];
    want: string[];
    wantError?: RegExp | 'same';
    wantResult: number | undefined;
    wantRequeue?: boolean;
    wantObserved: boolean;
  }> = [
    {
      name: 'success deletes Reconciling and derives Ready=True',
      before: [c('Reconciling', 'True', 'Progressing'), c('Ready', 'Unknown', 'Progressing'), c('ArtifactInStorage', 'True', 'Succeeded', 'stored')],
      result: 'success',
      want: ['Ready=True/Succeeded', 'ArtifactInStorage=True/Succeeded'],
      wantResult: INTERVAL,
      wantObserved: true,
    },
    {
      name: 'a transient error keeps Reconciling as ProgressingWithRetry and Ready=False from FetchFailed',
      before: [c('Reconciling', 'True', 'Progressing'), c('FetchFailed', 'True', 'GitOperationFailed', 'clone failed')],
      result: 'empty',
      error: new TransientError('clone failed', { reason: 'GitOperationFailed' }),
      want: ['Reconciling=True/ProgressingWithRetry', 'Ready=False/GitOperationFailed', 'FetchFailed=True/GitOperationFailed'],
      wantError: 'same',
      wantResult: undefined,
      wantObserved: false,
    },
    {
      name: 'a stalling error with an empty result marks Stalled and is consumed',
      before: [c('Reconciling', 'True', 'Progressing')],
      result: 'empty',
      error: new StallingError('invalid url', { reason: 'URLInvalid' }),
      want: ['Stalled=True/URLInvalid', 'Ready=False/URLInvalid'],
      wantResult: undefined,
      wantObserved: true,
    },
    {
      name: 'a waiting error is consumed, deletes Stalled and requeues after its delay',
      before: [c('Stalled', 'True'), c('FetchFailed', 'True', 'DependencyNotReady', 'waiting')],
      result: 'empty',
      error: new WaitingError('waiting', 5000, { reason: 'DependencyNotReady' }),
      want: ['Ready=False/DependencyNotReady', 'FetchFailed=True/DependencyNotReady'],
      wantResult: 5000,
      wantObserved: false,
    },
    {
      name: 'a success that is not ready becomes an error',
      before: [c('ArtifactInStorage', 'False', 'NoArtifact', 'no artifact')],
      result: 'success',
      want: ['Ready=False/NoArtifact', 'ArtifactInStorage=False/NoArtifact'],
      wantError: /no artifact/,
      wantResult: INTERVAL,
      wantObserved: true,
    },
    {
      name: 'a False bi-polarity condition overrides Ready',
      before: [c('ArtifactInStorage', 'True', 'Succeeded'), c('SourceVerified', 'False', 'VerificationError', 'bad sig')],
      result: 'success',
      biPolarity: ['SourceVerified'],
      want: ['Ready=False/VerificationError', 'ArtifactInStorage=True/Succeeded', 'SourceVerified=False/VerificationError'],
      wantError: /bad sig/,
      wantResult: INTERVAL,
      wantObserved: true,
    },
    {
      name: 'an immediate requeue does not observe the generation',
      before: [c('Reconciling', 'True', 'Progressing'), c('ArtifactInStorage', 'True', 'Succeeded')],
      result: 'requeue',
      want: ['Reconciling=True/ProgressingWithRetry', 'Ready=False/ProgressingWithRetry', 'ArtifactInStorage=True/Succeeded'],
      wantResult: undefined,
      wantRequeue: true,
      wantObserved: false,
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const obj = repo(...tc.before);
      const out = summarizeConditions(obj, readyConditions, {
        result: tc.result,
        reconcileError: tc.error,
        resultBuilder: alwaysRequeueResultBuilder(INTERVAL),
        biPolarity: tc.biPolarity ?? [],
        clock: new FakeClock(),
      });
      assert.deepEqual(summaryOf(obj), tc.want);
      assert.equal(out.result.requeueAfterMs, tc.wantResult);
      assert.equal(out.result.requeue, tc.wantRequeue);
      assert.equal(out.observedGeneration, tc.wantObserved);
      if (tc.wantError === 'same') assert.equal(out.error, tc.error);
      else if (tc.wantError) assert.match(String((out.error as Error).message), tc.wantError);
      else assert.equal(out.error, undefined);
      assert.equal(obj.status?.lastHandledReconcileAt, 'token-1');
      if (out.observedGeneration) obj.status!.observedGeneration = 2;
      assertConformant(obj, NEG);
    });
  }

  it('without a result builder only summarises (mid-reconcile)', () => {
    const obj = repo(c('Reconciling', 'True', 'Progressing', 'cloning'));
    const err = new TransientError('x');
    const out = summarizeConditions(obj, readyConditions, { reconcileError: err, clock: new FakeClock() });
    assert.deepEqual(summaryOf(obj), ['Reconciling=True/Progressing', 'Ready=False/Progressing']);
    assert.deepEqual(out.result, {});
    assert.equal(out.error, err);
    assert.deepEqual(out.ownedConditions, readyConditions.owned);
  });
});

describe('summarizeAndPatch', () => {
  it('patches the summary, the observed generation and the handled request', async () => {
    const client = new FakeKubeClient();
    const clock = new FakeClock();
    const obj = client.seed(repo());
    const patcher = new SerialPatcher(obj, client, { clock, fieldOwner: 'gotk-source-controller' });
    conditions.markReconciling(obj, 'Progressing', 'building', clock);
    conditions.markTrue(obj, 'ArtifactInStorage', 'Succeeded', 'stored', clock);
    const out = await summarizeAndPatch(patcher, obj, readyConditions, {
      result: 'success',
      resultBuilder: alwaysRequeueResultBuilder(INTERVAL),
      clock,
    });
    assert.deepEqual(out, { result: { requeueAfterMs: INTERVAL }, error: undefined });
    const stored = client.peek<KubeObject & ObjectWithConditions>({ apiVersion: obj.apiVersion, kind: obj.kind, namespace: 'ns', name: 'repo' })!;
    assert.deepEqual(summaryOf(stored), ['Ready=True/Succeeded', 'ArtifactInStorage=True/Succeeded']);
    assert.equal(stored.status?.observedGeneration, 2);
    assert.equal(stored.status?.lastHandledReconcileAt, 'token-1');
    assertConformant(stored, NEG);
  });

  it('joins a patch error to the reconcile error', async () => {
    const client = new FakeKubeClient();
    const obj = client.seed(repo());
    const patcher = new SerialPatcher(obj, client);
    await client.delete({ apiVersion: obj.apiVersion, kind: obj.kind, namespace: 'ns', name: 'repo' });
    const err = new TransientError('boom');
    conditions.markFalse(obj, 'FetchFailed', 'X', 'boom', new FakeClock());
    const out = await summarizeAndPatch(patcher, obj, readyConditions, { reconcileError: err, resultBuilder: alwaysRequeueResultBuilder(INTERVAL) });
    assert.ok(out.error instanceof AggregateError);
    assert.equal(out.error.errors[0], err);
  });
});

describe('finalizeStatus', () => {
  const cases: Array<{ name: string; before: Condition[]; want: string[]; wantObserved: number }> = [
    {
      name: 'Ready=True deletes Reconciling and observes the generation',
      before: [c('Reconciling', 'True', 'Progressing'), c('Ready', 'True', 'ReconciliationSucceeded')],
      want: ['Ready=True/ReconciliationSucceeded'],
      wantObserved: 2,
    },
    {
      name: 'Ready=False with Reconciling marks ProgressingWithRetry',
      before: [c('Reconciling', 'True', 'Progressing'), c('Ready', 'False', 'BuildFailed')],
      want: ['Reconciling=True/ProgressingWithRetry', 'Ready=False/BuildFailed'],
      wantObserved: 1,
    },
    {
      name: 'Ready=Unknown is left alone',
      before: [c('Reconciling', 'True', 'Progressing'), c('Ready', 'Unknown', 'Progressing')],
      want: ['Reconciling=True/Progressing', 'Ready=Unknown/Progressing'],
      wantObserved: 1,
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const obj = repo(...tc.before);
      finalizeStatus(obj, new FakeClock());
      assert.deepEqual(summaryOf(obj), tc.want);
      assert.equal(obj.status?.observedGeneration, tc.wantObserved);
      assert.equal(obj.status?.lastHandledReconcileAt, 'token-1');
    });
  }
});

describe('errorEventProcessor', () => {
  const cases: Array<{ name: string; error: unknown; want: string[] }> = [
    { name: 'stalling → Warning', error: new StallingError('bad', { reason: 'InvalidURL' }), want: ['Warning InvalidURL bad'] },
    { name: 'transient → Warning', error: new TransientError('oops'), want: ['Warning Failed oops'] },
    { name: 'waiting → Trace', error: new WaitingError('later', 1000, { reason: 'DependencyNotReady' }), want: ['Trace DependencyNotReady later'] },
    { name: 'event: false → nothing', error: new TransientError('quiet', { event: false }), want: [] },
    { name: 'untyped → nothing', error: new Error('plain'), want: [] },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const got: string[] = [];
      errorEventProcessor({ event: (_o, type, reason, msg) => got.push(`${type} ${reason} ${msg}`) })(repo(), 'empty', tc.error);
      assert.deepEqual(got, tc.want);
    });
  }
});

describe('lowestRequeuingResult', () => {
  const cases: Array<[StepResult, StepResult, StepResult]> = [
    ['empty', 'success', 'success'],
    ['success', 'empty', 'success'],
    ['requeue', 'success', 'requeue'],
    ['success', 'requeue', 'requeue'],
    ['success', 'success', 'success'],
  ];
  for (const [a, b, want] of cases) it(`${a} + ${b} = ${want}`, () => assert.equal(lowestRequeuingResult(a, b), want));
});
