// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../clock/index.ts';
import type { KubeObject } from '../client/types.ts';
import { FakeApiError, FakeKubeClient } from '../patch/fake-client.ts';
import { EventRecorder, type EventRecorderOptions } from './recorder.ts';
import { eventMetadata, type EventLogger, type EventSubject, type FluxEvent } from './types.ts';

const START = Date.parse('2026-01-01T00:00:00Z');
const repo: EventSubject = {
  apiVersion: 'source.toolkit.fluxcd.io/v1',
  kind: 'GitRepository',
  metadata: { name: 'podinfo', namespace: 'flux-system', uid: 'u-1', resourceVersion: '7', annotations: { 'event.toolkit.fluxcd.io/team': 'a', other: 'x' } },
};

interface Harness {
  client: FakeKubeClient;
  clock: FakeClock;
  posts: FluxEvent[];
  errors: string[];
  recorder: EventRecorder;
  events: () => KubeObject[];
}

function harness(opts: Partial<EventRecorderOptions> = {}, answers: Array<number | Error> = []): Harness {
  const client = new FakeKubeClient();
  const clock = new FakeClock(START);
  const posts: FluxEvent[] = [];
  const errors: string[] = [];
  const log: EventLogger = { error: (m, meta) => errors.push(`${m} ${JSON.stringify(meta ?? {})}`) };
  const fetchFn = (async (_url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    posts.push(JSON.parse(String(init?.body)) as FluxEvent);
    const a = answers.shift() ?? 202;
    if (a instanceof Error) throw a;
    return new Response(null, { status: a });
  }) as typeof fetch;
  const recorder = new EventRecorder({
    reportingController: 'source-controller',
    client,
    webhook: 'http://notification-controller.flux-system.svc.cluster.local./',
    hostname: 'source-controller-abc',
    clock,
    log,
    fetch: fetchFn,
    ...opts,
  });
  const events = (): KubeObject[] => client.calls.filter((c) => c.verb === 'create').map((c) => c.body as KubeObject);
  return { client, clock, posts, errors, recorder, events };
}

describe('EventRecorder', () => {
  it('writes an events.k8s.io/v1 Event and forwards a Flux event', async () => {
    const h = harness();
    h.recorder.event(repo, 'Normal', 'NewArtifact', 'stored artifact', {
      annotations: eventMetadata('source.toolkit.fluxcd.io', { revision: 'main@sha1:abc', digest: '' }),
    });
    await h.recorder.idle();
    const [ev] = h.events();
    assert.deepEqual(ev, {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: {
        name: `podinfo.${(BigInt(START) * 1_000_000n).toString(16)}`,
        namespace: 'flux-system',
        annotations: { 'source.toolkit.fluxcd.io/revision': 'main@sha1:abc', 'event.toolkit.fluxcd.io/team': 'a' },
      },
      eventTime: '2026-01-01T00:00:00.000000Z',
      reportingController: 'source-controller',
      reportingInstance: 'source-controller-source-controller-abc',
      action: 'NewArtifact',
      reason: 'NewArtifact',
      regarding: { kind: 'GitRepository', namespace: 'flux-system', name: 'podinfo', uid: 'u-1', apiVersion: 'source.toolkit.fluxcd.io/v1', resourceVersion: '7' },
      note: 'stored artifact',
      type: 'Normal',
    });
    assert.deepEqual(h.posts, [
      {
        involvedObject: { kind: 'GitRepository', namespace: 'flux-system', name: 'podinfo', uid: 'u-1', apiVersion: 'source.toolkit.fluxcd.io/v1', resourceVersion: '7' },
        severity: 'info',
        timestamp: '2026-01-01T00:00:00Z',
        message: 'stored artifact',
        reason: 'NewArtifact',
        metadata: { 'source.toolkit.fluxcd.io/revision': 'main@sha1:abc', 'event.toolkit.fluxcd.io/team': 'a' },
        reportingController: 'source-controller',
        reportingInstance: 'source-controller-abc',
      },
    ]);
  });

  const typeCases: Array<{ name: string; type: 'Normal' | 'Warning' | 'Trace'; wantKube: string; wantSeverity?: string }> = [
    { name: 'Warning is severity error', type: 'Warning', wantKube: 'Warning', wantSeverity: 'error' },
    { name: 'Normal is severity info', type: 'Normal', wantKube: 'Normal', wantSeverity: 'info' },
    { name: 'Trace is a Normal Kubernetes event and not forwarded', type: 'Trace', wantKube: 'Normal' },
  ];
  for (const tc of typeCases) {
    it(tc.name, async () => {
      const h = harness();
      h.recorder.event(repo, tc.type, 'R', 'm');
      await h.recorder.idle();
      assert.equal(h.events()[0]?.['type'], tc.wantKube);
      assert.deepEqual(h.posts.map((p) => p.severity), tc.wantSeverity ? [tc.wantSeverity] : []);
    });
  }

  it('counts identical events into a series and coalesces later repeats', async () => {
    const h = harness({ seriesFlushMs: 30_000 });
    for (let i = 0; i < 4; i++) {
      h.recorder.event(repo, 'Warning', 'GitOperationFailed', 'auth failed');
      await h.clock.advance(1000);
    }
    await h.recorder.idle();
    const patches = (): unknown[] => h.client.calls.filter((c) => c.verb === 'patch').map((c) => c.body);
    assert.equal(h.events().length, 1);
    assert.deepEqual(patches(), [{ series: { count: 2, lastObservedTime: '2026-01-01T00:00:01.000000Z' } }]);
    await h.clock.advance(30_000);
    await h.recorder.idle();
    assert.deepEqual(patches()[1], { series: { count: 4, lastObservedTime: '2026-01-01T00:00:03.000000Z' } });
    assert.equal(h.posts.length, 4, 'every occurrence is forwarded; notification-controller dedupes');
  });

  it('starts a new Event once a series has finished', async () => {
    const h = harness();
    h.recorder.event(repo, 'Normal', 'R', 'same');
    await h.clock.advance(7 * 60_000);
    h.recorder.event(repo, 'Normal', 'R', 'same');
    await h.recorder.idle();
    assert.equal(h.events().length, 2);
  });

  it('treats a different message as a different event', async () => {
    const h = harness();
    h.recorder.event(repo, 'Normal', 'R', 'one');
    h.recorder.event(repo, 'Normal', 'R', 'two');
    await h.recorder.idle();
    assert.equal(h.events().length, 2);
  });

  it('re-creates a series Event that was deleted', async () => {
    const h = harness();
    h.recorder.event(repo, 'Normal', 'R', 'm');
    await h.recorder.idle();
    const [first] = h.events();
    await h.client.delete({ apiVersion: 'events.k8s.io/v1', kind: 'Event', namespace: 'flux-system', name: first!.metadata.name! });
    h.recorder.event(repo, 'Normal', 'R', 'm');
    await h.recorder.idle();
    assert.equal(h.events().length, 2);
    assert.deepEqual(h.events()[1]?.['series'], { count: 2, lastObservedTime: '2026-01-01T00:00:00.000000Z' });
  });

  it('rate-limits a flood with a token bucket (burst 25, one per 5 minutes)', async () => {
    const h = harness({ seriesFinishMs: 0 });
    for (let i = 0; i < 30; i++) {
      h.recorder.event(repo, 'Normal', 'R', 'flood');
      await h.clock.advance(1);
    }
    await h.recorder.idle();
    assert.equal(h.events().length, 25);
    await h.clock.advance(300_000);
    h.recorder.event(repo, 'Normal', 'R', 'flood');
    h.recorder.event(repo, 'Normal', 'R', 'flood');
    await h.recorder.idle();
    assert.equal(h.events().length, 26);
  });

  it('cuts the Kubernetes note to 1024 bytes but forwards the full message', async () => {
    const h = harness();
    const long = 'x'.repeat(5000);
    h.recorder.event(repo, 'Warning', 'BuildFailed', long);
    await h.recorder.idle();
    const note = h.events()[0]?.['note'] as string;
    assert.equal(Buffer.byteLength(note), 1024);
    assert.ok(note.endsWith('...'));
    assert.equal(h.posts[0]?.message, long);
  });

  it('puts events about cluster-scoped objects in default and does not forward them', async () => {
    const h = harness();
    h.recorder.event({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } }, 'Normal', 'R', 'm');
    await h.recorder.idle();
    assert.equal(h.events()[0]?.metadata.namespace, 'default');
    assert.equal(h.posts.length, 0);
    assert.match(h.errors[0] ?? '', /failed to get object namespace/);
  });

  it('never blocks the caller, and drops events when the queue is full', async () => {
    const h = harness({ maxQueued: 2, webhook: undefined });
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const create = h.client.create.bind(h.client);
    h.client.create = async (obj, o) => {
      await gate;
      return create(obj, o);
    };
    for (let i = 0; i < 4; i++) h.recorder.event(repo, 'Normal', 'R', `m${i}`);
    assert.deepEqual(
      h.errors.map((e) => e.split(' {')[0]),
      ['event queue full, dropping Kubernetes event'],
      'the 4th event is dropped (1 being written + 2 queued)',
    );
    release();
    await h.recorder.idle();
    assert.equal(h.events().length, 3);
  });

  it('logs, and does not throw, when the apiserver rejects an event', async () => {
    const h = harness();
    h.client.beforeWrite = () => {
      throw new FakeApiError(422, 'Invalid', 'bad event');
    };
    h.recorder.event(repo, 'Normal', 'R', 'm');
    await h.recorder.idle();
    assert.match(h.errors.join('\n'), /unable to write Kubernetes event.*bad event/);
  });

  it('stop writes pending series counts', async () => {
    const h = harness();
    for (let i = 0; i < 3; i++) h.recorder.event(repo, 'Normal', 'R', 'm');
    await h.recorder.stop();
    const last = h.client.calls.filter((c) => c.verb === 'patch').at(-1)?.body;
    assert.deepEqual(last, { series: { count: 3, lastObservedTime: '2026-01-01T00:00:00.000000Z' } });
    h.recorder.event(repo, 'Normal', 'R', 'after stop');
    await h.recorder.idle();
    assert.equal(h.events().length, 1);
  });

  it('rejects an invalid events address', () => {
    assert.throws(() => harness({ webhook: 'not a url' }), TypeError);
  });
});

describe('webhook forwarding', () => {
  const cases: Array<{ name: string; answers: Array<number | Error>; wantPosts: number; wantLogged: boolean }> = [
    { name: 'delivered', answers: [200], wantPosts: 1, wantLogged: false },
    { name: '429 is a duplicate: not retried, not an error', answers: [429], wantPosts: 1, wantLogged: false },
    { name: '503 then success', answers: [503, 202], wantPosts: 2, wantLogged: false },
    { name: 'connection refused then success', answers: [new TypeError('fetch failed'), 200], wantPosts: 2, wantLogged: false },
    { name: '400 is not retried and is logged', answers: [400], wantPosts: 1, wantLogged: true },
    { name: '501 is not retried', answers: [501], wantPosts: 1, wantLogged: true },
    { name: 'gives up after 4 retries', answers: [500, 500, 500, 500, 500, 500], wantPosts: 5, wantLogged: true },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      const h = harness({ client: undefined }, [...tc.answers]);
      h.recorder.event(repo, 'Warning', 'Failed', 'boom');
      for (let i = 0; i < 6; i++) await h.clock.advance(16_000);
      await h.recorder.idle();
      assert.equal(h.posts.length, tc.wantPosts);
      assert.equal(h.errors.some((e) => e.startsWith('unable to record event')), tc.wantLogged, h.errors.join('\n'));
    });
  }

  it('waits 1s, 2s, 4s and 8s between attempts', async () => {
    const h = harness({ client: undefined }, [500, 500, 500, 500, 500]);
    h.recorder.event(repo, 'Warning', 'Failed', 'boom');
    const seen: number[] = [];
    for (let t = 0; t <= 16_000; t += 500) {
      await h.clock.advance(t === 0 ? 0 : 500);
      if (h.posts.length > seen.length) seen.push(t);
    }
    assert.deepEqual(seen, [0, 1000, 3000, 7000, 15000]);
  });
});
