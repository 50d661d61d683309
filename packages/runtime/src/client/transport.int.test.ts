// SPDX-License-Identifier: Apache-2.0
/**
 * The kubeconfig features a loopback HTTP server cannot check, against the real apiserver: TLS
 * verification with `tls-server-name`, `CONNECT` tunnels through `proxy-url`, and in-cluster
 * config with a service account token file that rotates.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useControlPlane, type ControlPlaneConnection } from '@eddy/testenv';
import { LoadedKubeconfig, inClusterKubeconfig, loadKubeConfig } from './kubeconfig.ts';
import { Transport } from './transport.ts';

describe('Transport against a real apiserver', () => {
  let cp: ControlPlaneConnection;
  let dir: string;
  let proxy: net.Server;
  let proxyUrl: string;
  const tunnels: string[] = [];
  const sockets = new Set<net.Socket>();

  before(async () => {
    cp = await useControlPlane();
    dir = mkdtempSync(join(tmpdir(), 'eddy-transport-int-'));
    const server = http.createServer((_req, res) => res.writeHead(405).end());
    server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
      const [host, port] = [(req.url ?? '').replace(/:\d+$/, ''), Number((req.url ?? '').split(':').pop())];
      const upstream = net.connect(port, host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => sockets.delete(s));
      }
    });
    proxy = server;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    proxyUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => proxy.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  const withCluster = (patch: Record<string, unknown>): LoadedKubeconfig => {
    const kc = loadKubeConfig(cp.kubeconfigPath);
    const cluster = kc.getCurrentCluster()!;
    return new LoadedKubeconfig({ ...kc, clusters: [{ ...cluster, ...patch }] });
  };

  async function version(t: Transport): Promise<number> {
    try {
      return (await t.request({ method: 'GET', path: '/version' })).status;
    } finally {
      t.close();
    }
  }

  it('checks the serving certificate against tls-server-name', async () => {
    assert.equal(await version(new Transport({ kubeconfig: withCluster({ tlsServerName: 'kubernetes' }) })), 200);
    await assert.rejects(version(new Transport({ kubeconfig: withCluster({ tlsServerName: 'wrong.example' }) })), /wrong\.example/);
  });

  it('tunnels through an http proxy-url', async () => {
    const n = tunnels.length;
    assert.equal(await version(new Transport({ kubeconfig: withCluster({ proxyUrl }) })), 200);
    assert.deepEqual(tunnels.slice(n), [new URL(cp.server).host]);
  });

  it('reports a proxy that refuses the tunnel', async () => {
    const refusing = await new Promise<number>((resolve) => {
      const s = net.createServer((c) => c.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n'));
      s.listen(0, '127.0.0.1', () => {
        const port = (s.address() as AddressInfo).port;
        s.unref();
        resolve(port);
      });
    });
    await assert.rejects(version(new Transport({ kubeconfig: withCluster({ proxyUrl: `http://127.0.0.1:${refusing}` }) })), /refused CONNECT .*403/);
  });

  it('runs in-cluster with a rotating service account token', async () => {
    const sa = join(dir, 'serviceaccount');
    mkdirSync(sa, { recursive: true });
    copyFileSync(cp.caFile, join(sa, 'ca.crt'));
    writeFileSync(join(sa, 'token'), 'expired-token\n');
    writeFileSync(join(sa, 'namespace'), 'default');
    const url = new URL(cp.server);
    const kc = inClusterKubeconfig({ env: { KUBERNETES_SERVICE_HOST: url.hostname, KUBERNETES_SERVICE_PORT: url.port }, serviceAccountDir: sa });
    assert.ok(kc);
    const t = new Transport({ kubeconfig: kc, authTtlMs: 60_000 });
    try {
      assert.equal((await t.request({ method: 'GET', path: '/api/v1/namespaces/default' })).status, 401);
      // The kubelet rotates the token; the next 401 re-reads the file at once.
      writeFileSync(join(sa, 'token'), `${cp.token}\n`);
      assert.equal((await t.request({ method: 'GET', path: '/api/v1/namespaces/default' })).status, 200);
    } finally {
      t.close();
    }
  });
});
