// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeClock } from '@eddy/runtime/clock';
import { ArtifactServer } from '../testing/artifact-server.ts';
import { ArtifactError, ArtifactNotFoundError } from './errors.ts';
import { downloadArtifact, fetchArtifact, resolveArtifactURL } from './fetch.ts';

let server: ArtifactServer;
let work: string;
let n = 0;
before(async () => {
  server = await ArtifactServer.start();
  work = mkdtempSync(join(tmpdir(), 'fetch-test-'));
});
after(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

const dest = (): string => join(work, `out${n++}`);

/** Drives a fake clock until the promise settles (retry waits, timeouts). */
async function settle<T>(clock: FakeClock, p: Promise<T>): Promise<T> {
  let done = false;
  const tracked = p.finally(() => {
    done = true;
  });
  tracked.catch(() => undefined);
  for (let i = 0; i < 1000 && !done; i++) {
    await clock.advance(1000);
    await new Promise((r) => setImmediate(r));
  }
  return tracked;
}

describe('fetchArtifact', () => {
  it('downloads, verifies and extracts an artifact', async () => {
    const a = server.publishFiles('gitrepository/default/app/1.tar.gz', { 'deploy/cm.yaml': 'kind: ConfigMap\n' });
    const d = dest();
    const res = await fetchArtifact(a.url, a.digest, d, { dir: work } as never);
    assert.equal(readFileSync(join(d, 'deploy/cm.yaml'), 'utf8'), 'kind: ConfigMap\n');
    assert.equal(res.digest, a.digest);
    assert.equal(res.bytes, a.size);
    assert.deepEqual(
      readdirSync(work).filter((f) => f.startsWith('fetch.')),
      [],
      'the downloaded archive is removed',
    );
  });

  it('accepts a bare hex digest as sha256', async () => {
    const a = server.publishFiles('bare.tar.gz', { 'a.yaml': 'a: 1\n' });
    const d = dest();
    await fetchArtifact(a.url, a.digest.slice('sha256:'.length), d);
    assert.ok(existsSync(join(d, 'a.yaml')));
  });

  it('fails on a digest mismatch without extracting anything', async () => {
    const a = server.publishFiles('mismatch.tar.gz', { 'a.yaml': 'a: 1\n' });
    const d = dest();
    await assert.rejects(fetchArtifact(a.url, `sha256:${'0'.repeat(64)}`, d), (err: unknown) => {
      assert.ok(ArtifactError.is(err));
      assert.equal(err.code, 'DigestMismatch');
      assert.match(err.message, /computed digest doesn't match/);
      return true;
    });
    assert.equal(existsSync(d), false);
  });

  const badDigests: Array<[string | undefined, RegExp]> = [
    [undefined, /empty digest/],
    ['', /empty digest/],
    ['md5:abc', /unsupported digest algorithm/],
    ['sha256:XYZ', /invalid checksum digest format/],
    ['blake3:' + 'a'.repeat(64), /unsupported digest algorithm/],
  ];
  for (const [digest, match] of badDigests) {
    it(`rejects the digest ${JSON.stringify(digest)} before downloading`, async () => {
      const a = server.publishFiles(`bad-digest-${n++}.tar.gz`, { a: 'x' });
      await assert.rejects(downloadArtifact(a.url, digest), match);
      assert.equal(server.hits.get('/' + a.path) ?? 0, 0);
    });
  }

  it('reports 404 as ArtifactNotFoundError', async () => {
    await assert.rejects(downloadArtifact(`${server.baseURL}/missing.tar.gz`, `sha256:${'a'.repeat(64)}`), ArtifactNotFoundError);
  });

  it('retries 5xx with backoff and succeeds', async () => {
    const a = server.publishFiles('flaky.tar.gz', { 'a.yaml': 'a: 1\n' });
    let calls = 0;
    const body = readFileSyncFromServer(a.url);
    server.handlePath('flaky-proxy.tar.gz', (_req, res) => {
      calls++;
      if (calls < 3) res.writeHead(503).end('busy');
      else res.writeHead(200).end(body);
    });
    const clock = new FakeClock();
    const res = await settle(clock, downloadArtifact(`${server.baseURL}/flaky-proxy.tar.gz`, a.digest, { clock, dir: work }));
    assert.equal(calls, 3);
    assert.equal(res.digest, a.digest);
    rmSync(res.file);
  });

  it('gives up after the configured retries', async () => {
    let calls = 0;
    const url = server.handlePath('down.tar.gz', (_req, res) => {
      calls++;
      res.writeHead(502).end();
    });
    const clock = new FakeClock();
    await assert.rejects(settle(clock, downloadArtifact(url, `sha256:${'a'.repeat(64)}`, { clock, retries: 2 })), /giving up after 3 attempt\(s\).*status: 502/);
    assert.equal(calls, 3);
  });

  it('does not retry client errors', async () => {
    let calls = 0;
    const url = server.handlePath('forbidden.tar.gz', (_req, res) => {
      calls++;
      res.writeHead(403).end();
    });
    await assert.rejects(downloadArtifact(url, `sha256:${'a'.repeat(64)}`), /status: 403/);
    assert.equal(calls, 1);
  });

  it('caps the download size of a body without a trustworthy length', async () => {
    const url = server.handlePath('huge.tar.gz', (_req, res) => {
      res.writeHead(200);
      for (let i = 0; i < 8; i++) res.write(Buffer.alloc(8 << 10));
      res.end();
    });
    await assert.rejects(downloadArtifact(url, `sha256:${'a'.repeat(64)}`, { maxDownloadBytes: 1024, retries: 0 }), (err: unknown) => {
      assert.ok(ArtifactError.is(err));
      assert.equal(err.code, 'TooLarge');
      assert.match(err.message, /max download size of 1024 bytes/);
      return true;
    });
  });

  it('times out a stalled download with the injected clock', async () => {
    const url = server.handlePath('stalled.tar.gz', (_req, res) => {
      res.writeHead(200);
      res.write('x');
    });
    const clock = new FakeClock();
    await assert.rejects(settle(clock, downloadArtifact(url, `sha256:${'a'.repeat(64)}`, { clock, retries: 0, attemptTimeoutMs: 5000 })), /timed out after 5000ms/);
  });

  it('rewrites the host with the override, like SOURCE_CONTROLLER_LOCALHOST', async () => {
    const a = server.publishFiles('override.tar.gz', { 'a.yaml': 'a: 1\n' });
    const inCluster = a.url.replace(new URL(a.url).host, 'source-controller.flux-system.svc.cluster.local.');
    const d = dest();
    await fetchArtifact(inCluster, a.digest, d, { hostnameOverride: new URL(server.baseURL).host });
    assert.ok(existsSync(join(d, 'a.yaml')));
    assert.equal(resolveArtifactURL('http://a.example/x?y=1', 'localhost:9090'), 'http://localhost:9090/x?y=1');
  });

  it('rejects non-HTTP URLs', () => {
    assert.throws(() => resolveArtifactURL('file:///etc/passwd'), /unsupported scheme/);
    assert.throws(() => resolveArtifactURL('not a url'), /invalid URL/);
  });

  it('stops when the caller aborts', async () => {
    const url = server.handlePath('abort.tar.gz', () => undefined);
    const ac = new AbortController();
    const p = downloadArtifact(url, `sha256:${'a'.repeat(64)}`, { signal: ac.signal, attemptTimeoutMs: 0 });
    ac.abort(new Error('new revision'));
    await assert.rejects(p, /new revision/);
  });
});

/** Reads back the bytes of a published artifact by path (test plumbing). */
function readFileSyncFromServer(url: string): Buffer {
  const p = new URL(url).pathname;
  return (server as unknown as { files: Map<string, Buffer> }).files.get(p)!;
}
