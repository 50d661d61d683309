// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../clock/index.ts';
import { waitForObjects, waitSubject, type WaitObjectRef, type WaitOutcome } from './index.ts';

type Obj = Record<string, unknown>;
const deploy = (ready: boolean): Obj => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'apps', generation: 1 },
  spec: { replicas: 1 },
  status: ready
    ? { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1, conditions: [{ type: 'Available', status: 'True' }] }
    : { observedGeneration: 1, replicas: 1, updatedReplicas: 0 },
});
const web: WaitObjectRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'apps' };
const cm: WaitObjectRef = { apiVersion: 'v1', kind: 'ConfigMap', name: 'cfg', namespace: 'apps' };

/** Live objects the test changes over time, keyed by subject. */
function store(initial: Record<string, Obj | undefined>): { read: (r: WaitObjectRef) => Promise<Obj | undefined>; state: Record<string, Obj | undefined>; reads: number } {
  const s = { state: { ...initial }, reads: 0, read: async (r: WaitObjectRef) => (s.reads++, s.state[waitSubject(r)]) };
  return s;
}

async function drive(clock: FakeClock, p: Promise<WaitOutcome>, stepMs = 1000, steps = 200): Promise<WaitOutcome> {
  let done = false;
  void p.finally(() => (done = true));
  for (let i = 0; i < steps && !done; i++) await clock.advance(stepMs);
  return p;
}

describe('waitForObjects', () => {
  it('returns Current once every object is Current', async () => {
    const s = store({ 'Deployment/apps/web': deploy(false) });
    const clock = new FakeClock();
    const p = waitForObjects([web], s.read, { timeoutMs: 60_000, intervalMs: 5000, clock });
    await clock.advance(5000);
    s.state['Deployment/apps/web'] = deploy(true);
    const out = await drive(clock, p);
    assert.equal(out.result, 'Current');
    assert.ok(s.reads >= 2);
  });

  it('times out listing what is not Current, with messages when verbose', async () => {
    const s = store({ 'Deployment/apps/web': deploy(false) });
    const clock = new FakeClock();
    const out = await drive(clock, waitForObjects([web, cm], s.read, { timeoutMs: 20_000, clock }));
    assert.equal(out.result, 'Timeout');
    assert.equal(out.result === 'Timeout' && out.message, "timeout waiting for: [Deployment/apps/web status: 'InProgress', ConfigMap/apps/cfg status: 'NotFound']");
    const verbose = await drive(clock, waitForObjects([cm], s.read, { timeoutMs: 1000, clock, verbose: true }));
    assert.equal(verbose.result === 'Timeout' && verbose.message, "timeout waiting for: [ConfigMap/apps/cfg status: 'NotFound': Resource not found]");
  });

  it('uses a custom status first and fails fast on Failed', async () => {
    const s = store({ 'ConfigMap/apps/cfg': { apiVersion: 'v1', kind: 'ConfigMap', data: { state: 'broken' } }, 'Deployment/apps/web': deploy(true) });
    const clock = new FakeClock();
    const out = await waitForObjects([web, cm], s.read, {
      timeoutMs: 60_000,
      clock,
      failFast: true,
      verbose: true,
      statusOf: (ref, live) => (ref.kind === 'ConfigMap' ? { status: (live as { data: { state: string } }).data.state === 'ok' ? 'Current' : 'Failed', message: 'custom', conditions: [] } : undefined),
    });
    assert.deepEqual(out, {
      result: 'Failed',
      message: "failed early due to stalled resources: [ConfigMap/apps/cfg status: 'Failed': custom]",
      statuses: [
        { subject: 'Deployment/apps/web', status: 'Current', message: 'Deployment is available. Replicas: 1' },
        { subject: 'ConfigMap/apps/cfg', status: 'Failed', message: 'custom' },
      ],
    });
  });

  it('reports read errors as Unknown and keeps polling', async () => {
    let calls = 0;
    const clock = new FakeClock();
    const p = waitForObjects([cm], async () => {
      if (calls++ === 0) throw new Error('connection refused');
      return { apiVersion: 'v1', kind: 'ConfigMap' };
    }, { timeoutMs: 60_000, intervalMs: 1000, clock });
    const out = await drive(clock, p);
    assert.equal(out.result, 'Current');
    assert.equal(calls, 2);
    const failing = await drive(clock, waitForObjects([cm], async () => Promise.reject(new Error('boom')), { timeoutMs: 2000, intervalMs: 1000, clock }));
    assert.equal(failing.result === 'Timeout' && failing.message, "timeout waiting for: [ConfigMap/apps/cfg status: 'Unknown': boom]");
  });

  it('stops when cancelled', async () => {
    const s = store({ 'Deployment/apps/web': deploy(false) });
    const clock = new FakeClock();
    const ac = new AbortController();
    const p = waitForObjects([web], s.read, { timeoutMs: 60_000, clock, signal: ac.signal });
    await clock.advance(1000);
    ac.abort();
    assert.equal((await p).result, 'Canceled');
  });

  it('hands the caller\'s own refs to the reader and the custom status', async () => {
    type Built = WaitObjectRef & { id: string };
    const built: Built[] = [{ ...cm, id: 'apps_cfg__ConfigMap' }];
    const seen: string[] = [];
    const out = await waitForObjects(built, async (ref) => (seen.push(ref.id), undefined), {
      timeoutMs: 1000,
      clock: new FakeClock(),
      statusOf: (ref, live) => (live === undefined && ref.id === 'apps_cfg__ConfigMap' ? { status: 'Current', message: 'gone is fine', conditions: [] } : undefined),
    });
    assert.deepEqual(out, { result: 'Current', statuses: [{ subject: 'ConfigMap/apps/cfg', status: 'Current', message: 'gone is fine' }] });
    assert.deepEqual(seen, ['apps_cfg__ConfigMap']);
  });
});
