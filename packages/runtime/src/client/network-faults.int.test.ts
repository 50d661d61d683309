// SPDX-License-Identifier: Apache-2.0
/**
 * Network faults no apiserver produces on demand: a peer that accepts connections and never
 * answers. client-node's informer hangs forever there; our transport gives up after the request
 * timeout, for plain requests and for watches alike.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { Transport } from './transport.ts';

describe('Transport against a silent peer', () => {
  let server: net.Server;
  const sockets = new Set<net.Socket>();
  let transport: Transport;

  before(async () => {
    server = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'silent', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'secret-token' }],
      contexts: [{ name: 'c', cluster: 'silent', user: 'u' }],
      currentContext: 'c',
    });
    transport = new Transport({ kubeconfig: kc, requestTimeoutMs: 300 });
  });
  after(async () => {
    transport.close();
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });

  it('times out a request that gets no answer', async () => {
    const t0 = Date.now();
    await assert.rejects(transport.request({ method: 'GET', path: '/api/v1/namespaces' }), /no answer within 300ms/);
    assert.ok(Date.now() - t0 < 5_000);
  });

  it('times out a watch whose response headers never come', async () => {
    await assert.rejects(transport.stream({ method: 'GET', path: '/api/v1/configmaps', query: { watch: 'true' } }), /no answer within 300ms/);
  });

  it('aborts a pending watch when its signal aborts', async () => {
    const ac = new AbortController();
    const p = transport.stream({ method: 'GET', path: '/api/v1/configmaps', query: { watch: 'true' }, signal: ac.signal, timeoutMs: 0 });
    ac.abort();
    await assert.rejects(p, (e: unknown) => (e as Error).name === 'AbortError');
  });
});
