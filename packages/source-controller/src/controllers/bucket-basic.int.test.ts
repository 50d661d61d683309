// SPDX-License-Identifier: Apache-2.0
/**
 * Bucket reconciler against a real apiserver and a real S3 server (versitygw, SigV4 verified):
 * revision = digest of the sorted `<key> <etag>` index, prefix and `.sourceignore`/`spec.ignore`
 * filtering, paging past 1000 keys, new revisions, and failures (wrong keys, missing bucket,
 * missing or malformed Secret) keeping the previous artifact.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Bucket } from '@eddy/api/source/v1';
import { tgzFiles } from '../testing/charts.ts';
import type { Harness } from '../testing/harness.ts';
import { cond, startHarness } from '../testing/harness.ts';
import type { S3Server } from '../testing/s3-server.ts';
import { startS3Server } from '../testing/s3-server.ts';
import { BucketReconciler } from './bucket-reconciler.ts';

const B = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'Bucket' } as const;
const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

describe('Bucket: basic', { timeout: 180_000 }, () => {
  let h: Harness;
  let s3: S3Server;
  let reconciler: BucketReconciler;
  const reconcile = (name: string, conformance = true): Promise<{ obj: Bucket; error?: unknown }> => h.reconcile<Bucket>(reconciler, B, name, { conformance });
  const create = async (name: string, spec: Record<string, unknown>): Promise<void> => {
    await h.client.create({ ...B, metadata: { name, namespace: h.ns }, spec: { interval: '1m', bucketName: 'fleet', endpoint: s3.endpoint, insecure: true, secretRef: { name: 's3-keys' }, ...spec } } as never);
    await reconcile(name, false);
  };
  const update = async (name: string, spec: Record<string, unknown>): Promise<void> => {
    const cur = await h.fetch<Bucket>(B, name);
    await h.client.update({ ...cur, spec: { ...cur.spec, ...spec } } as never);
  };
  const expectedRevision = (entries: Record<string, string>): string => {
    const lines = Object.keys(entries)
      .sort()
      .map((k) => `${k} ${md5(entries[k]!)}\n`)
      .join('');
    return `sha256:${createHash('sha256').update(lines).digest('hex')}`;
  };

  const objects: Record<string, string> = {
    'apps/podinfo.yaml': 'kind: HelmRelease\n',
    'apps/notes.md': '# notes\n',
    'infra/ns.yaml': 'kind: Namespace\n',
    '.sourceignore': '*.md\n',
  };

  before(async () => {
    h = await startHarness('bucket');
    s3 = await startS3Server();
    await s3.client.createBucket('fleet');
    for (const [k, v] of Object.entries(objects)) await s3.client.putObject('fleet', k, v);
    await h.secret('s3-keys', { accesskey: s3.accessKey, secretkey: s3.secretKey });
    await h.secret('wrong-keys', { accesskey: s3.accessKey, secretkey: 'not-the-secret' });
    await h.secret('partial-keys', { accesskey: s3.accessKey });
    reconciler = new BucketReconciler({ client: h.client, storage: h.storage });
  });

  after(async () => {
    await s3?.stop();
    await h?.stop();
  });

  it('stores the objects with revision sha256 of the sorted etag index', async () => {
    await create('fleet', {});
    const { obj, error } = await reconcile('fleet');
    assert.equal(error, undefined);
    const rev = expectedRevision({ 'apps/podinfo.yaml': objects['apps/podinfo.yaml']!, 'infra/ns.yaml': objects['infra/ns.yaml']! });
    const art = obj.status!.artifact!;
    assert.equal(art.revision, rev, '.sourceignore excluded *.md and itself');
    assert.equal(art.path, `bucket/${h.ns}/fleet/${rev.slice(7)}.tar.gz`);
    assert.equal(cond(obj, 'Ready')?.message, `stored artifact: revision '${rev}'`);
    const files = await tgzFiles(h.storage.localPath(art));
    assert.deepEqual(Object.keys(files).filter((f) => !f.endsWith('/')).sort(), ['apps/podinfo.yaml', 'infra/ns.yaml']);
    const same = await reconcile('fleet');
    assert.deepEqual(same.obj.status?.artifact, art);
  });

  it('narrows by prefix and spec.ignore, and moves to a new revision on change', async () => {
    await update('fleet', { prefix: 'apps/', ignore: 'infra/\n' });
    const narrowed = await reconcile('fleet');
    assert.equal(narrowed.obj.status?.artifact?.revision, expectedRevision({ 'apps/podinfo.yaml': objects['apps/podinfo.yaml']! }));
    await s3.client.putObject('fleet', 'apps/podinfo.yaml', 'kind: HelmRelease\nspec: {}\n');
    const moved = await reconcile('fleet');
    assert.equal(moved.obj.status?.artifact?.revision, expectedRevision({ 'apps/podinfo.yaml': 'kind: HelmRelease\nspec: {}\n' }));
    assert.equal(cond(moved.obj, 'ArtifactOutdated'), undefined);
  });

  it('lists past one page of keys', async () => {
    await s3.client.createBucket('many');
    const entries: Record<string, string> = {};
    for (let i = 0; i < 1005; i++) entries[`k/${String(i).padStart(4, '0')}.yaml`] = `i: ${i}\n`;
    await Promise.all(Object.entries(entries).map(([k, v]) => s3.client.putObject('many', k, v)));
    await create('many', { bucketName: 'many' });
    const { obj } = await reconcile('many');
    assert.equal(obj.status?.artifact?.revision, expectedRevision(entries));
  });

  it('fails on wrong keys, a missing bucket and a malformed Secret, keeping the artifact', async () => {
    const prev = (await h.fetch<Bucket>(B, 'fleet')).status!.artifact!;
    await update('fleet', { secretRef: { name: 'wrong-keys' } });
    const denied = await reconcile('fleet');
    assert.ok(denied.error);
    assert.equal(cond(denied.obj, 'FetchFailed')?.reason, 'BucketOperationFailed');
    assert.match(cond(denied.obj, 'FetchFailed')?.message ?? '', /failed to confirm existence of 'fleet' bucket: /);
    assert.deepEqual(denied.obj.status?.artifact, prev);
    assert.ok(existsSync(h.storage.localPath(prev)));
    await update('fleet', { secretRef: { name: 's3-keys' }, bucketName: 'absent' });
    const missing = await reconcile('fleet');
    assert.equal(cond(missing.obj, 'FetchFailed')?.message, "bucket 'absent' not found");
    await update('fleet', { secretRef: { name: 'partial-keys' }, bucketName: 'fleet' });
    const partial = await reconcile('fleet');
    assert.equal(cond(partial.obj, 'FetchFailed')?.reason, 'AuthenticationFailed');
    assert.equal(cond(partial.obj, 'FetchFailed')?.message, "invalid 'partial-keys' secret data: required fields 'accesskey' and 'secretkey'");
    assert.equal(cond(partial.obj, 'Ready')?.status, 'False');
  });
});
