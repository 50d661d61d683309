// SPDX-License-Identifier: Apache-2.0
/**
 * HelmRepository reconciler against a real apiserver and the testenv chart repository (podinfo
 * packaged and indexed by the real helm, basic auth): index artifact and revision, new revision,
 * wrong credentials, missing Secret, malformed and oversize indexes, unknown host, OCI static
 * objects, deletion. The conformance checker runs after every reconcile.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { HelmRepository } from '@eddy/api/source/v1';
import type { ChartRepo } from '@eddy/testenv';
import { podinfoChartDir, startChartRepo } from '@eddy/testenv';
import type { Harness, StaticServer } from '../testing/harness.ts';
import { cond, startHarness, startStaticServer } from '../testing/harness.ts';
import { HelmRepositoryReconciler } from './helmrepository-reconciler.ts';

const HR = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository' } as const;

describe('HelmRepository: basic', { timeout: 180_000 }, () => {
  let h: Harness;
  let repo: ChartRepo;
  let files: StaticServer;
  let reconciler: HelmRepositoryReconciler;
  const reconcile = (name: string, conformance = true): Promise<{ obj: HelmRepository; error?: unknown }> =>
    h.reconcile<HelmRepository>(reconciler, HR, name, { conformance });
  const create = async (name: string, spec: Record<string, unknown>): Promise<void> => {
    await h.client.create({ ...HR, metadata: { name, namespace: h.ns }, spec: { interval: '1m', ...spec } } as never);
  };
  const served = async (): Promise<string> => {
    const res = await fetch(repo.indexUrl, { headers: { authorization: `Basic ${Buffer.from(`${repo.username}:${repo.password}`).toString('base64')}` } });
    return `sha256:${createHash('sha256').update(Buffer.from(await res.arrayBuffer())).digest('hex')}`;
  };

  before(async () => {
    h = await startHarness('helmrepo');
    repo = await startChartRepo({ auth: { username: 'charts', password: 's3cret' } });
    files = await startStaticServer();
    await h.secret('repo-auth', { username: 'charts', password: 's3cret' });
    await h.secret('wrong-auth', { username: 'charts', password: 'nope' });
    reconciler = new HelmRepositoryReconciler({ client: h.client, storage: h.storage, maxIndexSize: 1 << 20 });
  });

  after(async () => {
    await repo?.stop();
    await files?.stop();
    await h?.stop();
  });

  it('stores the index with revision sha256 of the downloaded index.yaml', async () => {
    await create('podinfo', { url: repo.url, secretRef: { name: 'repo-auth' } });
    const first = await reconcile('podinfo', false);
    assert.deepEqual(first.obj.metadata.finalizers, ['finalizers.fluxcd.io']);
    const { obj, error } = await reconcile('podinfo');
    assert.equal(error, undefined);
    const rev = await served();
    const art = obj.status!.artifact!;
    assert.equal(art.revision, rev);
    assert.equal(art.path, `helmrepository/${h.ns}/podinfo/index-${rev.slice(7)}.yaml`);
    assert.match(art.digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(obj.status?.url, `http://source-controller.test.svc/helmrepository/${h.ns}/podinfo/index.yaml`);
    const ready = cond(obj, 'Ready');
    assert.equal(ready?.status, 'True');
    assert.equal(ready?.reason, 'Succeeded');
    assert.equal(ready?.message, `stored artifact: revision '${rev}'`);
    assert.equal(obj.status?.observedGeneration, obj.metadata.generation);
    const stored = JSON.parse(readFileSync(h.storage.localPath(art), 'utf8')) as { apiVersion: string; entries: Record<string, Array<{ version: string; urls: string[] }>> };
    assert.equal(stored.apiVersion, 'v1');
    assert.equal(stored.entries.podinfo?.[0]?.version, repo.charts[0]!.version);
    assert.match(stored.entries.podinfo![0]!.urls[0]!, /podinfo-.*\.tgz$/);
    assert.equal(readFileSync(join(h.storeDir, 'helmrepository', h.ns, 'podinfo', 'index.yaml'), 'utf8'), readFileSync(h.storage.localPath(art), 'utf8'));
  });

  it('keeps the artifact when the index did not change, and moves to a new revision', async () => {
    const prev = (await h.fetch<HelmRepository>(HR, 'podinfo')).status!.artifact!;
    const same = await reconcile('podinfo');
    assert.deepEqual(same.obj.status?.artifact, prev);
    await repo.addChart(podinfoChartDir()!, '9.9.9');
    const { obj } = await reconcile('podinfo');
    assert.equal(obj.status?.artifact?.revision, await served());
    assert.notEqual(obj.status?.artifact?.revision, prev.revision);
    const stored = JSON.parse(readFileSync(h.storage.localPath(obj.status!.artifact!), 'utf8')) as { entries: Record<string, Array<{ version: string }>> };
    assert.equal(stored.entries.podinfo?.[0]?.version, '9.9.9', 'newest version first');
    assert.equal(cond(obj, 'ArtifactOutdated'), undefined);
  });

  it('reports wrong credentials as FetchFailed and keeps the previous artifact', async () => {
    const prev = (await h.fetch<HelmRepository>(HR, 'podinfo')).status!.artifact!;
    const cur = await h.fetch<HelmRepository>(HR, 'podinfo');
    await h.client.update({ ...cur, spec: { ...cur.spec, secretRef: { name: 'wrong-auth' } } } as never);
    const { obj, error } = await reconcile('podinfo');
    assert.ok(error);
    const ff = cond(obj, 'FetchFailed');
    assert.equal(ff?.reason, 'Failed');
    assert.match(ff?.message ?? '', /failed to fetch Helm repository index: .*401 Unauthorized/);
    assert.equal(cond(obj, 'Ready')?.status, 'False');
    assert.deepEqual(obj.status?.artifact, prev);
    assert.ok(existsSync(h.storage.localPath(prev)));
  });

  it('reports a missing Secret as AuthenticationFailed', async () => {
    await create('nosecret', { url: repo.url, secretRef: { name: 'absent' } });
    await reconcile('nosecret', false);
    const { obj, error } = await reconcile('nosecret');
    assert.ok(error);
    assert.equal(cond(obj, 'FetchFailed')?.reason, 'AuthenticationFailed');
    assert.match(cond(obj, 'FetchFailed')?.message ?? '', /secrets "absent" not found/);
  });

  it('reports a malformed index as IndexationFailed and an oversize one as Failed', async () => {
    writeFileSync(join(files.dir, 'index.yaml'), 'apiVersion: v1\nentries:\n  app:\n  - name: app\n    version: 1.0.0\n    bogus: field\n');
    await create('broken', { url: files.url });
    await reconcile('broken', false);
    const broken = await reconcile('broken');
    assert.ok(broken.error);
    assert.equal(cond(broken.obj, 'FetchFailed')?.reason, 'IndexationFailed');
    assert.match(cond(broken.obj, 'FetchFailed')?.message ?? '', /failed to load Helm repository from index YAML: .*unknown field "bogus"/);
    assert.equal(broken.obj.status?.artifact, undefined);
    writeFileSync(join(files.dir, 'index.yaml'), `apiVersion: v1\nentries: {}\n${'#'.repeat(2 << 20)}\n`);
    const big = await reconcile('broken');
    assert.match(cond(big.obj, 'FetchFailed')?.message ?? '', /index exceeds the maximum index file size of 1048576 bytes/);
    assert.equal(cond(big.obj, 'Ready')?.status, 'False');
  });

  it('reports an unknown host as FetchFailed', async () => {
    await create('nohost', { url: 'http://charts.invalid.' });
    await reconcile('nohost', false);
    const { obj } = await reconcile('nohost');
    assert.match(cond(obj, 'FetchFailed')?.message ?? '', /no such host/);
  });

  it('treats type oci as a static object: no finalizer, no status', async () => {
    await create('oci', { url: 'oci://ghcr.io/stefanprodan/charts', type: 'oci' });
    const { obj } = await reconcile('oci', false);
    assert.equal(obj.metadata.finalizers, undefined);
    assert.deepEqual(obj.status?.conditions ?? [], []);
    assert.equal(obj.status?.artifact, undefined);
  });

  it('removes the artifacts and the finalizer on deletion', async () => {
    const art = (await h.fetch<HelmRepository>(HR, 'podinfo')).status!.artifact!;
    await h.client.delete({ ...HR, namespace: h.ns, name: 'podinfo' });
    await reconcile('podinfo', false).catch(() => undefined);
    assert.equal(existsSync(h.storage.localPath(art)), false);
    assert.equal(await h.client.get({ ...HR, namespace: h.ns, name: 'podinfo' }), undefined);
  });
});
