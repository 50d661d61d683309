// SPDX-License-Identifier: Apache-2.0
/**
 * The registry fetch through proxies from the environment, against loopback servers: a forward
 * proxy that relays plain-HTTP requests and opens `CONNECT` tunnels to 127.0.0.1 whatever host
 * they name, so `registry.test` (a name that never resolves) is reachable only through it.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createFetch } from './transport.ts';

describe('createFetch through an environment proxy', () => {
  let registry: http.Server;
  let registryPort: number;
  let proxy: http.Server;
  let proxyPort: number;
  let tlsSink: net.Server;
  let tlsSinkPort: number;
  const relayed: Array<{ url: string; auth: string | undefined }> = [];
  const tunnels: Array<{ authority: string; auth: string | undefined }> = [];
  let clientHello: Buffer | undefined;
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket): void => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  };

  const listen = async <S extends net.Server>(s: S): Promise<number> => {
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return (s.address() as AddressInfo).port;
  };

  before(async () => {
    registry = http.createServer((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url, host: req.headers.host })));
    registryPort = await listen(registry);
    // Stands in for an https registry: records the first bytes the client sends through the tunnel.
    tlsSink = net.createServer((s) => {
      track(s);
      s.once('data', (b: Buffer) => {
        clientHello = b;
        s.destroy();
      });
    });
    tlsSinkPort = await listen(tlsSink);
    proxy = http.createServer((req, res) => {
      relayed.push({ url: req.url ?? '', auth: req.headers['proxy-authorization'] });
      const target = new URL(req.url ?? '');
      const up = http.request({ host: '127.0.0.1', port: target.port, path: target.pathname, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      req.pipe(up);
    });
    proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      track(client);
      tunnels.push({ authority: req.url ?? '', auth: req.headers['proxy-authorization'] });
      const upstream = net.connect(tlsSinkPort, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      track(upstream);
    });
    proxyPort = await listen(proxy);
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    proxy.closeAllConnections();
    registry.closeAllConnections();
    await Promise.all([proxy, registry, tlsSink].map((s) => new Promise((r) => s.close(r))));
  });
  beforeEach(() => {
    relayed.length = 0;
    tunnels.length = 0;
    clientHello = undefined;
  });

  it('sends plain-HTTP requests to the proxy in absolute form, with Proxy-Authorization', async () => {
    const fetch = createFetch({ proxyEnv: { http_proxy: `http://eddy:s%3Acret@127.0.0.1:${proxyPort}` } });
    const res = await fetch(`http://registry.test:${registryPort}/v2/`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { path: '/v2/', host: `registry.test:${registryPort}` });
    assert.deepEqual(relayed, [{ url: `http://registry.test:${registryPort}/v2/`, auth: `Basic ${Buffer.from('eddy:s:cret').toString('base64')}` }]);
  });

  it('opens a CONNECT tunnel for https and speaks TLS to the registry inside it', async () => {
    const fetch = createFetch({ proxyEnv: { HTTPS_PROXY: `127.0.0.1:${proxyPort}`, HTTP_PROXY: 'http://unused.invalid:1' } });
    await assert.rejects(fetch('https://registry.test/v2/'));
    assert.deepEqual(tunnels, [{ authority: 'registry.test:443', auth: undefined }]);
    assert.ok(clientHello, 'nothing came through the tunnel');
    assert.equal(clientHello[0], 0x16, 'a TLS handshake record');
    assert.ok(clientHello.includes('registry.test'), 'SNI names the registry, not the proxy');
  });

  it('goes direct for loopback, NO_PROXY hosts, and with proxyEnv null', async () => {
    const env = { HTTP_PROXY: `http://127.0.0.1:${proxyPort}`, NO_PROXY: 'example.com' };
    assert.equal((await createFetch({ proxyEnv: env })(`http://127.0.0.1:${registryPort}/v2/`)).status, 200);
    assert.equal((await createFetch({ proxyEnv: env })(`http://localhost:${registryPort}/v2/`)).status, 200);
    await assert.rejects(createFetch({ proxyEnv: { ...env, NO_PROXY: '.test' } })(`http://registry.test:${registryPort}/v2/`), /ENOTFOUND|EAI_AGAIN|getaddrinfo/);
    await assert.rejects(createFetch({ proxyEnv: null })(`http://registry.test:${registryPort}/v2/`), /ENOTFOUND|EAI_AGAIN|getaddrinfo/);
    assert.deepEqual(relayed, []);
  });

  it('refuses a proxy it cannot speak', async () => {
    await assert.rejects(createFetch({ proxyEnv: { HTTPS_PROXY: 'socks5://127.0.0.1:1080' } })('https://registry.test/v2/'), /HTTPS_PROXY 'socks5:\/\/127\.0\.0\.1:1080': socks5 proxies are not supported/);
  });
});
