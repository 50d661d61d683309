// SPDX-License-Identifier: Apache-2.0
/** Setters over a directory, with Flux's own fixtures (`internal/update/testdata/setters`) and expected result. */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { InvalidImageRefError } from './markers.ts';
import type { PolicyLike } from './markers.ts';
import { updateWithSetters } from './update-files.ts';

const policy = (name: string, image: string): PolicyLike => {
  const at = image.indexOf('@');
  const ref = at < 0 ? image : image.slice(0, at);
  const colon = ref.lastIndexOf(':');
  return {
    metadata: { namespace: 'automation-ns', name },
    status: { latestRef: { name: ref.slice(0, colon), tag: ref.slice(colon + 1), digest: at < 0 ? undefined : image.slice(at + 1) } },
  };
};

const DIGEST = 'sha256:6745aaad46d795c9836632e1fb62f24b7e7f4c843144da8e47a5465c411a14be';
const POLICIES = [
  policy('policy', 'index.repo.fake/updated:v1.0.1'),
  policy('unchanged', 'image:v1.0.0'),
  policy('policy-with-digest', `image:v1.0.0@${DIGEST}`),
  { metadata: { namespace: 'automation-ns', name: 'no-latest' } },
];

const MARKED = `---
apiVersion: batch/v1beta1
kind: CronJob
metadata:
  name: foo
  namespace: bar
spec:
  schedule: "*/1 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: c
            image: image:v1.0.0 # {"$imagepolicy": "automation-ns:policy"}
          - name: d
            image: image:v1.0.0 # {"$imagepolicy": "automation-ns:unchanged"}
`;

const KUSTOMIZATION = `# This is not intended to be a working kustomization
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - unimportant.yaml
images:
  - name: container
    newName: replaced # {"$imagepolicy": "automation-ns:policy:name"}
    newTag: v1 # {"$imagepolicy": "automation-ns:policy:tag"}
    newDigest: sha256:1234567890abcdef # {"$imagepolicy": "automation-ns:policy-with-digest:digest"}
# Prove fix for https://github.com/fluxcd/flux2/issues/3284
patches:
  - patch: |
      - op: replace
        path: /spec/template/spec/containers/0/volumeMounts
        value:
          - mountPath: /usr/share/wildfly/wildfly/standalone/configuration/appConfigMaps/WF
            name: wf-config
    target:
      group: apps
      kind: Deployment
      image: image # {"$imagepolicy": "automation-ns:policy-with-digest"}
`;

const KUSTOMIZATION_FILE = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
images:
  - name: container
    newName: replaced # {"$imagepolicy": "automation-ns:policy:name"}
    newTag: v1 # {"$imagepolicy": "automation-ns:policy:tag"}
`;

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-setters-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(dir, 'case-'));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(root, name, '..'), { recursive: true });
    await writeFile(join(root, name), text);
  }
  return root;
}

describe('updateWithSetters (Flux TestUpdateWithSetters)', () => {
  it('updates marked fields and reports file → object → changes', async () => {
    const root = await tree({ 'marked.yaml': MARKED, 'kustomization.yml': KUSTOMIZATION, Kustomization: KUSTOMIZATION_FILE, 'unmarked.yaml': 'a: b\n' });
    const out = await updateWithSetters(root, POLICIES);

    assert.equal(await readFile(join(root, 'marked.yaml'), 'utf8'), MARKED.replace('image: image:v1.0.0 # {"$imagepolicy": "automation-ns:policy"}', 'image: index.repo.fake/updated:v1.0.1 # {"$imagepolicy": "automation-ns:policy"}'));
    const kust = await readFile(join(root, 'kustomization.yml'), 'utf8');
    assert.equal(
      kust,
      KUSTOMIZATION.replace('newName: replaced', 'newName: index.repo.fake/updated')
        .replace('newTag: v1 ', 'newTag: v1.0.1 ')
        .replace('newDigest: sha256:1234567890abcdef', `newDigest: ${DIGEST}`)
        .replace('image: image #', `image: image:v1.0.0@${DIGEST} #`),
    );

    const kustomizeId = { APIVersion: 'kustomize.config.k8s.io/v1beta1', Kind: 'Kustomization', Name: '', Namespace: '' };
    const markedId = { APIVersion: 'batch/v1beta1', Kind: 'CronJob', Name: 'foo', Namespace: 'bar' };
    const plain = [...out.result.FileChanges].map(([file, objs]) => [file, [...objs].map(([id, changes]) => [{ ...id }, changes])]);
    assert.deepEqual(plain, [
      ['Kustomization', [[kustomizeId, [
        { OldValue: 'replaced', NewValue: 'index.repo.fake/updated', Setter: 'automation-ns:policy:name' },
        { OldValue: 'v1', NewValue: 'v1.0.1', Setter: 'automation-ns:policy:tag' },
      ]]]],
      ['kustomization.yml', [[kustomizeId, [
        { OldValue: 'replaced', NewValue: 'index.repo.fake/updated', Setter: 'automation-ns:policy:name' },
        { OldValue: 'v1', NewValue: 'v1.0.1', Setter: 'automation-ns:policy:tag' },
        { OldValue: 'sha256:1234567890abcdef', NewValue: DIGEST, Setter: 'automation-ns:policy-with-digest:digest' },
        { OldValue: 'image', NewValue: `image:v1.0.0@${DIGEST}`, Setter: 'automation-ns:policy-with-digest' },
      ]]]],
      ['marked.yaml', [[markedId, [{ OldValue: 'image:v1.0.0', NewValue: 'index.repo.fake/updated:v1.0.1', Setter: 'automation-ns:policy' }]]]],
    ]);
    assert.equal(out.result.Changes().length, 5);
    assert.equal(out.result.Objects().size, 2);
  });

  it('reports markers naming unknown policies or policies without a latest image, without failing', async () => {
    const root = await tree({ 'a.yaml': 'image: x:1 # {"$imagepolicy": "automation-ns:missing"}\nother: y # {"$imagepolicy": "automation-ns:no-latest:tag"}\n' });
    const out = await updateWithSetters(root, POLICIES);
    assert.ok(out.result.empty);
    assert.deepEqual(out.unresolved, [
      { setter: 'automation-ns:missing', line: 1, reason: 'unknown-setter', file: 'a.yaml' },
      { setter: 'automation-ns:no-latest:tag', line: 2, reason: 'unknown-setter', file: 'a.yaml' },
    ]);
  });

  it('skips unparsable screened files as problem files, skips .git and does not follow symlinks', async () => {
    const root = await tree({
      'chart/templates/deploy.yaml': 'image: {{ .Values.image }} # {"$imagepolicy": "automation-ns:policy"}\n  bad: [\n',
      '.git/x.yaml': 'image: x:1 # {"$imagepolicy": "automation-ns:policy"}\n',
      'outside/target.yaml': 'image: x:1 # {"$imagepolicy": "automation-ns:policy"}\n',
    });
    const sub = join(root, 'sub');
    await mkdir(sub);
    await symlink(join(root, 'outside', 'target.yaml'), join(sub, 'link.yaml'));
    const out = await updateWithSetters(sub, POLICIES);
    assert.ok(out.result.empty);
    const all = await updateWithSetters(root, POLICIES);
    assert.deepEqual(all.problemFiles.map((p) => p.file), ['chart/templates/deploy.yaml']);
    assert.deepEqual(all.result.files(), ['outside/target.yaml']);
    assert.equal(await readFile(join(root, '.git/x.yaml'), 'utf8'), 'image: x:1 # {"$imagepolicy": "automation-ns:policy"}\n');
  });

  it('accepts a single file as the update path and leaves unchanged files untouched', async () => {
    const root = await tree({ 'only.yaml': 'image: image:v1.0.0 # {"$imagepolicy": "automation-ns:unchanged"}\n' });
    const before = (await stat(join(root, 'only.yaml'))).mtimeMs;
    const out = await updateWithSetters(join(root, 'only.yaml'), POLICIES);
    assert.ok(out.result.empty);
    assert.equal((await stat(join(root, 'only.yaml'))).mtimeMs, before);
  });

  it('fails on an invalid latest image reference', async () => {
    const root = await tree({ 'a.yaml': 'a: b\n' });
    await assert.rejects(updateWithSetters(root, [policy('bad', 'Not An Image:!!')]), InvalidImageRefError);
  });
});
