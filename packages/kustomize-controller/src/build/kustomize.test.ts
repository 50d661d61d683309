// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeClock } from '@eddy/runtime/clock';
import { toolPath } from '@eddy/testenv';
import { BuildError } from './errors.ts';
import { generateKustomization } from './generator.ts';
import { kustomizeBuild, kustomizeErrorMessage } from './kustomize.ts';
import { parseBuildOutput, splitDocuments } from './manifests.ts';

let kustomizePath: string;
const roots: string[] = [];
before(() => {
  kustomizePath = toolPath('kustomize');
});
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'kbuild-test-'));
  roots.push(root);
  for (const [p, body] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), body);
  }
  return root;
}

const cm = (name: string, extra = ''): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${extra}`;
const ns = (name: string): string => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`;

async function build(root: string, sub = '.', noRemoteBases = false): Promise<string> {
  return kustomizeBuild(root, join(root, sub), { kustomizePath, noRemoteBases });
}

function kinds(out: string): string[] {
  return parseBuildOutput(out).map((m) => `${m.object.kind}/${(m.object.metadata as { name: string }).name}`);
}

async function rejectsBuild(p: Promise<unknown>, code: string, match: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(BuildError.is(err), String(err));
    assert.equal(err.code, code, err.message);
    assert.match(err.message, match);
    return true;
  });
}

describe('kustomizeBuild (real kustomize)', () => {
  it('builds the podinfo fixture with Flux transforms', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kbuild-podinfo-'));
    roots.push(root);
    cpSync('/work/shared/fixtures/manifests/podinfo-kustomize', join(root, 'kustomize'), { recursive: true });
    await generateKustomization(join(root, 'kustomize'), { targetNamespace: 'apps', namePrefix: 'x-', images: [{ name: 'ghcr.io/stefanprodan/podinfo', newTag: '6.9.9' }] });
    const out = await build(root, 'kustomize');
    const objs = parseBuildOutput(out);
    assert.deepEqual(kinds(out), ['HorizontalPodAutoscaler/x-podinfo', 'Deployment/x-podinfo', 'Service/x-podinfo'], 'input order, no legacy sort');
    for (const o of objs) assert.equal((o.object.metadata as { namespace: string }).namespace, 'apps');
    assert.match(out, /image: ghcr\.io\/stefanprodan\/podinfo:6\.9\.9/);
    assert.equal(splitDocuments(out).join('---\n'), out, 'documents split and join losslessly');
  });

  it('keeps input order (Flux does not reorder) unless sortOptions says otherwise', async () => {
    const files = { 'cm.yaml': cm('a'), 'ns.yaml': ns('b') };
    const fifo = tree({ ...files, 'kustomization.yaml': 'resources: [cm.yaml, ns.yaml]\n' });
    assert.deepEqual(kinds(await build(fifo)), ['ConfigMap/a', 'Namespace/b']);
    const legacy = tree({ ...files, 'kustomization.yaml': 'resources: [cm.yaml, ns.yaml]\nsortOptions:\n  order: legacy\n' });
    assert.deepEqual(kinds(await build(legacy)), ['Namespace/b', 'ConfigMap/a']);
  });

  it('builds an empty generated kustomization to nothing', async () => {
    const root = tree({ 'README.md': 'x' });
    await generateKustomization(root);
    assert.equal(await build(root), '');
  });

  it('loads files from anywhere inside the root (LoadRestrictionsNone)', async () => {
    const root = tree({ 'shared/cm.yaml': cm('shared'), 'apps/kustomization.yaml': 'resources: [../shared/cm.yaml]\n' });
    assert.deepEqual(kinds(await build(root, 'apps')), ['ConfigMap/shared']);
  });

  const escapes: Array<{ name: string; files: Record<string, string>; match: RegExp }> = [
    { name: 'a resource above the root', files: { 'kustomization.yaml': 'resources: [../../../../etc/hostname]\n' }, match: /not in or below/ },
    { name: 'an absolute resource', files: { 'kustomization.yaml': 'resources: [/etc/hostname]\n' }, match: /absolute path/ },
    { name: 'a generator reading a token file', files: { 'kustomization.yaml': 'configMapGenerator:\n- name: t\n  files: [token=/var/run/secrets/kubernetes.io/serviceaccount/token]\n' }, match: /absolute path/ },
    { name: 'an env file above the root', files: { 'kustomization.yaml': 'secretGenerator:\n- name: t\n  envs: [../../x.env]\n' }, match: /not in or below/ },
    { name: 'a patch file above the root', files: { 'kustomization.yaml': 'resources: [cm.yaml]\npatches:\n- path: ../../p.yaml\n', 'cm.yaml': cm('a') }, match: /not in or below/ },
    {
      name: 'a transformer config pointing outside',
      files: { 'kustomization.yaml': 'resources: [cm.yaml]\ntransformers: [t.yaml]\n', 'cm.yaml': cm('a'), 't.yaml': 'apiVersion: builtin\nkind: PatchTransformer\nmetadata:\n  name: p\npath: /etc/hostname\n' },
      match: /absolute path/,
    },
    {
      name: 'an inline generator reading outside',
      files: { 'kustomization.yaml': 'generators:\n- |-\n  apiVersion: builtin\n  kind: ConfigMapGenerator\n  metadata:\n    name: g\n  files: [/etc/passwd]\n' },
      match: /absolute path/,
    },
    { name: 'a nested base escaping', files: { 'kustomization.yaml': 'resources: [base]\n', 'base/kustomization.yaml': 'resources: [../../../../../etc/hostname]\n' }, match: /not in or below/ },
    { name: 'a file:// git base', files: { 'kustomization.yaml': 'resources: [file:///etc]\n' }, match: /file:\/\// },
  ];
  for (const tc of escapes) {
    it(`refuses ${tc.name} before running kustomize`, async () => {
      const root = tree(tc.files);
      await rejectsBuild(build(root), 'OutsideRoot', tc.match);
    });
  }

  it('refuses remote bases when they are disabled', async () => {
    const root = tree({ 'kustomization.yaml': 'resources:\n- https://github.com/fluxcd/flux2//manifests/rbac?ref=main\n' });
    await rejectsBuild(build(root, '.', true), 'RemoteDisallowed', /remote bases are disabled/);
  });

  it('reports kustomize errors in Flux form', async () => {
    const root = tree({ 'kustomization.yaml': 'resources: [missing.yaml]\n' });
    await rejectsBuild(build(root), 'KustomizeFailed', /^kustomize build failed: .*missing\.yaml/);
  });

  it('does not inflate Helm charts (plugins and Helm stay disabled)', async () => {
    const root = tree({ 'kustomization.yaml': 'helmCharts:\n- name: podinfo\n  repo: https://example.invalid\n  version: 6.0.0\n' });
    await rejectsBuild(build(root), 'KustomizeFailed', /helm/i);
  });

  it('kills a build that exceeds its timeout', async () => {
    const root = tree({ 'kustomization.yaml': 'resources: []\n' });
    const fake = join(root, 'slow-kustomize');
    writeFileSync(fake, '#!/bin/sh\nexec sleep 30\n');
    chmodSync(fake, 0o755);
    const clock = new FakeClock();
    const p = kustomizeBuild(root, root, { kustomizePath: fake, clock, timeoutMs: 1000 });
    p.catch(() => undefined);
    while (clock.timerCount === 0) await new Promise((r) => setImmediate(r));
    await clock.advance(1000);
    await rejectsBuild(p, 'Timeout', /timed out after 1000ms/);
  });

  it('reports a missing binary clearly', async () => {
    const root = tree({ 'kustomization.yaml': 'resources: []\n' });
    await rejectsBuild(kustomizeBuild(root, root, { kustomizePath: join(root, 'nope') }), 'KustomizeFailed', /binary not found/);
  });

  it('formats stderr like Flux', () => {
    assert.equal(
      kustomizeErrorMessage('Flag --reorder has been deprecated, use sortOptions\nError: accumulating resources: boom\n'),
      'kustomize build failed: accumulating resources: boom',
    );
  });
});
