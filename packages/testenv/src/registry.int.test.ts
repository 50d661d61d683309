// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { HttpStatusError } from './errors.ts';
import { listTags } from './oci-push.ts';
import { startRegistry } from './registry.ts';

interface Manifest {
  artifactType?: string;
  config: { mediaType: string; digest: string };
  layers: { mediaType: string; digest: string; size: number }[];
  annotations?: Record<string, string>;
}

describe('startRegistry', () => {
  it('stores a pushed manifest and its layer, and lists its tags', async () => {
    const reg = await startRegistry();
    try {
      assert.match(reg.host, /^127\.0\.0\.1:\d+$/);
      const pushed = await reg.pushImage('apps/podinfo', 'v1.0.0', {
        files: { 'deploy/app.yaml': 'kind: ConfigMap\n' },
        mediaType: 'application/vnd.cncf.flux.content.v1.tar+gzip',
        configMediaType: 'application/vnd.cncf.flux.config.v1+json',
        annotations: { 'org.opencontainers.image.revision': 'main@sha1:abc' },
      });
      await reg.pushImage('apps/podinfo', 'v1.1.0');
      assert.deepEqual((await reg.listTags('apps/podinfo')).sort(), ['v1.0.0', 'v1.1.0']);
      assert.deepEqual(await reg.listTags('apps/missing'), []);

      const res = await fetch(`${reg.url}/v2/apps/podinfo/manifests/v1.0.0`, {
        headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
      });
      assert.equal(res.status, 200);
      const body = Buffer.from(await res.arrayBuffer());
      assert.equal(`sha256:${createHash('sha256').update(body).digest('hex')}`, pushed.digest);
      const manifest = JSON.parse(body.toString()) as Manifest;
      assert.equal(manifest.config.mediaType, 'application/vnd.cncf.flux.config.v1+json');
      assert.equal(manifest.annotations?.['org.opencontainers.image.revision'], 'main@sha1:abc');
      const layer = manifest.layers[0]!;
      assert.equal(layer.mediaType, 'application/vnd.cncf.flux.content.v1.tar+gzip');
      const blob = await fetch(`${reg.url}/v2/apps/podinfo/blobs/${layer.digest}`);
      assert.equal(blob.status, 200);
      const tar = gunzipSync(Buffer.from(await blob.arrayBuffer()));
      assert.match(tar.subarray(0, 100).toString(), /^deploy\/app\.yaml/);
      assert.ok(tar.includes('kind: ConfigMap\n'));
    } finally {
      await reg.stop();
    }
    assert.equal(existsSync(reg.dir), false);
  });

  it('pushes an OCI 1.1 artifact with artifactType and the empty config', async () => {
    const reg = await startRegistry();
    try {
      const { manifest } = await reg.pushImage('charts/podinfo', '6.0.0', {
        artifactType: 'application/vnd.eddy.test',
      });
      assert.equal(manifest.artifactType, 'application/vnd.eddy.test');
      assert.equal((manifest as unknown as Manifest).config.mediaType, 'application/vnd.oci.empty.v1+json');
      assert.deepEqual(await reg.listTags('charts/podinfo'), ['6.0.0']);
    } finally {
      await reg.stop();
    }
  });

  it('with auth, serves the credentials and refuses anonymous and wrong access', async () => {
    const reg = await startRegistry({ auth: { username: 'eddy', password: 's3cret' } });
    try {
      await reg.pushImage('private/app', 'latest');
      assert.deepEqual(await reg.listTags('private/app'), ['latest']);
      const anonymous = await fetch(`${reg.url}/v2/private/app/tags/list`);
      assert.equal(anonymous.status, 401);
      assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Basic realm="eddy-registry"/);
      const wrong = await fetch(`${reg.url}/v2/private/app/tags/list`, {
        headers: { authorization: `Basic ${Buffer.from('eddy:wrong').toString('base64')}` },
      });
      assert.equal(wrong.status, 401);
      await assert.rejects(
        listTags({ url: reg.url }, 'private/app'),
        (e: unknown) => e instanceof HttpStatusError && e.status === 401,
      );
    } finally {
      await reg.stop();
    }
  });
});
