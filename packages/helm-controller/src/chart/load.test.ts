// SPDX-License-Identifier: Apache-2.0
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { c as tarCreate } from 'tar';
import { ArtifactFetchError } from './fetch.ts';
import { ChartLoadError, loadChart, ociDigestOf } from './load.ts';

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('loadChart', () => {
  let server: Server;
  let base: string;
  let tmp: string;
  const files = new Map<string, Buffer>();

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'load-'));
    const fixtures = join(import.meta.dirname, '..', '..', '..', '..', '..', 'shared', 'fixtures', 'charts');
    const tgz = join(tmp, 'podinfo.tgz');
    await tarCreate({ gzip: true, file: tgz, cwd: fixtures, portable: true }, ['podinfo']);
    files.set('/podinfo.tgz', await readFile(tgz));
    files.set('/notachart.tgz', files.get('/podinfo.tgz')!.subarray(0, 100));
    server = createServer((req, res) => {
      const b = files.get(req.url ?? '');
      res.writeHead(b ? 200 : 404).end(b);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(async () => {
    server.close();
    await rm(tmp, { recursive: true, force: true });
  });

  it('downloads, verifies and unpacks a chart; dispose removes everything', async () => {
    const c = await loadChart({ url: `${base}/podinfo.tgz`, digest: sha(files.get('/podinfo.tgz')!) }, { tmpDir: tmp });
    assert.deepEqual([c.name, c.version, c.appVersion, c.ociDigest], ['podinfo', '6.14.1', '6.14.1', undefined]);
    assert.ok(existsSync(join(c.path, 'templates', 'deployment.yaml')));
    await c.dispose();
    assert.ok(!existsSync(c.path));
  });

  it('appends the OCI digest to the version for OCIRepository sources, in Chart.yaml too', async () => {
    const digest = 'sha256:0cc9a8446c95009ef382f5eade883a67c257f77d50f84e78ecef2aac9428d1e5';
    const c = await loadChart({ url: `${base}/podinfo.tgz`, digest: sha(files.get('/podinfo.tgz')!), revision: `6.14.1@${digest}` }, { tmpDir: tmp, sourceKind: 'OCIRepository' });
    assert.equal(c.version, '6.14.1+0cc9a8446c95');
    assert.equal(c.ociDigest, digest);
    assert.match(await readFile(join(c.path, 'Chart.yaml'), 'utf8'), /^version: 6\.14\.1\+0cc9a8446c95$/m);
    await c.dispose();
  });

  it('rejects wrong digests, oversized artifacts, missing artifacts and non-charts', async () => {
    const url = `${base}/podinfo.tgz`;
    await assert.rejects(loadChart({ url, digest: sha(Buffer.from('x')) }, { tmpDir: tmp }), (e: unknown) => ArtifactFetchError.is(e) && e.kind === 'digest');
    await assert.rejects(loadChart({ url, digest: sha(files.get('/podinfo.tgz')!) }, { tmpDir: tmp, maxBytes: 1024 }), (e: unknown) => ArtifactFetchError.is(e) && e.kind === 'too-large');
    await assert.rejects(loadChart({ url: `${base}/gone.tgz`, digest: sha(Buffer.from('')) }, { tmpDir: tmp }), (e: unknown) => ArtifactFetchError.is(e) && e.kind === 'not-found');
    await assert.rejects(loadChart({ url: `${base}/notachart.tgz`, digest: sha(files.get('/notachart.tgz')!) }, { tmpDir: tmp }), ChartLoadError);
    await assert.rejects(loadChart({ url }, { tmpDir: tmp }), /artifact has no digest/);
  });

  it('parses OCI revisions', () => {
    assert.equal(ociDigestOf('6.5.3@sha256:0cc9a8446c95009e'), 'sha256:0cc9a8446c95009e');
    assert.equal(ociDigestOf('sha256:0cc9a8446c95009e'), 'sha256:0cc9a8446c95009e');
    assert.equal(ociDigestOf('6.5.3'), undefined);
  });
});
