// SPDX-License-Identifier: Apache-2.0
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { stringify } from 'yaml';
import { KubeConfig } from '@kubernetes/client-node';
import {
  LoadedKubeconfig,
  fromClientNode,
  inClusterKubeconfig,
  loadDefaultKubeconfig,
  loadKubeConfig,
  mergeKubeconfigs,
  parseKubeconfig,
  toClientNodeOptions,
} from './kubeconfig.ts';

interface Entry {
  cluster?: Record<string, unknown>;
  user?: Record<string, unknown>;
  context?: { cluster: string; user?: string; namespace?: string };
}

function doc(o: { clusters?: Record<string, Entry['cluster']>; users?: Record<string, Entry['user']>; contexts?: Record<string, Entry['context']>; current?: string }): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: Object.entries(o.clusters ?? {}).map(([name, cluster]) => ({ name, cluster })),
    users: Object.entries(o.users ?? {}).map(([name, user]) => ({ name, user })),
    contexts: Object.entries(o.contexts ?? {}).map(([name, context]) => ({ name, context })),
    ...(o.current ? { 'current-context': o.current } : {}),
  });
}

describe('kubeconfig loading', () => {
  let dir: string;
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, text);
    return p;
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'eddy-kubeconfig-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('parses every field and resolves relative paths against the file', () => {
    const p = file(
      'a/config',
      doc({
        clusters: {
          c: {
            server: 'https://10.0.0.1:6443/',
            'certificate-authority': 'ca.crt',
            'insecure-skip-tls-verify': true,
            'tls-server-name': 'kubernetes',
            'proxy-url': 'http://proxy:3128',
          },
        },
        users: {
          u: {
            token: 't',
            tokenFile: '../token',
            'client-certificate': '/abs/cert.pem',
            'client-key': 'key.pem',
            username: 'admin',
            password: 'secret',
            as: 'jane',
            'as-groups': ['g1', 'g2'],
            'as-uid': '42',
            'as-user-extra': { scopes: ['a', 'b'] },
          },
        },
        contexts: { x: { cluster: 'c', user: 'u', namespace: 'apps' } },
        current: 'x',
      }),
    );
    const kc = loadKubeConfig(p);
    assert.deepEqual(kc.getCurrentCluster(), {
      name: 'c',
      server: 'https://10.0.0.1:6443',
      caFile: join(dir, 'a/ca.crt'),
      skipTLSVerify: true,
      tlsServerName: 'kubernetes',
      proxyUrl: 'http://proxy:3128',
    });
    assert.deepEqual(kc.getCurrentUser(), {
      name: 'u',
      token: 't',
      tokenFile: join(dir, 'token'),
      certFile: '/abs/cert.pem',
      keyFile: join(dir, 'a/key.pem'),
      username: 'admin',
      password: 'secret',
      impersonateUser: 'jane',
      impersonateGroups: ['g1', 'g2'],
      impersonateUid: '42',
      impersonateExtra: { scopes: ['a', 'b'] },
    });
    assert.equal(kc.getCurrentNamespace(), 'apps');
  });

  it('keeps exec and auth-provider entries as they are', () => {
    const exec = { apiVersion: 'client.authentication.k8s.io/v1', command: 'get-token', args: ['--x'] };
    const kc = parseKubeconfig(
      doc({
        clusters: { c: { server: 'https://h' } },
        users: { e: { exec }, p: { 'auth-provider': { name: 'oidc', config: { 'id-token': 'i' } } } },
        contexts: { x: { cluster: 'c', user: 'e' } },
      }),
    );
    assert.deepEqual(kc.getUser('e')?.exec, exec);
    assert.deepEqual(kc.getUser('p')?.authProvider, { name: 'oidc', config: { 'id-token': 'i' } });
  });

  it('merges KUBECONFIG lists the way kubectl does: first wins, missing files skipped', () => {
    const one = file('m/one', doc({ clusters: { shared: { server: 'https://one' } }, users: { u: { token: '1' } }, contexts: { a: { cluster: 'shared', user: 'u' } } }));
    const two = file(
      'm/two',
      doc({
        clusters: { shared: { server: 'https://two' }, only2: { server: 'https://only2' } },
        users: { u: { token: '2' } },
        contexts: { a: { cluster: 'only2', user: 'u' }, b: { cluster: 'only2', user: 'u' } },
        current: 'b',
      }),
    );
    const three = file('m/three', doc({ contexts: { c: { cluster: 'shared', user: 'u' } }, current: 'c' }));
    const env = { KUBECONFIG: ['', one, join(dir, 'm/missing'), two, three, one].join(delimiter) };
    const kc = loadDefaultKubeconfig({ env, home: dir });
    assert.equal(kc.getCluster('shared')?.server, 'https://one');
    assert.equal(kc.getCluster('only2')?.server, 'https://only2');
    assert.equal(kc.getUser('u')?.token, '1');
    assert.equal(kc.getContextObject('a')?.cluster, 'shared');
    assert.deepEqual(
      kc.contexts.map((c) => c.name),
      ['a', 'b', 'c'],
    );
    assert.equal(kc.currentContext, 'b', 'the first file that sets current-context wins');
    assert.throws(() => loadDefaultKubeconfig({ env: { KUBECONFIG: join(dir, 'nope') } }), /none of the KUBECONFIG files exists/);
  });

  it('merges in-memory configs with the same rule', () => {
    const a = new LoadedKubeconfig({ clusters: [{ name: 'c', server: 'https://a', skipTLSVerify: false }] });
    const b = new LoadedKubeconfig({ clusters: [{ name: 'c', server: 'https://b', skipTLSVerify: false }], currentContext: 'x' });
    const m = mergeKubeconfigs([a, b]);
    assert.equal(m.getCluster('c')?.server, 'https://a');
    assert.equal(m.currentContext, 'x');
  });

  it('falls back to in-cluster, then ~/.kube/config; an explicit path beats both', () => {
    const sa = join(dir, 'sa');
    file('sa/token', 'sa-token\n');
    file('sa/ca.crt', 'CA');
    file('sa/namespace', 'flux-system\n');
    const home = join(dir, 'home');
    file('home/.kube/config', doc({ clusters: { h: { server: 'https://home' } }, users: { u: {} }, contexts: { h: { cluster: 'h', user: 'u' } }, current: 'h' }));
    const inPod = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };

    const ic = loadDefaultKubeconfig({ env: inPod, home, serviceAccountDir: sa });
    assert.equal(ic.getCurrentCluster()?.server, 'https://10.96.0.1:443');
    assert.equal(ic.getCurrentCluster()?.caFile, join(sa, 'ca.crt'));
    assert.equal(ic.getCurrentUser()?.tokenFile, join(sa, 'token'));
    assert.equal(ic.getCurrentNamespace(), 'flux-system');

    assert.equal(loadDefaultKubeconfig({ env: {}, home, serviceAccountDir: sa }).getCurrentCluster()?.server, 'https://home');
    assert.equal(loadDefaultKubeconfig({ env: inPod, home, serviceAccountDir: sa }, 'h').getCurrentCluster()?.server, 'https://home', 'a context means a kubeconfig file');
    assert.equal(loadDefaultKubeconfig({ env: inPod, home, serviceAccountDir: join(dir, 'no-sa') }).getCurrentCluster()?.server, 'https://home');
    assert.throws(() => loadDefaultKubeconfig({ env: {}, home: join(dir, 'nohome') }), /no kubeconfig/);

    const explicit = file('explicit', doc({ clusters: { e: { server: 'https://explicit' } }, contexts: { e: { cluster: 'e' } }, current: 'e' }));
    assert.equal(loadKubeConfig(explicit).getCurrentCluster()?.server, 'https://explicit');
    assert.throws(() => loadKubeConfig(join(dir, 'missing')), /cannot read kubeconfig/);
  });

  it('brackets IPv6 service hosts', () => {
    file('sa6/token', 't');
    const kc = inClusterKubeconfig({ env: { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, serviceAccountDir: join(dir, 'sa6') });
    assert.equal(kc?.getCurrentCluster()?.server, 'https://[fd00::1]:443');
    assert.equal(kc?.getCurrentCluster()?.caFile, undefined, 'no ca.crt, no caFile');
    assert.equal(inClusterKubeconfig({ env: {}, serviceAccountDir: join(dir, 'sa6') }), undefined);
  });

  it('selects contexts and rejects ones that lead nowhere', () => {
    const p = file(
      'ctx',
      doc({
        clusters: { one: { server: 'https://one' }, two: { server: 'https://two' }, empty: {} },
        users: { u: { token: 't' } },
        contexts: { a: { cluster: 'one', user: 'u' }, b: { cluster: 'two', user: 'u' }, dangling: { cluster: 'gone', user: 'u' }, blank: { cluster: 'empty' } },
        current: 'a',
      }),
    );
    assert.equal(loadKubeConfig(p).getCurrentCluster()?.server, 'https://one');
    assert.equal(loadKubeConfig(p, 'b').getCurrentCluster()?.server, 'https://two');
    assert.throws(() => loadKubeConfig(p, 'zzz'), /has no context 'zzz'/);
    assert.throws(() => loadKubeConfig(p, 'dangling'), /no current cluster/);
    assert.throws(() => loadKubeConfig(p, 'blank'), /cluster 'empty' has no server/);
    assert.throws(() => loadKubeConfig(file('nocurrent', doc({ clusters: { one: { server: 'https://one' } } }))), /no current context/);
    assert.throws(() => loadKubeConfig(file('bad', '- just\n- a list\n')), /not a YAML mapping/);
  });

  it('copies a LoadedKubeconfig instead of switching the caller’s context', () => {
    const base = parseKubeconfig(
      doc({ clusters: { c: { server: 'https://c' } }, contexts: { a: { cluster: 'c' }, b: { cluster: 'c' } }, current: 'a' }),
    );
    assert.equal(loadKubeConfig(base, 'b').currentContext, 'b');
    assert.equal(base.currentContext, 'a');
  });

  it('converts client-node KubeConfigs both ways', () => {
    const cn = new KubeConfig();
    cn.loadFromString(
      doc({
        clusters: { c: { server: 'https://c', 'certificate-authority-data': 'Q0E=' } },
        users: { u: { token: 't', as: 'jane' } },
        contexts: { x: { cluster: 'c', user: 'u' }, y: { cluster: 'c', user: 'u' } },
        current: 'x',
      }),
    );
    const kc = loadKubeConfig(cn, 'y');
    assert.equal(cn.currentContext, 'y', 'like before: the given KubeConfig switches context too');
    assert.deepEqual(kc.getCurrentCluster(), { name: 'c', server: 'https://c', caData: 'Q0E=', skipTLSVerify: false });
    assert.deepEqual(kc.getCurrentUser(), { name: 'u', token: 't', impersonateUser: 'jane' });

    // client-node's in-cluster user is a tokenFile auth provider; ours is a plain token file.
    const pod = new KubeConfig();
    pod.loadFromOptions({
      clusters: [{ name: 'ic', server: 'https://10.96.0.1:443', caFile: '/sa/ca.crt', skipTLSVerify: false }],
      users: [{ name: 'icu', authProvider: { name: 'tokenFile', config: { tokenFile: '/sa/token' } } }],
      contexts: [{ name: 'icc', cluster: 'ic', user: 'icu' }],
      currentContext: 'icc',
    });
    assert.deepEqual(fromClientNode(pod).getCurrentUser(), { name: 'icu', tokenFile: '/sa/token' });

    const back = new KubeConfig();
    back.loadFromOptions(toClientNodeOptions(fromClientNode(pod)));
    assert.deepEqual(back.getCurrentUser()?.authProvider, { name: 'tokenFile', config: { tokenFile: '/sa/token' } });
    assert.equal(back.getCurrentCluster()?.caFile, '/sa/ca.crt');
  });
});
