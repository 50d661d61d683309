// SPDX-License-Identifier: Apache-2.0
/** Unit tests of {@link ArtifactCache} against the loopback artifact server. */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ArtifactServer } from '../testing/artifact-server.ts';
import { ArtifactCache } from './cache.ts';
import { ArtifactError } from './errors.ts';

let server: ArtifactServer;
let work: string;
let n = 0;
before(async () => {
  server = await ArtifactServer.start();
  work = mkdtempSync(join(tmpdir(), 'cache-test-'));
});
after(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

const dest = (): string => join(work, `out${n++}`);
const hits = (url: string): number => server.hits.get(new URL(url).pathname) ?? 0;

describe('ArtifactCache', () => {
  it('downloads a digest once and gives every fetch a private copy', async () => {
    const a = server.publishFiles('gitrepository/default/one/1.tar.gz', { 'deploy/cm.yaml': 'kind: ConfigMap\n', 'kustomization.yaml': 'resources: [deploy/cm.yaml]\n' });
    const cache = new ArtifactCache({ parentDir: work });
    try {
      const dirs = [dest(), dest(), dest()];
      const outcomes = await Promise.all(dirs.map((d) => cache.fetch(a.url, a.digest, d)));
      assert.deepEqual(outcomes.sort(), ['hit', 'hit', 'miss']);
      assert.equal(hits(a.url), 1, 'concurrent fetches of one digest share one download');
      writeFileSync(join(dirs[0]!, 'kustomization.yaml'), 'changed by a build\n');
      const again = dest();
      assert.equal(await cache.fetch(a.url, a.digest, again), 'hit');
      assert.equal(readFileSync(join(again, 'kustomization.yaml'), 'utf8'), 'resources: [deploy/cm.yaml]\n', 'builds do not change the cached tree');
      assert.equal(readFileSync(join(dirs[2]!, 'deploy/cm.yaml'), 'utf8'), 'kind: ConfigMap\n');
      assert.equal(cache.size, 1);
      assert.ok(cache.bytes > 0);
    } finally {
      await cache.close();
    }
    assert.equal(readdirSync(work).filter((f) => f.startsWith('eddy-artifact-cache-')).length, 0, 'close removes the cache');
  });

  it('does not cache without a digest or after a failure', async () => {
    const a = server.publishFiles('gitrepository/default/two/1.tar.gz', { 'a.yaml': 'kind: A\n' });
    const cache = new ArtifactCache({ parentDir: work });
    try {
      await assert.rejects(cache.fetch(a.url, undefined, dest()), /empty digest/, 'no digest: fetched (and refused) as without a cache');
      const wrong = `sha256:${'0'.repeat(64)}`;
      await assert.rejects(cache.fetch(a.url, wrong, dest()), (err) => ArtifactError.is(err) && err.code === 'DigestMismatch');
      assert.equal(cache.size, 0, 'a failed fetch leaves nothing behind');
      assert.equal(await cache.fetch(a.url, a.digest, dest()), 'miss');
    } finally {
      await cache.close();
    }
  });

  it('evicts the least recently used artifacts beyond its bounds', async () => {
    const cache = new ArtifactCache({ parentDir: work, maxEntries: 2 });
    try {
      const arts = [1, 2, 3].map((i) => server.publishFiles(`gitrepository/default/lru/${i}.tar.gz`, { 'f.yaml': `n: ${i}\n` }));
      await cache.fetch(arts[0]!.url, arts[0]!.digest, dest());
      await cache.fetch(arts[1]!.url, arts[1]!.digest, dest());
      assert.equal(await cache.fetch(arts[0]!.url, arts[0]!.digest, dest()), 'hit');
      await cache.fetch(arts[2]!.url, arts[2]!.digest, dest());
      assert.equal(cache.size, 2);
      assert.equal(await cache.fetch(arts[0]!.url, arts[0]!.digest, dest()), 'hit', 'recently used is kept');
      assert.equal(await cache.fetch(arts[1]!.url, arts[1]!.digest, dest()), 'miss', 'least recently used was evicted');
    } finally {
      await cache.close();
    }
  });
});
