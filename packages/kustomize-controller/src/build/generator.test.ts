// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import { BuildError } from './errors.ts';
import { generateKustomization, type BuildSpec } from './generator.ts';
import { isLocalRelativePath, isRemoteRef, secureJoin } from './paths.ts';

const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'gen-test-'));
  roots.push(root);
  for (const [p, body] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), body);
  }
  return root;
}

const cm = (name: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;
const kust = (...resources: string[]): string =>
  `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n${resources.length ? `resources:\n${resources.map((r) => `- ${r}\n`).join('')}` : ''}`;

async function generated(files: Record<string, string>, spec?: BuildSpec, sub = '.'): Promise<Record<string, unknown>> {
  const root = tree(files);
  const res = await generateKustomization(join(root, sub), spec);
  return parse(readFileSync(res.file, 'utf8')) as Record<string, unknown>;
}

describe('generateKustomization', () => {
  it('lists YAML files recursively and kustomization dirs without descending into them', async () => {
    const k = await generated({
      'b.yaml': cm('b'),
      'a.yml': cm('a'),
      'notes.txt': 'x',
      'sub/c.yaml': cm('c'),
      'sub/deeper/d.yaml': cm('d'),
      'app/kustomization.yaml': kust('x.yaml'),
      'app/x.yaml': cm('x'),
    });
    assert.deepEqual(k.resources, ['./a.yml', './app', './b.yaml', './sub/c.yaml', './sub/deeper/d.yaml']);
    assert.equal(k.kind, 'Kustomization');
    assert.equal(k.apiVersion, 'kustomize.config.k8s.io/v1beta1');
  });

  it('uses a placeholder namespace for a directory without manifests (fluxcd/pkg#718)', async () => {
    const k = await generated({ 'README.md': '# nothing' });
    assert.deepEqual(k, { namespace: '_placeholder', apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' });
  });

  it('adds originAnnotations to an existing kustomization without resources (fluxcd/pkg#757)', async () => {
    const k = await generated({ 'kustomization.yaml': 'configMapGenerator:\n- name: x\n  literals: [a=b]\nbuildMetadata: [managedByLabel]\n' });
    assert.deepEqual(k.buildMetadata, ['originAnnotations']);
  });

  it('fails on YAML it cannot parse while generating', async () => {
    const root = tree({ 'bad.yaml': 'a: [\n' });
    await assert.rejects(generateKustomization(root), (err: unknown) => BuildError.is(err) && /failed to decode Kubernetes YAML/.test(err.message));
  });

  it('writes the spec transforms into an existing file, keeping its name', async () => {
    const root = tree({ 'kustomization.yml': `${kust('cm.yaml')}namePrefix: old-\npatches:\n- path: p.yaml\nnotAField: dropped\n`, 'cm.yaml': cm('a') });
    const res = await generateKustomization(root, {
      targetNamespace: 'apps',
      namePrefix: 'pre-',
      nameSuffix: '-suf',
      patches: [{ patch: 'x', target: { kind: 'Deployment', labelSelector: 'app=a' } }, { patch: 'y' }],
      buildMetadata: ['originAnnotations', 'transformerAnnotations'],
    });
    assert.equal(res.action, 'unchanged');
    assert.match(res.file, /kustomization\.yml$/);
    const k = parse(readFileSync(res.file, 'utf8')) as Record<string, unknown>;
    assert.equal(k.namespace, 'apps');
    assert.equal(k.namePrefix, 'pre-');
    assert.equal(k.nameSuffix, '-suf');
    assert.deepEqual(k.patches, [{ path: 'p.yaml' }, { patch: 'x', target: { kind: 'Deployment', labelSelector: 'app=a' } }, { patch: 'y' }]);
    assert.deepEqual(k.buildMetadata, ['originAnnotations', 'transformerAnnotations']);
    assert.equal('notAField' in k, false, 'unknown fields are dropped, as Flux does');
  });

  const image = 'ghcr.io/example/app';
  const digest = `sha256:${'a'.repeat(64)}`;
  const imageCases: Array<{ name: string; existing?: Array<Record<string, string>>; flux: NonNullable<BuildSpec['images']>; want: Array<Record<string, string>> }> = [
    { name: 'keeps an existing newTag when only newName is set', existing: [{ name: image, newTag: 'v1.2.3' }], flux: [{ name: image, newName: 'r.example.com/app' }], want: [{ name: image, newTag: 'v1.2.3', newName: 'r.example.com/app' }] },
    { name: 'keeps an existing newName when only newTag is set', existing: [{ name: image, newName: 'r.example.com/app' }], flux: [{ name: image, newTag: 'v2.0.0' }], want: [{ name: image, newName: 'r.example.com/app', newTag: 'v2.0.0' }] },
    { name: 'keeps an existing digest when only newName is set', existing: [{ name: image, digest }], flux: [{ name: image, newName: 'r.example.com/app' }], want: [{ name: image, digest, newName: 'r.example.com/app' }] },
    { name: 'overrides fields that are set', existing: [{ name: image, newName: 'old/app', newTag: 'v1' }], flux: [{ name: image, newName: 'new/app', newTag: 'v2' }], want: [{ name: image, newName: 'new/app', newTag: 'v2' }] },
    { name: 'appends images without an entry', flux: [{ name: image, newTag: 'v2', digest }], want: [{ name: image, newTag: 'v2', digest }] },
  ];
  for (const tc of imageCases) {
    it(`images: ${tc.name}`, async () => {
      const body = kust('cm.yaml') + (tc.existing ? `images:\n${tc.existing.map((i) => `- ${JSON.stringify(i)}\n`).join('')}` : '');
      const k = await generated({ 'kustomization.yaml': body, 'cm.yaml': cm('a') }, { images: tc.flux });
      assert.deepEqual(k.images, tc.want);
    });
  }

  it('appends components to existing ones and drops missing ones when asked', async () => {
    const files = { 'overlay/kustomization.yaml': `${kust('cm.yaml')}components:\n- ../a\n`, 'overlay/cm.yaml': cm('a'), 'b/kustomization.yaml': 'kind: Component\n' };
    const k = await generated(files, { components: ['../b', '../missing'], ignoreMissingComponents: true }, 'overlay');
    assert.deepEqual(k.components, ['../a', '../b']);
    const k2 = await generated(files, { components: ['../b', '../missing'] }, 'overlay');
    assert.deepEqual(k2.components, ['../a', '../b', '../missing']);
  });

  for (const bad of ['https://github.com/x/y', 'github.com/x/y', 'git@github.com:x/y', '/abs/comp', 'file:///abs']) {
    it(`rejects the non-local component ${bad}`, async () => {
      const root = tree({ 'cm.yaml': cm('a') });
      await assert.rejects(generateKustomization(root, { components: [bad] }), /must be local and relative/);
    });
  }
});

describe('path helpers', () => {
  const local: Array<[string, boolean]> = [
    ['foobar.yaml', true],
    ['./foobar.yaml', true],
    ['../comp', true],
    ['file://foobar.yaml', true],
    ['file:///foobar.yaml', false],
    ['/foobar.yaml', false],
    ['https://github.com/owner/repo', false],
    ['git@github.com:owner/repo', false],
    ['ssh://git@github.com/owner/repo', false],
    ['github.com/owner/repo', false],
  ];
  for (const [p, want] of local) it(`isLocalRelativePath(${p}) = ${want}`, () => assert.equal(isLocalRelativePath(p), want));

  it('classifies remote references like kustomize', () => {
    for (const r of ['https://x/y.yaml', 'git::https://x/y', 'gh:owner/repo', 'ssh://git@x/y', 'git@x:y/z', 'github.com/o/r//p?ref=v1']) assert.ok(isRemoteRef(r), r);
    for (const r of ['../base', 'base', 'gitlab.com/o/r', 'a@b']) assert.ok(!isRemoteRef(r), r);
  });

  it('joins paths without leaving the root, like securejoin', () => {
    assert.equal(secureJoin('/tmp/r', './apps/../../../etc'), '/tmp/r/etc');
    assert.equal(secureJoin('/tmp/r', '/abs/x'), '/tmp/r/abs/x');
    assert.equal(secureJoin('/tmp/r', ''), '/tmp/r');
  });
});
