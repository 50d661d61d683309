// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { TagStore, revisionOf, serializeTags } from '../store/tag-store.ts';
import { ImageUrlInvalidError, parseImageRepository } from './image-ref.ts';
import { formatMetaTime, scanRepository, shouldScan } from './scan.ts';
import type { ListTagsOptions, TagLister } from './scan.ts';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-scan-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parseImageRepository', () => {
  const ok: [string, string][] = [
    ['alpine', 'index.docker.io/library/alpine'],
    ['docker.io/library/alpine', 'index.docker.io/library/alpine'],
    ['stefanprodan/podinfo', 'index.docker.io/stefanprodan/podinfo'],
    ['ghcr.io/stefanprodan/podinfo', 'ghcr.io/stefanprodan/podinfo'],
    ['localhost:5000/team/app', 'localhost:5000/team/app'],
    ['127.0.0.1:5000/app', '127.0.0.1:5000/app'],
  ];
  for (const [image, canonical] of ok) {
    it(`${image} → ${canonical}`, () => assert.equal(parseImageRepository(image).canonicalName, canonical));
  }
  it('rejects schemes, tags and digests with Flux messages', () => {
    assert.throws(() => parseImageRepository('https://ghcr.io/a/b'), { message: "image 'https://ghcr.io/a/b' should not include URL scheme; remove 'https://'" });
    assert.throws(() => parseImageRepository('ghcr.io/a/b:1.0'), { message: "image 'ghcr.io/a/b:1.0' should not include a tag; remove ':1.0'" });
    assert.throws(() => parseImageRepository('alpine:3'), { message: "image 'alpine:3' should not include a tag; remove ':3'" });
    assert.throws(() => parseImageRepository('ghcr.io/a/b@sha256:abc'), ImageUrlInvalidError);
    assert.throws(() => parseImageRepository('ghcr.io/A/b'), ImageUrlInvalidError);
    assert.throws(() => parseImageRepository(''), ImageUrlInvalidError);
  });
});

/** A registry double for the pure scan logic (the real registry is exercised in integration tests). */
class ListedTags implements TagLister {
  calls: { repository: string; opts: ListTagsOptions }[] = [];
  constructor(private readonly tags: string[]) {}
  async listTags(repository: string, opts: ListTagsOptions): Promise<string[]> {
    this.calls.push({ repository, opts });
    return [...this.tags];
  }
}

describe('scanRepository', () => {
  it('excludes, sorts descending, stores and reports the 10 latest tags', async () => {
    const tags = ['1.0.0', 'sha256-x.sig', ...Array.from({ length: 12 }, (_, i) => `2.${i}.0`), 'latest'];
    const lister = new ListedTags(tags);
    const store = new TagStore({ dataDir: dir });
    const image = parseImageRepository('localhost:5000/app', true);
    const now = Date.parse('2026-03-01T10:00:00.750Z');
    const out = await scanRepository({ lister, store, repo: { namespace: 'ns', name: 'app' }, image, now });
    const sorted = tags.filter((t) => !t.endsWith('.sig')).sort().reverse();
    assert.equal(out.canonicalImageName, 'localhost:5000/app');
    assert.deepEqual(out.lastScanResult, {
      revision: revisionOf(serializeTags(sorted)),
      tagCount: 14,
      scanTime: '2026-03-01T10:00:00Z',
      latestTags: sorted.slice(0, 10),
    });
    assert.equal(sorted[0], 'latest');
    assert.deepEqual(out.observedExclusionList, ['^.*\\.sig$']);
    assert.deepEqual(await store.tags({ namespace: 'ns', name: 'app' }), sorted);
    assert.deepEqual(lister.calls[0], { repository: 'localhost:5000/app', opts: { insecure: true } });
  });

  it('omits latestTags for an empty repository', async () => {
    const out = await scanRepository({
      lister: new ListedTags([]),
      store: new TagStore({ dataDir: dir }),
      repo: { namespace: 'ns', name: 'empty' },
      image: parseImageRepository('ghcr.io/x/y'),
      now: 0,
      exclusionList: ['^latest$'],
    });
    assert.equal(out.lastScanResult.tagCount, 0);
    assert.equal('latestTags' in out.lastScanResult, false);
    assert.deepEqual(out.observedExclusionList, ['^latest$']);
  });
});

describe('shouldScan', () => {
  const base = {
    canonicalImageName: 'ghcr.io/a/b',
    intervalMs: 60_000,
    status: { canonicalImageName: 'ghcr.io/a/b', lastScanResult: { scanTime: formatMetaTime(0) }, observedExclusionList: ['^.*\\.sig$'] },
    storedTagCount: 3,
  };
  it('follows Flux reasons in order', () => {
    assert.deepEqual(shouldScan({ ...base, status: {} }, 0), { scan: true, reason: 'first scan' });
    assert.deepEqual(shouldScan({ ...base, requestedAt: 'x' }, 0), { scan: true, reason: 'reconcile requested' });
    assert.deepEqual(shouldScan({ ...base, canonicalImageName: 'ghcr.io/a/c' }, 0), { scan: true, reason: 'new image name' });
    assert.deepEqual(shouldScan({ ...base, exclusionList: ['x'] }, 0), { scan: true, reason: 'updated exclusion list' });
    assert.deepEqual(shouldScan({ ...base, storedTagCount: 0 }, 0), { scan: true, reason: 'no tags in database' });
    assert.deepEqual(shouldScan(base, 59_500), { scan: true, reason: 'triggered by interval' });
    assert.deepEqual(shouldScan(base, 10_000), { scan: false, nextInMs: 50_000 });
  });
});
