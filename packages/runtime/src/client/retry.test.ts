// SPDX-License-Identifier: Apache-2.0
/**
 * The transport's retries against a loopback HTTP server that answers from a script: 429 with
 * and without `Retry-After`, 503/504 to reads, applies and writes, the retry bound, watches, and
 * aborts. The clock records the waits instead of sleeping.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock, Timer } from '../clock/index.ts';
import { DynamicClient } from './dynamic-client.ts';
import { ApiError } from './errors.ts';
import { LoadedKubeconfig } from './kubeconfig.ts';
import { retryAfterSeconds, retryDelayMs } from './retry.ts';
import { Transport, type HttpRequest, type TransportOptions } from './transport.ts';

/** A clock whose `sleep` records the wait, moves time and returns at once (or rejects when aborted). */
class RecordingClock implements Clock {
  readonly waits: number[] = [];
  /** Called as a wait starts (before the signal is looked at). */
  onSleep: () => void = () => undefined;
  private t = Date.parse('2026-01-01T00:00:00Z');
  now(): number {
    return this.t;
  }
  setTimer(): Timer {
    return { cancel: () => undefined };
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.waits.push(ms);
    this.t += ms;
    this.onSleep();
    return signal?.aborted ? Promise.reject(signal.reason) : Promise.resolve();
  }
}

/** One scripted answer: status, headers; after the script runs out every answer is 200. */
type Answer = [status: number, headers?: Record<string, string>];

describe('Transport retries', () => {
  let server: http.Server;
  let url: string;
  let script: Answer[] = [];
  const seen: string[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.url === '/api/v1') {
          // Discovery of the core group for the dynamic client; not part of the script.
          const resources = [{ name: 'configmaps', singularName: 'configmap', namespaced: true, kind: 'ConfigMap', verbs: ['get', 'list'] }];
          res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ kind: 'APIResourceList', groupVersion: 'v1', resources }));
          return;
        }
        seen.push(`${req.method} ${req.url} ${body}`.trim());
        const [status, headers] = script.shift() ?? [200];
        const payload = status === 200 ? { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'cm', namespace: 'ns' } } : { kind: 'Status', code: status, reason: 'TooManyRequests', message: `answer ${status}` };
        res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(payload));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => {
    script = [];
    seen.length = 0;
  });

  function transport(opts: Omit<TransportOptions, 'kubeconfig' | 'clock'> = {}): { t: Transport; clock: RecordingClock } {
    const clock = new RecordingClock();
    const kubeconfig = new LoadedKubeconfig({
      clusters: [{ name: 'c', server: url, skipTLSVerify: false }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    return { t: new Transport({ kubeconfig, clock, ...opts }), clock };
  }

  it('retries a 429 after the seconds Retry-After asks, then returns the 200', async () => {
    const { t, clock } = transport();
    script = [[429, { 'Retry-After': '3' }], [429, { 'Retry-After': '1' }]];
    const res = await t.request({ method: 'GET', path: '/api/v1/namespaces/ns/configmaps/cm' });
    assert.equal(res.status, 200);
    assert.equal(seen.length, 3);
    assert.deepEqual(clock.waits, [3000, 1000]);
    t.close();
  });

  it('retries a 429 for every verb, resending the same body, and backs off without Retry-After', async () => {
    const { t, clock } = transport();
    script = [[429], [429]];
    const res = await t.request({ method: 'POST', path: '/api/v1/namespaces/ns/configmaps', body: '{"a":1}' });
    assert.equal(res.status, 200);
    assert.deepEqual(seen, Array(3).fill('POST /api/v1/namespaces/ns/configmaps {"a":1}'));
    assert.deepEqual(clock.waits, [500, 1000]);
    t.close();
  });

  it('caps a long Retry-After', async () => {
    const { t, clock } = transport({ retry: { maxWaitMs: 5000 } });
    script = [[429, { 'Retry-After': '3600' }]];
    assert.equal((await t.request({ method: 'GET', path: '/api' })).status, 200);
    assert.deepEqual(clock.waits, [5000]);
    t.close();
  });

  it('retries 503 and 504 without Retry-After for reads and server-side applies only', async () => {
    const { t, clock } = transport();
    script = [[503], [504]];
    assert.equal((await t.request({ method: 'GET', path: '/api/v1/configmaps' })).status, 200);
    assert.deepEqual(clock.waits, [500, 1000]);
    script = [[503]];
    const apply = { method: 'PATCH' as const, path: '/api/v1/namespaces/ns/configmaps/cm', body: '{}', contentType: 'application/apply-patch+yaml' };
    assert.equal((await t.request(apply)).status, 200);
    const writes: HttpRequest[] = [
      { method: 'POST' as const, path: '/api/v1/namespaces/ns/configmaps', body: '{}' },
      { method: 'PUT' as const, path: '/api/v1/namespaces/ns/configmaps/cm', body: '{}' },
      { ...apply, contentType: 'application/json-patch+json' },
      { method: 'DELETE' as const, path: '/api/v1/namespaces/ns/configmaps/cm' },
    ];
    for (const req of writes) {
      script = [[503]];
      assert.equal((await t.request(req)).status, 503, `${req.method} ${req.contentType ?? ''}`);
    }
    assert.equal(seen.length, 3 + 2 + 4);
    t.close();
  });

  it('retries any 5xx that carries Retry-After, for every verb (the server did not process it)', async () => {
    const { t, clock } = transport();
    script = [[500, { 'Retry-After': '2' }]];
    assert.equal((await t.request({ method: 'DELETE', path: '/api/v1/namespaces/ns/configmaps/cm' })).status, 200);
    assert.deepEqual(clock.waits, [2000]);
    script = [[500]];
    assert.equal((await t.request({ method: 'GET', path: '/api' })).status, 500);
    t.close();
  });

  it('retries through the dynamic client: a throttled GET returns the object', async () => {
    const { t, clock } = transport();
    const client = new DynamicClient({ transport: t });
    script = [[429, { 'Retry-After': '1' }], [503]];
    const cm = await client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', name: 'cm' });
    assert.equal(cm?.metadata.name, 'cm');
    assert.deepEqual(seen, Array(3).fill('GET /api/v1/namespaces/ns/configmaps/cm'));
    assert.deepEqual(clock.waits, [1000, 1000]);
    t.close();
  });

  it('gives up after maxRetries retries and hands the last answer to the client as an ApiError', async () => {
    const { t, clock } = transport();
    script = Array.from({ length: 20 }, (): Answer => [429, { 'Retry-After': '1' }]);
    const client = new DynamicClient({ transport: t });
    const err = await client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', name: 'cm' }).catch((e: unknown) => e);
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.code, 429);
    // One attempt and client-go's ten retries.
    assert.equal(seen.length, 11);
    assert.equal(clock.waits.length, 10);
    t.close();
  });

  it('retries a watch whose opening is throttled', async () => {
    const { t, clock } = transport();
    script = [[429, { 'Retry-After': '1' }]];
    const res = await t.stream({ method: 'GET', path: '/api/v1/configmaps', query: { watch: 'true' } });
    assert.equal(res.statusCode, 200);
    res.resume();
    assert.deepEqual(clock.waits, [1000]);
    t.close();
  });

  it('stops waiting, and sends no more, when the request is aborted during the wait', async () => {
    const { t, clock } = transport();
    const ac = new AbortController();
    clock.onSleep = () => ac.abort(new Error('shutting down'));
    script = [[429, { 'Retry-After': '1' }]];
    await assert.rejects(t.request({ method: 'GET', path: '/api', signal: ac.signal }), /shutting down/);
    assert.equal(seen.length, 1);
    t.close();
  });

  it('sends once when retries are off', async () => {
    const { t, clock } = transport({ retry: false });
    script = [[429, { 'Retry-After': '1' }]];
    assert.equal((await t.request({ method: 'GET', path: '/api' })).status, 429);
    assert.deepEqual(clock.waits, []);
    t.close();
  });
});

describe('retryDelayMs', () => {
  it('reads Retry-After as whole seconds only', () => {
    assert.equal(retryAfterSeconds('7'), 7);
    assert.equal(retryAfterSeconds(['2', '9']), 2);
    assert.equal(retryAfterSeconds('Wed, 21 Oct 2026 07:28:00 GMT'), undefined);
    assert.equal(retryAfterSeconds('-1'), undefined);
    assert.equal(retryAfterSeconds(undefined), undefined);
  });

  it('leaves non-retryable answers and spent budgets alone', () => {
    const get = { method: 'GET' };
    assert.equal(retryDelayMs(get, 404, '1', 1), undefined);
    assert.equal(retryDelayMs(get, 409, undefined, 1), undefined);
    assert.equal(retryDelayMs(get, 429, '1', 10), 1000);
    assert.equal(retryDelayMs(get, 429, '1', 11), undefined);
    assert.equal(retryDelayMs(get, 503, undefined, 20), undefined);
    assert.equal(retryDelayMs(get, 503, undefined, 9), 5000);
  });
});
