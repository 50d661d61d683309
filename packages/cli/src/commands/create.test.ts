// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildObject, credentialsSecret, parseSourceRef } from './create.ts';

const spec = (o: { [k: string]: unknown }): Record<string, unknown> => o['spec'] as Record<string, unknown>;

describe('buildObject', () => {
  it('builds a GitRepository with the ref precedence fields Flux writes', () => {
    const obj = buildObject(['source', 'git'], 'podinfo', 'flux-system', { url: 'https://github.com/stefanprodan/podinfo', branch: 'main', interval: '1m0s', label: ['team=a,tier=b'] });
    assert.deepEqual(obj.metadata, { name: 'podinfo', namespace: 'flux-system', labels: { team: 'a', tier: 'b' } });
    assert.deepEqual(spec(obj), { url: 'https://github.com/stefanprodan/podinfo', interval: '1m0s', ref: { branch: 'main' } });
  });

  const failures: Array<{ words: string[]; flags: Record<string, string | boolean | string[]>; message: RegExp }> = [
    { words: ['source', 'git'], flags: { url: 'https://x' }, message: /a Git ref is required/ },
    { words: ['source', 'git'], flags: { url: 'git@github.com:x/y', branch: 'main' }, message: /must start with http/ },
    { words: ['source', 'oci'], flags: { url: 'https://x' }, message: /must start with oci:\/\// },
    { words: ['kustomization'], flags: {}, message: /--source is required/ },
    { words: ['helmrelease'], flags: { source: 'HelmRepository/x' }, message: /--source and --chart are required/ },
    { words: ['image', 'repository'], flags: { image: 'ghcr.io/org/app:1.0' }, message: /must not include a tag/ },
    { words: ['image', 'policy'], flags: { imageRef: 'app', selectSemver: '1.x', selectAlpha: 'asc' }, message: /exactly one policy strategy/ },
    { words: ['image', 'policy'], flags: { imageRef: 'app', selectNumeric: 'up' }, message: /must be 'asc' or 'desc'/ },
    { words: ['image', 'update'], flags: { gitRepoRef: 'fleet', authorEmail: 'a@b' }, message: /author name is required/ },
    { words: ['source', 'git'], flags: { url: 'https://x', branch: 'main', label: ['novalue'] }, message: /invalid label format/ },
  ];
  for (const f of failures) {
    it(`refuses ${f.words.join(' ')} ${JSON.stringify(f.flags)}`, () => {
      assert.throws(() => buildObject(f.words, 'x', 'ns', f.flags), f.message);
    });
  }

  it('builds a Kustomization with dependsOn, health checks and a cross-namespace source', () => {
    const obj = buildObject(['kustomization'], 'apps', 'flux-system', {
      source: 'GitRepository/fleet.infra',
      path: './apps',
      prune: true,
      dependsOn: ['infra', 'other/db'],
      healthCheck: ['Deployment/podinfo.apps'],
      interval: '10m',
    });
    assert.deepEqual(spec(obj)['sourceRef'], { kind: 'GitRepository', name: 'fleet', namespace: 'infra' });
    assert.deepEqual(spec(obj)['dependsOn'], [{ name: 'infra' }, { name: 'db', namespace: 'other' }]);
    assert.deepEqual(spec(obj)['healthChecks'], [{ kind: 'Deployment', name: 'podinfo', namespace: 'apps' }]);
    assert.equal(spec(obj)['prune'], true);
  });

  it('builds a HelmRelease from a chart or a chartRef', () => {
    const chart = buildObject(['helmrelease'], 'podinfo', 'apps', { source: 'HelmRepository/podinfo', chart: 'podinfo', chartVersion: '>4.0.0', createTargetNamespace: true });
    assert.deepEqual(spec(chart)['chart'], { spec: { chart: 'podinfo', version: '>4.0.0', sourceRef: { kind: 'HelmRepository', name: 'podinfo' } } });
    assert.deepEqual(spec(chart)['install'], { createNamespace: true });
    const ref = buildObject(['helmrelease'], 'podinfo', 'apps', { chartRef: 'OCIRepository/podinfo' });
    assert.deepEqual(spec(ref)['chartRef'], { kind: 'OCIRepository', name: 'podinfo' });
  });

  it('builds the image kinds', () => {
    const repo = buildObject(['image', 'repository'], 'app', 'ns', { image: 'localhost:5000/org/app', interval: '5m', insecure: true });
    assert.deepEqual(spec(repo), { image: 'localhost:5000/org/app', interval: '5m', insecure: true });
    const policy = buildObject(['image', 'policy'], 'app', 'ns', { imageRef: 'app.other', selectNumeric: 'asc', filterRegex: '^main-(?P<ts>[0-9]+)', filterExtract: '$ts' });
    assert.deepEqual(spec(policy), {
      imageRepositoryRef: { name: 'app', namespace: 'other' },
      policy: { numerical: { order: 'asc' } },
      filterTags: { pattern: '^main-(?P<ts>[0-9]+)', extract: '$ts' },
    });
    const update = buildObject(['image', 'update'], 'fleet', 'ns', {
      gitRepoRef: 'fleet', checkoutBranch: 'main', pushBranch: 'auto', authorName: 'eddy', authorEmail: 'e@x', gitRepoPath: './apps', interval: '1m0s',
    });
    assert.deepEqual(spec(update), {
      interval: '1m0s',
      sourceRef: { kind: 'GitRepository', name: 'fleet' },
      git: { checkout: { ref: { branch: 'main' } }, commit: { author: { name: 'eddy', email: 'e@x' } }, push: { branch: 'auto' } },
      update: { path: './apps', strategy: 'Setters' },
    });
  });
});

describe('credentialsSecret', () => {
  const repo = buildObject(['source', 'git'], 'fleet', 'ns', { url: 'https://x', branch: 'main' });
  it('is named like the source', () => {
    assert.deepEqual(credentialsSecret(repo, { username: 'u', password: 'p' }), {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'fleet', namespace: 'ns' },
      stringData: { username: 'u', password: 'p' },
    });
  });
  it('needs both halves of basic auth, and nothing without flags', () => {
    assert.throws(() => credentialsSecret(repo, { username: 'u' }), /--username and --password are required together/);
    assert.equal(credentialsSecret(repo, {}), undefined);
  });
});

describe('parseSourceRef', () => {
  it('parses Kind/name.namespace with a default kind', () => {
    assert.deepEqual(parseSourceRef('podinfo', 'GitRepository'), { kind: 'GitRepository', name: 'podinfo' });
    assert.deepEqual(parseSourceRef('OCIRepository/app.apps', 'GitRepository'), { kind: 'OCIRepository', name: 'app', namespace: 'apps' });
    assert.throws(() => parseSourceRef('GitRepository/', 'GitRepository'), /invalid source reference/);
  });
});
