// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { KubeconfigError, renderKubeconfig, serviceAccountUser } from './kubeconfig.ts';

const base = `apiVersion: v1
kind: Config
clusters:
- name: a
  cluster: {server: https://a:6443, certificate-authority: ca.crt}
- name: b
  cluster: {server: https://b:6443}
users:
- name: u
  user: {token: t0ken}
contexts:
- name: ctx-a
  context: {cluster: a, user: u}
- name: ctx-b
  context: {cluster: b, user: u}
current-context: ctx-b
`;

describe('renderKubeconfig', () => {
  it('keeps one context, absolutises file references, impersonates and sets the namespace', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kc-'));
    await writeFile(join(dir, 'config'), base);
    const out = parse(await renderKubeconfig({ kind: 'file', path: join(dir, 'config'), context: 'ctx-a' }, { impersonateUser: serviceAccountUser('apps', 'deployer'), namespace: 'apps' }));
    assert.equal(out.clusters.length, 1);
    assert.equal(out.clusters[0].cluster.server, 'https://a:6443');
    assert.equal(out.clusters[0].cluster['certificate-authority'], join(dir, 'ca.crt'));
    assert.deepEqual(out.users[0].user, { token: 't0ken', as: 'system:serviceaccount:apps:deployer' });
    assert.equal(out.contexts[0].context.namespace, 'apps');
  });
  it('uses the current context by default', async () => {
    const out = parse(await renderKubeconfig({ kind: 'inline', yaml: base.replace('certificate-authority: ca.crt', 'insecure-skip-tls-verify: false') }));
    assert.equal(out.clusters[0].cluster.server, 'https://b:6443');
  });
  it('rejects local file references and exec plugins in remote kubeconfigs (Flux rules)', async () => {
    await assert.rejects(renderKubeconfig({ kind: 'inline', yaml: base, context: 'ctx-a' }), KubeconfigError);
    const exec = base.replace('user: {token: t0ken}', 'user: {exec: {command: aws}}');
    await assert.rejects(renderKubeconfig({ kind: 'inline', yaml: exec }), /exec credential plugin/);
  });
});
