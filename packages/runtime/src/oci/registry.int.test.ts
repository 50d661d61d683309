// SPDX-License-Identifier: Apache-2.0
/** The OCI client against the real distribution registry of `@eddy/testenv`. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { extract } from 'tar';
import type { Registry } from '@eddy/testenv';
import { startRegistry } from '@eddy/testenv';
import { OciClient, sha256Digest } from './client.ts';
import { credentialsFromDockerConfig } from './credentials.ts';
import { OciError } from './errors.ts';
import { MediaTypes } from './reference.ts';
import { ociRevision, selectTagBySemver } from './revision.ts';

describe('OCI client against the testenv registry', () => {
  let registry: Registry;
  const creds = { username: 'eddy', password: 'registry-secret' };
  const digests: Record<string, string> = {};
  const tmp = mkdtempSync(join(tmpdir(), 'eddy-ociint-'));

  before(async () => {
    registry = await startRegistry({ auth: creds });
    for (const tag of ['6.0.0', '6.1.0', '6.2.0-rc.1', 'latest']) {
      const pushed = await registry.pushImage('apps/podinfo', tag, {
        files: { 'deploy/app.yaml': `version: ${tag}\n` },
        mediaType: MediaTypes.fluxContent,
        configMediaType: MediaTypes.fluxConfig,
        annotations: { 'org.opencontainers.image.revision': `main@sha1:${'a'.repeat(40)}` },
      });
      digests[tag] = pushed.digest;
    }
  });
  after(async () => {
    await registry?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  const dockerConfig = (): string =>
    JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${creds.username}:${creds.password}`).toString('base64') } } });
  const client = (): OciClient => new OciClient({ insecure: true, credentials: credentialsFromDockerConfig(dockerConfig(), registry.host)! });

  it('lists tags (paged) and selects by semver', async () => {
    const tags = await client().listTags(`${registry.host}/apps/podinfo`, 2);
    assert.deepEqual([...tags].sort(), ['6.0.0', '6.1.0', '6.2.0-rc.1', 'latest']);
    assert.equal(selectTagBySemver(tags, '>=6.0.0'), '6.1.0');
    assert.equal(selectTagBySemver(tags, '>=6.2.0-0'), '6.2.0-rc.1');
  });

  it('pulls by tag and by digest, and streams the verified layer', async () => {
    const c = client();
    const byTag = await c.getManifest(`oci://${registry.host}/apps/podinfo:6.1.0`);
    assert.equal(byTag.digest, digests['6.1.0']);
    assert.equal(ociRevision('6.1.0', byTag.digest), `6.1.0@${digests['6.1.0']}`);
    assert.equal(byTag.manifest.annotations?.['org.opencontainers.image.revision'], `main@sha1:${'a'.repeat(40)}`);
    const byDigest = await c.getManifest(`${registry.host}/apps/podinfo@${digests['6.0.0']}`);
    assert.equal(sha256Digest(byDigest.raw), digests['6.0.0']);
    const head = await c.headManifest(`${registry.host}/apps/podinfo:latest`);
    assert.equal(head.digest, digests.latest);
    const layer = byTag.manifest.layers[0]!;
    assert.equal(layer.mediaType, MediaTypes.fluxContent);
    const stream = await c.fetchBlob(`${registry.host}/apps/podinfo`, layer.digest);
    const dest = join(tmp, 'layer');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dest);
    await new Promise<void>((ok, fail) => {
      const x = extract({ cwd: dest, strict: true });
      x.on('close', ok);
      x.on('error', fail);
      Readable.fromWeb(stream as never).pipe(x as unknown as NodeJS.WritableStream);
    });
    assert.equal(readFileSync(join(dest, 'deploy/app.yaml'), 'utf8'), 'version: 6.1.0\n');
  });

  it('refuses a digest that does not match and blobs over the size cap', async () => {
    const c = client();
    const wrong = `sha256:${'0'.repeat(64)}`;
    await assert.rejects(c.getManifest(`${registry.host}/apps/podinfo@${wrong}`), (e) => OciError.is(e, 'NotFound') || OciError.is(e, 'DigestMismatch'));
    const m = await c.getManifest(`${registry.host}/apps/podinfo:6.0.0`);
    await assert.rejects(c.blobBytes(`${registry.host}/apps/podinfo`, m.manifest.layers[0]!.digest, 10), (e) => OciError.is(e, 'TooLarge'));
  });

  it('reports missing tags and wrong or missing credentials', async () => {
    await assert.rejects(client().getManifest(`${registry.host}/apps/podinfo:9.9.9`), (e) => OciError.is(e, 'NotFound'));
    const anonymous = new OciClient({ insecure: true });
    await assert.rejects(anonymous.listTags(`${registry.host}/apps/podinfo`), (e) => OciError.is(e, 'Unauthorized'));
    const wrong = new OciClient({ insecure: true, credentials: { username: 'eddy', password: 'nope' } });
    await assert.rejects(wrong.getManifest(`${registry.host}/apps/podinfo:6.0.0`), (e) => OciError.is(e, 'Unauthorized'));
  });

  it('pushes blobs and manifests that pull back identically', async () => {
    const c = client();
    const repo = `${registry.host}/eddy/pushed`;
    const layer = await c.pushBlob(repo, Buffer.from('layer-bytes'), MediaTypes.fluxContent);
    const cfg = await c.pushBlob(repo, Buffer.from('{}'), MediaTypes.fluxConfig);
    const digest = await c.pushManifest(repo, 'v1', { schemaVersion: 2, mediaType: MediaTypes.ociManifest, config: cfg, layers: [layer] });
    const back = await c.getManifest(`${repo}:v1`);
    assert.equal(back.digest, digest);
    assert.equal(Buffer.from(await c.blobBytes(repo, layer.digest)).toString(), 'layer-bytes');
  });
});
