// SPDX-License-Identifier: Apache-2.0
/**
 * `eddy build kustomization` and `eddy diff kustomization` against the shared control plane: a
 * Kustomization's transforms applied to a local directory, then compared with the live objects
 * by server-side dry-run apply (created / configured with a unified diff / unchanged / deleted)
 * and Flux's exit codes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '@eddy/runtime/client';
import { setup, type Env } from './harness.ts';

const KS_V1 = 'kustomize.toolkit.fluxcd.io/v1';

describe('eddy build and diff', () => {
  let env: Env;
  let dir: string;
  const writeApp = (value: string): void => {
    writeFileSync(join(dir, 'config.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  value: "\${VALUE}"\n  static: "${value}"\n`);
  };

  before(async () => {
    env = await setup('e2e-diff');
    dir = mkdtempSync(join(tmpdir(), 'e2e-diff-app-'));
    writeApp('one');
    writeFileSync(join(dir, 'secret.yaml'), 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  token: s3cr3t\n');
    await env.client.apply(
      {
        apiVersion: KS_V1,
        kind: 'Kustomization',
        metadata: { name: 'apps', namespace: env.namespace },
        spec: {
          interval: '10m',
          path: './',
          prune: true,
          sourceRef: { kind: 'GitRepository', name: 'fleet' },
          targetNamespace: env.namespace,
          namePrefix: 'demo-',
          postBuild: { substitute: { VALUE: 'from-postbuild' } },
        },
      },
      { fieldManager: 'e2e' },
    );
  });

  after(async () => {
    await env?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const built = async (): Promise<KubeObject[]> => {
    const r = await env.eddy(['build', 'kustomization', 'apps', '--path', dir]);
    assert.equal(r.code, 0, r.err);
    return parseAllDocuments(r.out).map((d) => d.toJS() as KubeObject);
  };

  it('builds with the Kustomization transforms and owner labels', async () => {
    const objs = await built();
    const cm = objs.find((o) => o.kind === 'ConfigMap')!;
    assert.equal(cm.metadata.name, 'demo-settings');
    assert.equal(cm.metadata.namespace, env.namespace);
    assert.equal((cm['data'] as Record<string, string>)['value'], 'from-postbuild');
    assert.equal(cm.metadata.labels?.['kustomize.toolkit.fluxcd.io/name'], 'apps');
    assert.equal(cm.metadata.labels?.['kustomize.toolkit.fluxcd.io/namespace'], env.namespace);
  });

  it('reports new objects as created and exits 1', async () => {
    const r = await env.eddy(['diff', 'kustomization', 'apps', '--path', dir]);
    assert.equal(r.code, 1, r.err);
    assert.match(r.out, new RegExp(`► ConfigMap/${env.namespace}/demo-settings created`));
    assert.match(r.out, new RegExp(`► Secret/${env.namespace}/demo-creds created`));
    assert.match(r.err, /✗ identified at least one change, exiting with non-zero exit code/);
  });

  it('reports applied objects as unchanged and exits 0', async () => {
    for (const obj of await built()) await env.client.apply(obj, { fieldManager: 'kustomize-controller', force: true });
    const r = await env.eddy(['diff', 'ks', 'apps', '--path', dir]);
    assert.equal(r.code, 0, `${r.out}\n${r.err}`);
    assert.match(r.out, new RegExp(`► ConfigMap/${env.namespace}/demo-settings unchanged`));
  });

  it('shows a unified diff of changed fields, masking Secret values', async () => {
    writeApp('two');
    writeFileSync(join(dir, 'secret.yaml'), 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  token: rotated\n');
    const r = await env.eddy(['diff', 'ks', 'apps', '--path', dir]);
    assert.equal(r.code, 1, r.err);
    assert.match(r.out, new RegExp(`► ConfigMap/${env.namespace}/demo-settings configured\\n--- ConfigMap/${env.namespace}/demo-settings \\(live\\)\\n\\+\\+\\+ ConfigMap/${env.namespace}/demo-settings \\(merged\\)\\n@@ `));
    assert.match(r.out, /^- {2}static: one$/m);
    assert.match(r.out, /^\+ {2}static: two$/m);
    assert.match(r.out, new RegExp(`► Secret/${env.namespace}/demo-creds configured`));
    assert.doesNotMatch(r.out, /rotated|s3cr3t|czNjcjN0|cm90YXRlZA/);
  });

  it('reports what prune would delete from the inventory', async () => {
    await env.client.patch(
      { apiVersion: KS_V1, kind: 'Kustomization', name: 'apps', namespace: env.namespace },
      { status: { inventory: { entries: [{ id: `${env.namespace}_demo-settings__ConfigMap`, v: 'v1' }, { id: `${env.namespace}_stale__ConfigMap`, v: 'v1' }] } } },
      { type: 'merge', subresource: 'status' },
    );
    const r = await env.eddy(['diff', 'ks', 'apps', '--path', dir]);
    assert.equal(r.code, 1);
    assert.match(r.out, new RegExp(`► ConfigMap/${env.namespace}/stale deleted`));
    assert.doesNotMatch(r.out, /demo-settings deleted/);
  });

  it('builds offline from a Kustomization file with --dry-run', async () => {
    const file = join(dir, '..', `${env.namespace}-ks.yaml`);
    writeFileSync(file, `apiVersion: ${KS_V1}\nkind: Kustomization\nmetadata:\n  name: offline\n  namespace: elsewhere\nspec:\n  targetNamespace: offline\n  path: ./\n  prune: true\n  sourceRef: {kind: GitRepository, name: x}\n`);
    try {
      const r = await env.eddy(['build', 'ks', 'offline', '--path', dir, '--kustomization-file', file, '--dry-run', '--kubeconfig', '/nonexistent']);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /namespace: offline/);
      assert.match(r.out, /kustomize.toolkit.fluxcd.io\/namespace: elsewhere/);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('fails with exit code 2 for a path that does not exist', async () => {
    const r = await env.eddy(['diff', 'ks', 'apps', '--path', join(dir, 'missing')]);
    assert.equal(r.code, 2);
    assert.match(r.err, /✗ invalid resource path/);
  });
});
