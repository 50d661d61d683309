// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { credentialsFromDockerConfig, parseChallenge } from './credentials.ts';
import { compileEgressPolicy, assertLiteralHostAllowed, defaultEgressPolicy } from './egress.ts';
import { formatReference, parseReference } from './reference.ts';
import { ociRevision, selectTagBySemver } from './revision.ts';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseReference', () => {
  const cases: Array<[string, object]> = [
    ['oci://ghcr.io/org/app:v1.0.0', { registry: 'ghcr.io', repository: 'org/app', tag: 'v1.0.0' }],
    [`ghcr.io/org/app@${D}`, { registry: 'ghcr.io', repository: 'org/app', digest: D }],
    [`localhost:5000/a/b/c:t@${D}`, { registry: 'localhost:5000', repository: 'a/b/c', tag: 't', digest: D }],
    ['127.0.0.1:5000/app', { registry: '127.0.0.1:5000', repository: 'app' }],
    ['nginx', { registry: 'docker.io', repository: 'library/nginx' }],
    ['org/app:1', { registry: 'docker.io', repository: 'org/app', tag: '1' }],
    ['index.docker.io/library/nginx:1', { registry: 'docker.io', repository: 'library/nginx', tag: '1' }],
  ];
  for (const [input, want] of cases) it(input, () => assert.deepEqual(parseReference(input), want));
  it('rejects invalid references', () => {
    for (const bad of ['', 'oci://', 'Ghcr.io/UPPER/app', 'host/app:bad tag', 'host/app@sha256', 'host//app']) {
      assert.throws(() => parseReference(bad), /invalid/, bad);
    }
  });
  it('formats back', () => assert.equal(formatReference(parseReference(`oci://h:1/a:t@${D}`)), `h:1/a:t@${D}`));
});

describe('docker config credentials', () => {
  const auth = Buffer.from('user:p:ss').toString('base64');
  const cfg = JSON.stringify({
    auths: {
      'https://index.docker.io/v1/': { auth },
      'ghcr.io': { username: 'u2', password: 'p2' },
      'localhost:5000': { identitytoken: 'refresh' },
    },
  });
  it('matches hosts, decodes auth, reads username/password and tokens', () => {
    assert.deepEqual(credentialsFromDockerConfig(cfg, 'docker.io'), { username: 'user', password: 'p:ss' });
    assert.deepEqual(credentialsFromDockerConfig(cfg, 'ghcr.io'), { username: 'u2', password: 'p2' });
    assert.deepEqual(credentialsFromDockerConfig(cfg, 'localhost:5000'), { identityToken: 'refresh' });
    assert.equal(credentialsFromDockerConfig(cfg, 'quay.io'), undefined);
    assert.deepEqual(credentialsFromDockerConfig(JSON.stringify({ 'quay.io': { auth } }), 'quay.io'), { username: 'user', password: 'p:ss' });
    assert.throws(() => credentialsFromDockerConfig('{', 'x'));
  });
  it('parses WWW-Authenticate challenges', () => {
    assert.deepEqual(parseChallenge('Bearer realm="https://auth.example/token",service="registry",scope="repository:a/b:pull,push"'), {
      scheme: 'bearer',
      params: { realm: 'https://auth.example/token', service: 'registry', scope: 'repository:a/b:pull,push' },
    });
    assert.deepEqual(parseChallenge('Basic realm="r"'), { scheme: 'basic', params: { realm: 'r' } });
    assert.equal(parseChallenge(null), undefined);
  });
});

describe('egress policy', () => {
  it('refuses link-local and metadata addresses by default, allows loopback', () => {
    const denied = compileEgressPolicy(defaultEgressPolicy);
    assert.equal(denied('169.254.169.254'), true);
    assert.equal(denied('::ffff:169.254.169.254'), true);
    assert.equal(denied('fe80::1'), true);
    assert.equal(denied('fd00:ec2::254'), true);
    assert.equal(denied('127.0.0.1'), false);
    assert.equal(denied('::1'), false);
    assert.equal(denied('10.1.2.3'), false);
    assert.throws(() => assertLiteralHostAllowed('[fe80::1]'), /not allowed/);
  });
  it('is configurable', () => {
    const denied = compileEgressPolicy({ denyPrivate: true, denyLoopback: true, denyCidrs: ['203.0.113.0/24'] });
    assert.equal(denied('10.1.2.3'), true);
    assert.equal(denied('127.0.0.1'), true);
    assert.equal(denied('203.0.113.9'), true);
    assert.equal(denied('8.8.8.8'), false);
  });
});

describe('OCI revisions and semver tags', () => {
  it('formats revisions like Flux', () => {
    assert.equal(ociRevision('6.1.0', D), `6.1.0@${D}`);
    assert.equal(ociRevision(undefined, D), D);
  });
  it('selects by semver with a filter', () => {
    const tags = ['6.0.0', '6.1.0', '6.2.0-rc.1', 'latest', '7.0.0-dev', 'v6.1.5'];
    assert.equal(selectTagBySemver(tags, '>=6.0.0'), 'v6.1.5');
    assert.equal(selectTagBySemver(tags, '>=6.0.0-0', '.*-rc.*'), '6.2.0-rc.1');
    assert.equal(selectTagBySemver(tags, '>=8'), undefined);
  });
});
