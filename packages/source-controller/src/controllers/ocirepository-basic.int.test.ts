// SPDX-License-Identifier: Apache-2.0
/**
 * OCIRepository reconciler against a real apiserver and the testenv registry (distribution with
 * htpasswd auth): tag, semver (+ filter) and digest references, Flux's revisions and artifact paths,
 * manifest annotations as metadata, the skipped pull on an unchanged digest, `layerSelector` copy,
 * and failures (wrong credentials, missing tag, bad semver, URL with a tag) keeping the artifact.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { OCIRepository } from '@eddy/api/source/v1';
import type { Registry } from '@eddy/testenv';
import { startRegistry } from '@eddy/testenv';
import { tgzFiles } from '../testing/charts.ts';
import type { Harness } from '../testing/harness.ts';
import { cond, startHarness } from '../testing/harness.ts';
import { OCIRepositoryReconciler } from './ocirepository-reconciler.ts';

const OR = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'OCIRepository' } as const;
const FLUX_LAYER = 'application/vnd.cncf.flux.content.v1.tar+gzip';

describe('OCIRepository: basic', { timeout: 180_000 }, () => {
  let h: Harness;
  let registry: Registry;
  let reconciler: OCIRepositoryReconciler;
  const digests: Record<string, string> = {};
  const reconcile = (name: string, conformance = true): Promise<{ obj: OCIRepository; error?: unknown }> => h.reconcile<OCIRepository>(reconciler, OR, name, { conformance });
  const create = async (name: string, spec: Record<string, unknown>): Promise<void> => {
    await h.client.create({ ...OR, metadata: { name, namespace: h.ns }, spec: { interval: '1m', url: `oci://${registry.host}/apps/podinfo`, secretRef: { name: 'regcred' }, ...spec } } as never);
    await reconcile(name, false);
  };
  const update = async (name: string, spec: Record<string, unknown>): Promise<void> => {
    const cur = await h.fetch<OCIRepository>(OR, name);
    await h.client.update({ ...cur, spec: { ...cur.spec, ...spec } } as never);
  };
  const dockerConfig = (user: string, pass: string): string =>
    JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${user}:${pass}`).toString('base64') } } });

  before(async () => {
    h = await startHarness('ocirepo');
    registry = await startRegistry({ auth: { username: 'oci', password: 'pa55' } });
    for (const [tag, body] of [['v1.0.0', 'one'], ['v1.1.0', 'one-one'], ['v2.0.0-rc.1', 'two-rc'], ['latest', 'latest']] as const) {
      const res = await registry.pushImage('apps/podinfo', tag, {
        files: { 'deploy/app.yaml': `kind: ConfigMap # ${body}\n`, 'logo.png': 'png' },
        mediaType: FLUX_LAYER,
        configMediaType: 'application/vnd.cncf.flux.config.v1+json',
        annotations: { 'org.opencontainers.image.revision': `main@sha1:${'a'.repeat(40)}`, 'org.opencontainers.image.source': 'https://github.com/example/app' },
      });
      digests[tag] = res.digest;
    }
    await h.secret('regcred', { '.dockerconfigjson': dockerConfig('oci', 'pa55') }, 'kubernetes.io/dockerconfigjson');
    await h.secret('badcred', { '.dockerconfigjson': dockerConfig('oci', 'wrong') }, 'kubernetes.io/dockerconfigjson');
    reconciler = new OCIRepositoryReconciler({ client: h.client, storage: h.storage });
  });

  after(async () => {
    await registry?.stop();
    await h?.stop();
  });

  it('pulls a tag into an artifact with revision <tag>@sha256 and the manifest annotations', async () => {
    await create('tag', { ref: { tag: 'v1.0.0' } });
    const { obj, error } = await reconcile('tag');
    assert.equal(error, undefined);
    const art = obj.status!.artifact!;
    assert.equal(art.revision, `v1.0.0@${digests['v1.0.0']}`);
    assert.equal(art.path, `ocirepository/${h.ns}/tag/${digests['v1.0.0']}.tar.gz`);
    assert.equal(art.metadata?.['org.opencontainers.image.revision'], `main@sha1:${'a'.repeat(40)}`);
    assert.equal(art.metadata?.['org.opencontainers.image.source'], 'https://github.com/example/app');
    assert.equal(cond(obj, 'Ready')?.message, `stored artifact for digest 'v1.0.0@${digests['v1.0.0']}'`);
    assert.equal(obj.status?.url, `http://source-controller.test.svc/ocirepository/${h.ns}/tag/latest.tar.gz`);
    const files = await tgzFiles(h.storage.localPath(art));
    assert.equal(files['deploy/app.yaml'], 'kind: ConfigMap # one\n');
    assert.equal(files['logo.png'], undefined, 'default exclusions apply to extracted layers');
    const before = art.lastUpdateTime;
    const again = await reconcile('tag');
    assert.equal(again.obj.status?.artifact?.lastUpdateTime, before, 'an unchanged digest is not pulled again');
  });

  it('selects the highest semver tag, honours semverFilter, and pins digests', async () => {
    await create('semver', { ref: { semver: '>=1.0.0' } });
    const { obj } = await reconcile('semver');
    assert.equal(obj.status?.artifact?.revision, `v1.1.0@${digests['v1.1.0']}`);
    await update('semver', { ref: { semver: '*', semverFilter: '^v1\\.0' } });
    assert.equal((await reconcile('semver')).obj.status?.artifact?.revision, `v1.0.0@${digests['v1.0.0']}`);
    await create('digest', { ref: { digest: digests['v2.0.0-rc.1'], tag: 'v1.0.0' } });
    const pinned = await reconcile('digest');
    assert.equal(pinned.obj.status?.artifact?.revision, digests['v2.0.0-rc.1']);
    await create('latest', {});
    assert.equal((await reconcile('latest')).obj.status?.artifact?.revision, `latest@${digests.latest}`);
  });

  it('copies the selected layer as is with operation copy', async () => {
    await create('copy', { ref: { tag: 'v1.1.0' }, layerSelector: { mediaType: FLUX_LAYER, operation: 'copy' } });
    const { obj } = await reconcile('copy');
    const files = await tgzFiles(h.storage.localPath(obj.status!.artifact!));
    assert.equal(files['deploy/app.yaml'], 'kind: ConfigMap # one-one\n');
    assert.equal(files['logo.png'], 'png', 'the layer is stored unchanged');
    assert.deepEqual(obj.status?.observedLayerSelector, { mediaType: FLUX_LAYER, operation: 'copy' });
  });

  it('fails on wrong credentials, a missing tag or a bad semver range, keeping the artifact', async () => {
    const prev = (await h.fetch<OCIRepository>(OR, 'tag')).status!.artifact!;
    await update('tag', { secretRef: { name: 'badcred' }, ref: { tag: 'v1.1.0' } });
    const denied = await reconcile('tag');
    assert.ok(denied.error);
    assert.equal(cond(denied.obj, 'FetchFailed')?.reason, 'OCIArtifactPullFailed');
    assert.match(cond(denied.obj, 'FetchFailed')?.message ?? '', /failed to determine artifact digest: .*(401|authentication)/i);
    assert.deepEqual(denied.obj.status?.artifact, prev);
    await update('tag', { secretRef: { name: 'regcred' }, ref: { tag: 'v9.9.9' } });
    const missing = await reconcile('tag');
    assert.equal(cond(missing.obj, 'FetchFailed')?.reason, 'OCIArtifactPullFailed');
    assert.match(cond(missing.obj, 'FetchFailed')?.message ?? '', /404|not found/i);
    await update('tag', { ref: { semver: '>= nope' } });
    const bad = await reconcile('tag');
    assert.equal(cond(bad.obj, 'FetchFailed')?.reason, 'ReadOperationFailed');
    assert.match(cond(bad.obj, 'FetchFailed')?.message ?? '', /failed to determine the artifact tag for 'oci:\/\/.*': semver '>= nope' parse error/);
    assert.ok(existsSync(h.storage.localPath(prev)));
    assert.deepEqual(bad.obj.status?.artifact, prev);
  });

  it('stalls on a URL that carries a tag', async () => {
    await create('badurl', { url: `oci://${registry.host}/apps/podinfo:v1.0.0` });
    const { obj } = await reconcile('badurl');
    assert.equal(cond(obj, 'FetchFailed')?.reason, 'URLInvalid');
    assert.match(cond(obj, 'FetchFailed')?.message ?? '', /URL must not contain a tag; remove ':v1.0.0'/);
    assert.equal(cond(obj, 'Stalled')?.status, 'True');
  });
});
