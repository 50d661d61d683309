// SPDX-License-Identifier: Apache-2.0
/**
 * The transport's credentials on the wire, against loopback HTTP servers: rotating token files,
 * 401 refreshes, impersonation headers, forward proxies, exec plugins (through client-node, loaded
 * on demand) and the client-node `KubeConfig` compatibility path.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../clock/index.ts';
import { LoadedKubeconfig, type KubeconfigCluster, type KubeconfigUser } from './kubeconfig.ts';
import { Transport } from './transport.ts';

interface Seen {
  url: string;
  headers: http.IncomingHttpHeaders;
  distinct: NodeJS.Dict<string[]>;
}

async function listen(handler: http.RequestListener): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function config(cluster: Omit<KubeconfigCluster, 'name' | 'skipTLSVerify'> & { skipTLSVerify?: boolean }, user: Omit<KubeconfigUser, 'name'>): LoadedKubeconfig {
  return new LoadedKubeconfig({
    clusters: [{ name: 'c', skipTLSVerify: false, ...cluster }],
    users: [{ name: 'u', ...user }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
}

describe('Transport credentials on the wire', () => {
  let dir: string;
  let apiserver: { server: http.Server; url: string };
  let proxy: { server: http.Server; url: string };
  const seen: Seen[] = [];
  const proxied: Seen[] = [];
  let reject401 = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'eddy-transport-'));
    apiserver = await listen((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers, distinct: req.headersDistinct });
      if (reject401 > 0) {
        reject401--;
        res.writeHead(401).end('{"kind":"Status","code":401}');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
    });
    // A forward proxy: absolute-form requests are relayed to their origin.
    proxy = await listen((req, res) => {
      proxied.push({ url: req.url ?? '', headers: req.headers, distinct: req.headersDistinct });
      const target = new URL(req.url ?? '');
      const { 'proxy-authorization': _pa, ...headers } = req.headers;
      const up = http.request(target, { method: req.method, headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.writeHead(502).end());
      req.pipe(up);
    });
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    apiserver.server.closeAllConnections();
    proxy.server.closeAllConnections();
    await Promise.all([apiserver.server, proxy.server].map((s) => new Promise((r) => s.close(r))));
  });

  const last = (): Seen => seen[seen.length - 1]!;

  it('re-reads a rotated token file after the auth TTL, and at once on a 401', async () => {
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'one\n');
    const clock = new FakeClock();
    const t = new Transport({ kubeconfig: config({ server: apiserver.url }, { tokenFile }), clock, authTtlMs: 10_000 });
    try {
      assert.equal((await t.request({ method: 'GET', path: '/api' })).status, 200);
      assert.equal(last().headers.authorization, 'Bearer one');
      writeFileSync(tokenFile, 'two');
      await t.request({ method: 'GET', path: '/api' });
      assert.equal(last().headers.authorization, 'Bearer one', 'cached within the TTL');
      await clock.advance(10_001);
      await t.request({ method: 'GET', path: '/api' });
      assert.equal(last().headers.authorization, 'Bearer two');
      writeFileSync(tokenFile, 'three');
      reject401 = 1;
      assert.equal((await t.request({ method: 'GET', path: '/api' })).status, 200);
      assert.deepEqual(
        seen.slice(-2).map((s) => s.headers.authorization),
        ['Bearer two', 'Bearer three'],
      );
    } finally {
      t.close();
    }
  });

  it('sends basic auth, impersonation as repeated headers, and the query', async () => {
    const t = new Transport({
      kubeconfig: config({ server: `${apiserver.url}/` }, { username: 'admin', password: 'pw', impersonateUser: 'jane', impersonateGroups: ['a', 'b'] }),
    });
    try {
      await t.request({ method: 'GET', path: '/api/v1/pods', query: { limit: 5, continue: undefined } });
      assert.equal(last().url, '/api/v1/pods?limit=5');
      assert.equal(last().headers.authorization, `Basic ${Buffer.from('admin:pw').toString('base64')}`);
      assert.equal(last().headers['impersonate-user'], 'jane');
      assert.deepEqual(last().distinct['impersonate-group'], ['a', 'b']);
    } finally {
      t.close();
    }
  });

  it('goes through an http proxy-url with proxy credentials', async () => {
    const proxyUrl = proxy.url.replace('http://', 'http://u%40x:p%3Aw@');
    const t = new Transport({ kubeconfig: config({ server: apiserver.url, proxyUrl }, { token: 'tok' }) });
    try {
      const n = proxied.length;
      assert.equal((await t.request({ method: 'GET', path: '/apis' })).status, 200);
      assert.equal(proxied.length, n + 1);
      const p = proxied[proxied.length - 1]!;
      assert.equal(p.url, `${apiserver.url}/apis`);
      assert.equal(p.headers['proxy-authorization'], `Basic ${Buffer.from('u@x:p:w').toString('base64')}`);
      assert.equal(last().headers.authorization, 'Bearer tok');
      assert.equal(last().headers['proxy-authorization'], undefined);
    } finally {
      t.close();
    }
  });

  it('refuses proxies it cannot speak instead of bypassing them', () => {
    assert.throws(() => new Transport({ kubeconfig: config({ server: 'https://k', proxyUrl: 'socks5://p:1080' }, {}) }), /socks5 proxies are not supported/);
    assert.throws(() => new Transport({ kubeconfig: config({ server: 'http://k', proxyUrl: 'https://p' }, {}) }), /plain-HTTP server needs an http:\/\/ proxy/);
    assert.throws(() => new Transport({ kubeconfig: config({ server: 'https://k', proxyUrl: 'not a url' }, {}) }), /is not a URL/);
  });

  it('runs exec plugins through client-node, keeping its own headers', async () => {
    const credential = { apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: 'from-plugin' } };
    const exec = {
      apiVersion: 'client.authentication.k8s.io/v1',
      command: process.execPath,
      args: ['-e', `process.stdout.write(${JSON.stringify(JSON.stringify(credential))})`],
      interactiveMode: 'Never',
    };
    // client-node only allows plain HTTP with insecure-skip-tls-verify.
    const t = new Transport({ kubeconfig: config({ server: apiserver.url, skipTLSVerify: true }, { exec, impersonateGroups: ['g'] }) });
    try {
      assert.equal((await t.request({ method: 'GET', path: '/version' })).status, 200);
      assert.equal(last().headers.authorization, 'Bearer from-plugin');
      assert.deepEqual(last().distinct['impersonate-group'], ['g']);
    } finally {
      t.close();
    }
  });

  it('still takes a client-node KubeConfig, and hands one out', async () => {
    const { KubeConfig } = await import('@kubernetes/client-node');
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: apiserver.url, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'cn-token', impersonateUser: 'sa' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const given = new Transport({ kubeconfig: kc });
    try {
      assert.equal(given.kubeConfig, kc, 'the same instance');
      await given.request({ method: 'GET', path: '/api' });
      assert.equal(last().headers.authorization, 'Bearer cn-token');
      assert.equal(last().headers['impersonate-user'], 'sa');
    } finally {
      given.close();
    }

    const tokenFile = join(dir, 'cn-token');
    writeFileSync(tokenFile, 'file-token');
    const built = new Transport({ kubeconfig: config({ server: apiserver.url }, { tokenFile }) });
    try {
      const out = built.kubeConfig;
      // Under tsx, require() gets its own copy of client-node, so compare by shape, not instanceof.
      assert.equal(out.constructor.name, KubeConfig.name);
      assert.equal(typeof out.makeApiClient, 'function');
      assert.equal(out.getCurrentCluster()?.server, apiserver.url);
      assert.deepEqual(out.getCurrentUser()?.authProvider, { name: 'tokenFile', config: { tokenFile } });
      assert.equal(built.kubeConfig, out, 'built once');
    } finally {
      built.close();
    }
  });
});
