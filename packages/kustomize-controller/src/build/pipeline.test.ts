// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { toolPath } from '@eddy/testenv';
import { SopsDecryptor } from '../decrypt/decryptor.ts';
import { KeyRing } from '../decrypt/keys.ts';
import { SopsTools, type AgeKey } from '../testing/sops.ts';
import { kustomizeBuild } from './kustomize.ts';
import { buildKustomization, resolveBuildPath } from './pipeline.ts';

let kustomizePath: string;
let tools: SopsTools;
let age: AgeKey;
const roots: string[] = [];
before(() => {
  kustomizePath = toolPath('kustomize');
  tools = new SopsTools();
  age = tools.ageKey();
});
after(() => {
  tools.cleanup();
  roots.forEach((r) => rmSync(r, { recursive: true, force: true }));
});

function tree(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'pipeline-test-'));
  roots.push(root);
  for (const [p, body] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), body);
  }
  return root;
}

/** What kustomize itself prints for a directory of plain manifests (the byte-level oracle). */
async function kustomizeOf(files: Record<string, string>): Promise<string> {
  const root = tree({ ...files, 'kustomization.yaml': `resources:\n${Object.keys(files).map((f) => `- ${f}\n`).join('')}` });
  return kustomizeBuild(root, root, { kustomizePath });
}

const DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  labels:
    env: \${ENV:=dev}
spec:
  replicas: \${REPLICAS}
  selector:
    matchLabels: {app: app}
  template:
    metadata:
      labels: {app: app}
    spec:
      containers:
      - name: app
        image: "ghcr.io/example/app:\${TAG}"
        args: ["--region=\${region,,}", "--literal=$\${KEEP}"]
`;

describe('buildKustomization', () => {
  it('returns kustomize output untouched when nothing needs post-processing', async () => {
    const root = tree({ 'apps/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  z: "1"\n  a: x\n' });
    const res = await buildKustomization({ root, path: './apps', spec: { targetNamespace: 'prod' }, kustomize: { kustomizePath } });
    const oracle = await kustomizeOf({ 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: prod\ndata:\n  z: "1"\n  a: x\n' });
    assert.equal(res.output, oracle);
    assert.equal(res.digest, `sha256:${createHash('sha256').update(oracle).digest('hex')}`);
  });

  it('substitutes variables and serialises the result exactly as kustomize would', async () => {
    const root = tree({ 'deploy.yaml': DEPLOY, 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\ndata:\n  k: v\n' });
    const res = await buildKustomization({
      root,
      path: '.',
      postBuild: { vars: { REPLICAS: '3', TAG: '1.2.3', region: 'EU-West' } },
      kustomize: { kustomizePath },
    });
    const deploy = res.manifests.find((m) => m.object.kind === 'Deployment')!.object as { spec: { replicas: unknown; template: { spec: { containers: Array<{ args: string[]; image: string }> } } }; metadata: { labels: Record<string, string> } };
    assert.equal(deploy.spec.replicas, 3);
    assert.equal(deploy.metadata.labels.env, 'dev');
    assert.deepEqual(deploy.spec.template.spec.containers[0]!.args, ['--region=eu-west', '--literal=${KEEP}']);
    const oracle = await kustomizeOf({
      'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\ndata:\n  k: v\n',
      'deploy.yaml': DEPLOY.replace('${ENV:=dev}', 'dev').replace('${REPLICAS}', '3').replace('${TAG}', '1.2.3').replace('${region,,}', 'eu-west').replace('$${KEEP}', '${KEEP}'),
    });
    // The oracle lists cm.yaml first; compare per document.
    const byKind = (out: string): string[] => out.split('---\n').sort();
    assert.deepEqual(byKind(res.output), byKind(oracle));
    assert.equal(res.manifests[0]!.text, byKind(oracle).find((d) => d.includes('kind: ConfigMap')), 'untouched resources keep their text');
  });

  it('decrypts Secrets, then substitutes in the decrypted data', async () => {
    const secret = tools.encrypt('apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  url: postgres://${DB_HOST}/app\n', 'yaml', [
      '--age',
      age.recipient,
      '--encrypted-regex',
      '^stringData$',
    ]);
    const keys = new KeyRing();
    keys.importAge(age.file);
    const root = tree({ 'secret.yaml': secret });
    const res = await buildKustomization({
      root,
      path: '.',
      decryptor: new SopsDecryptor(keys),
      postBuild: { vars: { DB_HOST: 'db.internal' } },
      kustomize: { kustomizePath },
    });
    assert.deepEqual((res.manifests[0]!.object as { stringData: unknown }).stringData, { url: 'postgres://db.internal/app' });
    assert.doesNotMatch(res.output, /sops|ENC\[/);
    assert.equal(res.output, await kustomizeOf({ 's.yaml': 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  url: postgres://db.internal/app\n' }));
  });

  it('reports a missing path', async () => {
    const root = tree({ 'a/x.yaml': 'a: 1\n' });
    assert.equal(await resolveBuildPath(root, './missing'), undefined);
    assert.equal(await resolveBuildPath(root, '../../a'), join(root, 'a'));
  });
});
