// SPDX-License-Identifier: Apache-2.0
/**
 * EventRecorder against a real apiserver (events.k8s.io/v1 validation: action, reportingInstance,
 * note length, series updates) and a loopback HTTP receiver standing in for `--events-addr`.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { randomNamespaceName, useControlPlane } from '@eddy/testenv';
import type { Clock } from '../clock/index.ts';
import { DynamicClient } from '../client/dynamic-client.ts';
import type { KubeObject } from '../client/types.ts';
import { EventRecorder } from './recorder.ts';
import { eventMetadata, type FluxEvent } from './types.ts';

/** Wall clock with ref'd timers (the runtime clock unrefs them; a test file has no other live handle). */
const testClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

describe('EventRecorder against a real apiserver', () => {
  let client: DynamicClient;
  let server: Server;
  let address = '';
  const received: FluxEvent[] = [];
  let answer = 202;
  const ns = randomNamespaceName('events');
  let subject: KubeObject;

  before(async () => {
    const cp = await useControlPlane();
    client = new DynamicClient({ kubeconfig: cp.kubeconfigPath });
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    subject = await client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'subject', namespace: ns }, data: {} });
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body) as FluxEvent);
        res.writeHead(answer).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    address = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(async () => {
    await client.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
    client.close();
    await new Promise((r) => server.close(r));
  });

  const listEvents = async (): Promise<KubeObject[]> =>
    (await client.list('events.k8s.io/v1', 'Event', { namespace: ns })).items.filter((e) => (e['regarding'] as { name?: string }).name === 'subject');

  it('creates valid Events, counts repeats as a series, and forwards Flux events', async () => {
    const errors: string[] = [];
    const recorder = new EventRecorder({
      reportingController: 'source-controller',
      client,
      webhook: address,
      hostname: 'source-controller-7d9f',
      clock: testClock,
      log: { error: (m, meta) => errors.push(`${m} ${JSON.stringify(meta)}`) },
    });
    const annotations = eventMetadata('source.toolkit.fluxcd.io', { revision: 'main@sha1:0123456789abcdef0123456789abcdef01234567' });
    recorder.event(subject, 'Normal', 'NewArtifact', 'stored artifact for commit', { annotations });
    recorder.event(subject, 'Normal', 'NewArtifact', 'stored artifact for commit', { annotations });
    recorder.event(subject, 'Warning', 'BuildFailed', 'x'.repeat(4000));
    recorder.event(subject, 'Trace', 'Progressing', 'cloning');
    await recorder.stop();
    assert.deepEqual(errors, []);

    const events = await listEvents();
    const byReason = new Map(events.map((e) => [e['reason'] as string, e]));
    assert.equal(events.length, 3);
    const artifact = byReason.get('NewArtifact')!;
    assert.equal(artifact['reportingController'], 'source-controller');
    assert.equal(artifact['reportingInstance'], 'source-controller-source-controller-7d9f');
    assert.equal(artifact['action'], 'NewArtifact');
    assert.deepEqual((artifact['series'] as { count: number }).count, 2);
    assert.equal(artifact.metadata.annotations?.['source.toolkit.fluxcd.io/revision'], annotations['source.toolkit.fluxcd.io/revision']);
    assert.equal(Buffer.byteLength(byReason.get('BuildFailed')!['note'] as string), 1024);
    assert.equal(byReason.get('Progressing')!['type'], 'Normal');

    assert.deepEqual(
      received.map((e) => [e.severity, e.reason, e.reportingInstance, e.involvedObject.kind, e.involvedObject.name]),
      [
        ['info', 'NewArtifact', 'source-controller-7d9f', 'ConfigMap', 'subject'],
        ['info', 'NewArtifact', 'source-controller-7d9f', 'ConfigMap', 'subject'],
        ['error', 'BuildFailed', 'source-controller-7d9f', 'ConfigMap', 'subject'],
      ],
    );
    assert.equal(received[2]?.message.length, 4000);
    assert.match(received[0]?.timestamp ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('logs, and does not throw, when the receiver rejects events', async () => {
    answer = 400;
    const errors: string[] = [];
    const recorder = new EventRecorder({
      reportingController: 'source-controller',
      webhook: address,
      clock: testClock,
      log: { error: (m) => errors.push(m) },
    });
    recorder.event(subject, 'Warning', 'Failed', 'rejected');
    await recorder.stop();
    assert.deepEqual(errors, ['unable to record event']);
  });
});
