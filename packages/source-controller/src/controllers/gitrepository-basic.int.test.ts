// SPDX-License-Identifier: Apache-2.0
/**
 * GitRepository reconciler against a real apiserver and the testenv git server: artifact on a
 * branch, new revision, failures keeping the previous artifact, missing secret. The conformance
 * checker runs after every reconcile.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { GitRepository } from '@eddy/api/source/v1';
import { SOURCE_NEGATIVE_POLARITY } from '@eddy/api/source/v1';
import { DynamicClient } from '@eddy/runtime/client';
import { get } from '@eddy/runtime/conditions';
import { checkConditions } from '@eddy/runtime/conformance';
import { createLogger } from '@eddy/runtime/log';
import type { GitServer } from '@eddy/testenv';
import { randomNamespaceName, startGitServer, useControlPlane } from '@eddy/testenv';
import { Storage } from '../storage/storage.ts';
import { GitRepositoryReconciler } from './gitrepository-reconciler.ts';

const GR = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' } as const;

describe('GitRepository: basic', { timeout: 180_000 }, () => {
  const ns = randomNamespaceName('gitrepo');
  let client: DynamicClient;
  let server: GitServer;
  let reconciler: GitRepositoryReconciler;
  let storage: Storage;
  let repoUrl = '';
  let firstCommit = '';
  const storeDir = mkdtempSync(join(tmpdir(), 'eddy-sc-store-'));
  const log = createLogger({ level: 'error', stream: new PassThrough() });

  const fetchObj = async (name: string): Promise<GitRepository> => (await client.get<GitRepository>({ ...GR, namespace: ns, name }))!;
  const reconcile = async (name: string, conformance = true): Promise<{ obj: GitRepository; error?: unknown }> => {
    let error: unknown;
    try {
      await reconciler.reconcile({ namespace: ns, name }, { signal: new AbortController().signal, log, reconcileId: 't' });
    } catch (err) {
      error = err;
    }
    const obj = await fetchObj(name);
    if (conformance) {
      const violations = checkConditions(obj as never, { negativePolarity: SOURCE_NEGATIVE_POLARITY });
      assert.deepEqual(violations, [], `conformance after reconcile: ${JSON.stringify(obj.status?.conditions)}`);
    }
    return error === undefined ? { obj } : { obj, error };
  };
  const create = async (name: string, spec: Record<string, unknown>): Promise<void> => {
    await client.create({ ...GR, metadata: { name, namespace: ns }, spec: { interval: '1m', ...spec } } as never);
  };

  before(async () => {
    const cp = await useControlPlane();
    client = new DynamicClient({ kubeconfig: cp.kubeconfigPath });
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    server = await startGitServer({ auth: 'basic' });
    const repo = await server.createRepo('app', { 'deploy/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\n', 'logo.png': 'png' }, { branch: 'main' });
    repoUrl = repo.httpUrl;
    firstCommit = repo.commit!;
    await client.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'git-auth', namespace: ns },
      stringData: { username: server.username, password: server.password },
    } as never);
    storage = new Storage({ basePath: storeDir, hostname: 'source-controller.test.svc' });
    reconciler = new GitRepositoryReconciler({ client, storage });
  });

  after(async () => {
    await client?.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
    client?.close();
    await server?.stop();
    rmSync(storeDir, { recursive: true, force: true });
  });

  it('adds the finalizer, then stores an artifact for the branch head', async () => {
    await create('app', { url: repoUrl, secretRef: { name: 'git-auth' }, ref: { branch: 'main' } });
    const first = await reconcile('app', false);
    assert.deepEqual(first.obj.metadata.finalizers, ['finalizers.fluxcd.io']);
    const { obj } = await reconcile('app');
    const rev = `main@sha1:${firstCommit}`;
    assert.equal(obj.status?.artifact?.revision, rev);
    assert.equal(obj.status?.artifact?.path, `gitrepository/${ns}/app/${firstCommit}.tar.gz`);
    assert.equal(obj.status?.artifact?.url, `http://source-controller.test.svc/gitrepository/${ns}/app/${firstCommit}.tar.gz`);
    assert.match(obj.status?.artifact?.digest ?? '', /^sha256:[0-9a-f]{64}$/);
    const ready = get(obj as never, 'Ready');
    assert.equal(ready?.status, 'True');
    assert.equal(ready?.reason, 'Succeeded');
    assert.equal(ready?.message, `stored artifact for revision '${rev}'`);
    assert.equal(get(obj as never, 'ArtifactInStorage')?.status, 'True');
    assert.equal(obj.status?.observedGeneration, obj.metadata.generation);
    assert.equal(await storage.exists(obj.status!.artifact!), true);
  });

  it('keeps the artifact when nothing changed, and moves to a new revision', async () => {
    const before = (await fetchObj('app')).status!.artifact!;
    const same = await reconcile('app');
    assert.deepEqual(same.obj.status?.artifact, before);
    const sha = await server.commitFiles('app', { 'deploy/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n' });
    const { obj } = await reconcile('app');
    assert.equal(obj.status?.artifact?.revision, `main@sha1:${sha}`);
    assert.notEqual(obj.status?.artifact?.digest, before.digest);
    assert.equal(get(obj as never, 'ArtifactOutdated'), undefined);
    assert.equal(get(obj as never, 'Ready')?.status, 'True');
  });

  it('reports a missing branch as FetchFailed and keeps the previous artifact', async () => {
    const prev = (await fetchObj('app')).status!.artifact!;
    const obj = await fetchObj('app');
    await client.update({ ...obj, spec: { ...obj.spec, ref: { branch: 'missing' } } } as never);
    const res = await reconcile('app');
    assert.ok(res.error, 'the reconcile fails so the queue retries');
    const fetchFailed = get(res.obj as never, 'FetchFailed');
    assert.equal(fetchFailed?.reason, 'GitOperationFailed');
    assert.match(fetchFailed?.message ?? '', /failed to checkout and determine revision/);
    assert.equal(get(res.obj as never, 'Ready')?.status, 'False');
    assert.deepEqual(res.obj.status?.artifact, prev);
    assert.equal(existsSync(storage.localPath(prev)), true);
  });

  it('reports a missing secret as AuthenticationFailed', async () => {
    await create('nosecret', { url: repoUrl, secretRef: { name: 'absent' } });
    await reconcile('nosecret', false);
    const { obj, error } = await reconcile('nosecret');
    assert.ok(error);
    assert.equal(get(obj as never, 'FetchFailed')?.reason, 'AuthenticationFailed');
    assert.equal(get(obj as never, 'Ready')?.status, 'False');
  });

  it('removes the artifacts and the finalizer on deletion', async () => {
    const art = (await fetchObj('app')).status!.artifact!;
    await client.delete({ ...GR, namespace: ns, name: 'app' });
    await reconciler.reconcile({ namespace: ns, name: 'app' }, { signal: new AbortController().signal, log, reconcileId: 'd' });
    assert.equal(existsSync(storage.localPath(art)), false);
    assert.equal(await client.get({ ...GR, namespace: ns, name: 'app' }), undefined);
  });
});
