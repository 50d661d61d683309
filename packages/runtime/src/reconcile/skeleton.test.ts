// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { FakeClock } from '../clock/index.ts';
import * as conditions from '../conditions/index.ts';
import { assertConformant } from '../conformance/index.ts';
import { createLogger } from '../log/logger.ts';
import { MetricsRecorder } from '../metrics/recorder.ts';
import { FakeKubeClient } from '../patch/fake-client.ts';
import { STEP_READY_CONDITIONS } from '../summarize/progressive.ts';
import { alwaysRequeueResultBuilder } from '../summarize/result.ts';
import type { ReconcileContext } from './contract.ts';
import { StallingError, TransientError } from './contract.ts';
import { reconcileWithSkeleton, type ReconcileSkeleton, type ReconcileStep, type SkeletonObject } from './skeleton.ts';

const INTERVAL = 60_000;
const ref = { apiVersion: 'example.io/v1', kind: 'Widget', namespace: 'ns', name: 'w' };
const req = { namespace: 'ns', name: 'w' };
const NEG = { negativePolarity: STEP_READY_CONDITIONS.negativePolarity };

type Widget = SkeletonObject & { spec: { suspend?: boolean } };
interface RunState {
  started: number;
  trail: string[];
}

function widget(opts: { finalizer?: boolean; suspend?: boolean; observed?: number } = {}): Widget {
  return {
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    metadata: { name: 'w', namespace: 'ns', generation: 1, ...(opts.finalizer === false ? {} : { finalizers: ['finalizers.fluxcd.io'] }) },
    spec: { ...(opts.suspend ? { suspend: true } : {}) },
    status: opts.observed !== undefined ? { observedGeneration: opts.observed } : {},
  };
}

function context(lines: string[] = []): ReconcileContext {
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { signal: new AbortController().signal, log: createLogger({ stream }), reconcileId: 't' };
}

/** A skeleton whose hooks write what they saw into the run state's trail (and `runs`). */
function harness(steps: ReconcileStep<Widget, RunState>[], extra: Partial<ReconcileSkeleton<Widget, RunState>> = {}) {
  const client = new FakeKubeClient();
  const clock = new FakeClock();
  const registry = new Registry();
  const runs: RunState[] = [];
  const skeleton: ReconcileSkeleton<Widget, RunState> = {
    client,
    clock,
    gvk: ref,
    conditions: STEP_READY_CONDITIONS,
    fieldOwner: 'gotk-widget-controller',
    metrics: new MetricsRecorder(registry),
    newState: (_obj, started) => {
      const st = { started, trail: [] };
      runs.push(st);
      return st;
    },
    steps,
    dispose: async (st) => {
      st.trail.push('dispose');
    },
    notify: (before, after, st) => st.trail.push(`notify ${conditions.get(before, 'Ready')?.status ?? '-'} -> ${conditions.get(after, 'Ready')?.status ?? '-'}`),
    resultBuilder: () => alwaysRequeueResultBuilder(INTERVAL),
    ...extra,
  };
  const stored = (): Widget | undefined => client.peek<Widget>(ref);
  return { client, clock, registry, runs, skeleton, stored };
}

const stepClock = new FakeClock();
const ready: ReconcileStep<Widget, RunState> = async (obj, st) => {
  st.trail.push('ready');
  conditions.markTrue(obj, 'Ready', 'Succeeded', 'all good', stepClock);
  return 'success';
};

describe('reconcileWithSkeleton', () => {
  it('does nothing for an object that is gone', async () => {
    const h = harness([ready]);
    assert.deepEqual(await reconcileWithSkeleton(h.skeleton, req, context()), {});
    assert.equal(h.runs.length, 0);
    assert.equal(h.client.calls.length, 0);
  });

  it('adds the finalizer first and requeues without running the steps', async () => {
    const h = harness([ready]);
    h.client.seed(widget({ finalizer: false }));
    assert.deepEqual(await reconcileWithSkeleton(h.skeleton, req, context()), { requeue: true });
    assert.deepEqual(h.stored()?.metadata.finalizers, ['finalizers.fluxcd.io']);
    assert.deepEqual(h.runs[0]!.trail, []);
  });

  it('logs and stops for a suspended object', async () => {
    const h = harness([ready]);
    h.client.seed(widget({ suspend: true, observed: 1 }));
    const lines: string[] = [];
    assert.deepEqual(await reconcileWithSkeleton(h.skeleton, req, context(lines)), {});
    assert.deepEqual(h.runs[0]!.trail, []);
    assert.match(lines.join(''), /reconciliation is suspended for this object/);
    assert.match(await h.registry.metrics(), /gotk_suspend_status\{kind="Widget",name="w",namespace="ns"\} 1/);
  });

  it('runs the steps in order, checkpoints a new generation and patches Ready once at the end', async () => {
    const order: string[] = [];
    const first: ReconcileStep<Widget, RunState> = async (_obj, st) => {
      st.trail.push('first');
      // The checkpoint patch already went out: watchers see Reconciling before slow work starts.
      order.push(`stored Reconciling=${conditions.get(h.stored()!, 'Reconciling')?.message}`);
      return 'success';
    };
    const h = harness([first, ready]);
    h.client.seed(widget());
    assert.deepEqual(await reconcileWithSkeleton(h.skeleton, req, context()), { requeueAfterMs: INTERVAL });
    assert.deepEqual(h.runs[0]!.trail, ['first', 'ready', 'dispose', 'notify - -> True']);
    assert.deepEqual(order, ['stored Reconciling=processing object: new generation -1 -> 1']);
    const stored = h.stored()!;
    assert.deepEqual(
      conditions.list(stored).map((c) => `${c.type}=${c.status}/${c.reason}`),
      ['Ready=True/Succeeded'],
    );
    assert.equal(stored.status.observedGeneration, 1);
    assertConformant(stored, NEG);
    const metrics = await h.registry.metrics();
    assert.match(metrics, /gotk_reconcile_condition\{kind="Widget",name="w",namespace="ns",type="Ready",status="True"\} 1/);
    assert.match(metrics, /gotk_reconcile_duration_seconds_count\{kind="Widget",name="w",namespace="ns"\} 1/);
  });

  it('stops at a step asking for a requeue: no later step, no succeeded, no events', async () => {
    const later: ReconcileStep<Widget, RunState> = async (_o, st) => {
      st.trail.push('later');
      return 'success';
    };
    const succeeded = (_o: Widget, st: RunState): void => {
      st.trail.push('succeeded');
    };
    const h = harness([async (_o, st) => (st.trail.push('first'), 'requeue'), later], { succeeded });
    h.client.seed(widget({ observed: 1 }));
    assert.deepEqual(await reconcileWithSkeleton(h.skeleton, req, context()), { requeue: true });
    assert.deepEqual(h.runs[0]!.trail, ['first', 'dispose']);
  });

  it('turns a failed step into Ready=False/Failed, keeps Reconciling for the retry and throws', async () => {
    const failing: ReconcileStep<Widget, RunState> = async (_o, st) => {
      st.trail.push('failing');
      throw new TransientError('registry unreachable');
    };
    const h = harness([failing, ready]);
    h.client.seed(widget({ observed: 1 }));
    await assert.rejects(reconcileWithSkeleton(h.skeleton, req, context()), /registry unreachable/);
    assert.deepEqual(h.runs[0]!.trail, ['failing', 'dispose', 'notify - -> False']);
    const stored = h.stored()!;
    assert.deepEqual(
      conditions.list(stored).map((c) => `${c.type}=${c.status}/${c.reason}/${c.message}`),
      ['Reconciling=True/ProgressingWithRetry/reconciliation in progress', 'Ready=False/Failed/registry unreachable'],
    );
    assertConformant(stored, NEG);
  });

  it("keeps a step's own Ready=False and consumes a stalling error as Stalled", async () => {
    const stalling: ReconcileStep<Widget, RunState> = async (obj) => {
      conditions.markFalse(obj, 'Ready', 'InvalidPolicy', 'bad range', h.clock);
      throw new StallingError('bad range', { reason: 'InvalidPolicy' });
    };
    const h = harness([stalling]);
    h.client.seed(widget({ observed: 1 }));
    assert.deepEqual(await reconcileWithSkeleton(h.skeleton, req, context()), {});
    const stored = h.stored()!;
    assert.deepEqual(
      conditions.list(stored).map((c) => `${c.type}=${c.status}/${c.reason}`),
      ['Stalled=True/InvalidPolicy', 'Ready=False/InvalidPolicy'],
    );
    assertConformant(stored, NEG);
  });

  it('runs preflight before the checkpoint patch, and a preflight failure fails the run', async () => {
    const preflight = (obj: Widget, st: RunState): void => {
      st.trail.push(`preflight at ${st.started}`);
      conditions.markFalse(obj, 'Ready', 'IntervalNotConfigured', 'no interval', h.clock);
      throw new StallingError('no interval', { reason: 'IntervalNotConfigured' });
    };
    const h = harness([ready], { preflight });
    h.client.seed(widget());
    assert.deepEqual(await reconcileWithSkeleton(h.skeleton, req, context()), {});
    assert.deepEqual(h.runs[0]!.trail, [`preflight at ${Date.parse('2026-01-01T00:00:00Z')}`, 'dispose', 'notify - -> False']);
    // One end-of-run patch (metadata and status), no checkpoint before it.
    assert.ok(h.client.calls.every((c) => !JSON.stringify(c.body).includes('processing object')));
    assert.equal(conditions.get(h.stored()!, 'Stalled')?.reason, 'IntervalNotConfigured');
  });

  it('calls succeeded after every step went through', async () => {
    const succeeded = (obj: Widget, st: RunState): void => {
      st.trail.push('succeeded');
      conditions.markTrue(obj, 'Ready', 'Succeeded', 'repository up-to-date', h.clock);
    };
    const h = harness([async (_o, st) => (st.trail.push('noop'), 'success')], { succeeded });
    h.client.seed(widget({ observed: 1 }));
    assert.deepEqual(await reconcileWithSkeleton(h.skeleton, req, context()), { requeueAfterMs: INTERVAL });
    assert.deepEqual(h.runs[0]!.trail, ['noop', 'succeeded', 'dispose', 'notify - -> True']);
    assert.equal(conditions.get(h.stored()!, 'Ready')?.message, 'repository up-to-date');
  });

  it('on deletion runs finalize, lets the finalizer go and drops the metrics series', async () => {
    const finalized: string[] = [];
    const h = harness([ready], { finalize: async (obj) => void finalized.push(obj.metadata.name!) });
    h.client.seed(widget({ observed: 1 }));
    await reconcileWithSkeleton(h.skeleton, req, context());
    assert.match(await h.registry.metrics(), /gotk_suspend_status\{kind="Widget"/);
    await h.client.delete(ref);
    assert.deepEqual(await reconcileWithSkeleton(h.skeleton, req, context()), {});
    assert.deepEqual(finalized, ['w']);
    assert.equal(h.stored(), undefined);
    assert.deepEqual(h.runs[1]!.trail, []);
    assert.doesNotMatch(await h.registry.metrics(), /gotk_suspend_status\{kind="Widget"/);
  });
  it('hands notify the outcome: the lowest step result, or the error that stopped the run', async () => {
    const outcomes: string[] = [];
    const notify: ReconcileSkeleton<Widget, RunState>['notify'] = (_b, _a, _st, o) => void outcomes.push(`${o.result}/${o.error === undefined ? '-' : String(o.error)}`);
    const ok = harness([ready], { notify });
    ok.client.seed(widget({ observed: 1 }));
    await reconcileWithSkeleton(ok.skeleton, req, context());
    const failing = harness([async () => Promise.reject(new TransientError('boom'))], { notify });
    failing.client.seed(widget({ observed: 1 }));
    await assert.rejects(reconcileWithSkeleton(failing.skeleton, req, context()), /boom/);
    assert.deepEqual(outcomes, ['success/-', 'empty/TransientError: boom']);
  });

  it('lets a False bi-polarity condition override Ready', async () => {
    const spec = { target: 'Ready', owned: ['Verified', 'Ready', 'Reconciling', 'Stalled'], summarize: ['Stalled', 'Reconciling'], negativePolarity: ['Stalled', 'Reconciling'] };
    const unverified: ReconcileStep<Widget, RunState> = async (obj) => {
      conditions.markFalse(obj, 'Verified', 'InvalidSignature', 'signature does not match', h.clock);
      return 'success';
    };
    const h = harness([unverified], { conditions: spec, biPolarity: ['Verified'] });
    h.client.seed(widget({ observed: 1 }));
    await assert.rejects(reconcileWithSkeleton(h.skeleton, req, context()), /signature does not match/);
    const r = conditions.get(h.stored()!, 'Ready');
    assert.equal(`${r?.status}/${r?.reason}`, 'False/InvalidSignature');
  });

  it("reads the object once per run: the patcher's reads are answered from the run's own writes", async () => {
    const checkpoint: ReconcileStep<Widget, RunState> = async (obj, _st, ctx) => {
      conditions.markTrue(obj, 'Reconciling', 'Progressing', 'building', stepClock);
      await ctx.patcher.patch(obj, { ownedConditions: STEP_READY_CONDITIONS.owned });
      return 'success';
    };
    const h = harness([checkpoint, ready]);
    h.client.seed(widget());
    let gets = 0;
    const get = h.client.get.bind(h.client);
    h.client.get = (r) => {
      gets++;
      return get(r);
    };
    await reconcileWithSkeleton(h.skeleton, req, context());
    assert.equal(gets, 1);
    assert.ok(h.client.calls.filter((c) => c.verb === 'patch').length >= 3, 'checkpoint, step and final patches were sent');
    assert.equal(conditions.get(h.stored()!, 'Ready')?.status, 'True');

    // Someone else writes meanwhile: the next conditions patch conflicts, is re-read and keeps their condition.
    const other = harness([
      async (obj, st, ctx) => {
        other.client.mutate(ref, (o) => {
          (o as Widget).status.conditions = [...((o as Widget).status.conditions ?? []), { type: 'Theirs', status: 'True', reason: 'X', message: '', lastTransitionTime: '2020-01-01T00:00:00Z' }];
        });
        return checkpoint(obj, st, ctx);
      },
      ready,
    ]);
    other.client.seed(widget());
    let done = false;
    const run = reconcileWithSkeleton(other.skeleton, req, context()).finally(() => (done = true));
    // The retry after the conflict waits 100–200 ms on the fake clock.
    while (!done && other.clock.timerCount === 0) await new Promise((r) => setImmediate(r));
    assert.equal(done, false, 'the patch met a conflict and waits to retry');
    await other.clock.advance(200);
    await run;
    assert.equal(conditions.get(other.stored()!, 'Theirs')?.status, 'True');
    assert.equal(conditions.get(other.stored()!, 'Ready')?.status, 'True');
  });

  it('ends the reconcile with what intercept returns, before the finalizer or any step', async () => {
    const seen: string[] = [];
    const intercept: ReconcileSkeleton<Widget, RunState>['intercept'] = async (obj) => {
      seen.push(obj.metadata.name!);
      return obj.metadata.labels?.static === 'true' ? {} : undefined;
    };
    const h = harness([ready], { intercept });
    h.client.seed({ ...widget({ finalizer: false }), metadata: { ...widget({ finalizer: false }).metadata, labels: { static: 'true' } } });
    assert.deepEqual(await reconcileWithSkeleton(h.skeleton, req, context()), {});
    assert.deepEqual(seen, ['w']);
    assert.equal(h.runs.length, 0);
    assert.equal(h.stored()?.metadata.finalizers, undefined);
    const other = harness([ready], { intercept });
    other.client.seed(widget({ finalizer: false }));
    assert.deepEqual(await reconcileWithSkeleton(other.skeleton, req, context()), { requeue: true });
  });
});
