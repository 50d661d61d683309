// SPDX-License-Identifier: Apache-2.0
/** Picking a proxy from `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY`, as Go's `httpproxy` does. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { noProxyMatches, proxyFromEnvironment } from './proxy.ts';

const via = (target: string, env: Record<string, string>): string | undefined => proxyFromEnvironment(new URL(target), env)?.url.href;

describe('proxyFromEnvironment', () => {
  it('takes HTTPS_PROXY for https and HTTP_PROXY for http, upper case first, http:// when the scheme is missing', () => {
    const env = { HTTPS_PROXY: 'proxy.corp:3128', http_proxy: 'http://plain.corp:8080', https_proxy: 'http://lower.corp:1' };
    assert.equal(via('https://ghcr.io/v2/', env), 'http://proxy.corp:3128/');
    assert.equal(via('http://registry.corp/v2/', env), 'http://plain.corp:8080/');
    assert.equal(via('https://ghcr.io/v2/', { HTTPS_PROXY: '', https_proxy: 'http://lower.corp:1' }), 'http://lower.corp:1/');
    assert.equal(via('https://ghcr.io/v2/', { HTTP_PROXY: 'http://plain.corp:8080' }), undefined);
  });

  it('never proxies localhost and loopback addresses', () => {
    const env = { HTTPS_PROXY: 'http://proxy.corp:3128', HTTP_PROXY: 'http://proxy.corp:3128' };
    for (const t of ['https://localhost:5000/', 'http://127.0.0.1:5000/', 'https://127.9.9.9/', 'https://[::1]:5000/']) assert.equal(via(t, env), undefined, t);
    assert.equal(via('https://10.0.0.1/', env), 'http://proxy.corp:3128/');
  });

  it('carries the credentials of the proxy URL as Proxy-Authorization', () => {
    const p = proxyFromEnvironment(new URL('https://ghcr.io/'), { HTTPS_PROXY: 'http://u%40x:p@proxy.corp:3128' });
    assert.equal(p?.authorization, `Basic ${Buffer.from('u@x:p').toString('base64')}`);
  });
});

describe('noProxyMatches', () => {
  const cases: Array<[noProxy: string, host: string, port: string, want: boolean]> = [
    ['*', 'anything.example', '443', true],
    ['example.com', 'example.com', '443', true],
    ['example.com', 'ghcr.example.com', '443', true],
    ['example.com', 'notexample.com', '443', false],
    ['.example.com', 'example.com', '443', false],
    ['.example.com', 'a.example.com', '443', true],
    ['*.example.com', 'a.b.example.com', '443', true],
    ['*.example.com', 'example.com', '443', false],
    ['example.com:5000', 'example.com', '5000', true],
    ['example.com:5000', 'example.com', '443', false],
    [' Foo.Corp , bar.corp', 'foo.corp', '80', true],
    ['10.0.0.0/8', '10.1.2.3', '443', true],
    ['10.0.0.0/8', '11.1.2.3', '443', false],
    ['10.0.0.0/8', 'ten.corp', '443', false],
    ['fd00::/8', 'fd12::1', '443', true],
    ['192.168.1.10', '192.168.1.10', '443', true],
    ['192.168.1.10:8443', '192.168.1.10', '443', false],
    ['[fd12::1]:443', 'fd12::1', '443', true],
    ['fd12::1', 'fd12:0::1', '443', true],
    ['', 'example.com', '443', false],
  ];
  for (const [noProxy, host, port, want] of cases) {
    it(`'${noProxy}' ${want ? 'covers' : 'does not cover'} ${host}:${port}`, () => {
      assert.equal(noProxyMatches(noProxy, host, port), want);
    });
  }

  it('sends NO_PROXY hosts direct', () => {
    assert.equal(proxyFromEnvironment(new URL('https://ghcr.io/'), { HTTPS_PROXY: 'http://p:1', no_proxy: 'ghcr.io' }), undefined);
  });
});
