// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { ByteLru } from './lru.ts';
import { InvalidTagStoreInputError, TagStore, revisionOf, serializeTags } from './tag-store.ts';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-tags-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const repo = { namespace: 'apps', name: 'podinfo' };

describe('TagStore', () => {
  it('stores tags in Flux filesystem layout and returns a sha256 revision of the content', async () => {
    const store = new TagStore({ dataDir: dir });
    const rev = await store.setTags(repo, ['6.1.0', '6.0.0', 'latest']);
    const file = await readFile(join(dir, 'imagerepository', 'apps', 'podinfo', 'tags.txt'), 'utf8');
    assert.equal(file, '6.1.0\n6.0.0\nlatest\n');
    assert.equal(rev, `sha256:${createHash('sha256').update(file).digest('hex')}`);
    assert.deepEqual(await store.tags(repo), ['6.1.0', '6.0.0', 'latest']);
    assert.equal(await store.revision(repo), rev);
  });

  it('reads lazily from disk in a fresh store and leaves no temp files', async () => {
    const fresh = new TagStore({ dataDir: dir });
    assert.equal(fresh.cachedBytes, 0);
    assert.deepEqual(await fresh.tags(repo), ['6.1.0', '6.0.0', 'latest']);
    assert.ok(fresh.cachedBytes > 0);
    assert.deepEqual(await readdir(join(dir, 'imagerepository', 'apps', 'podinfo')), ['tags.txt']);
  });

  it('returns no tags and no revision for an unknown repository', async () => {
    const store = new TagStore({ dataDir: dir });
    assert.deepEqual(await store.tags({ namespace: 'apps', name: 'missing' }), []);
    assert.equal(await store.revision({ namespace: 'apps', name: 'missing' }), undefined);
  });

  it('changes the revision exactly when the list changes', async () => {
    const store = new TagStore({ dataDir: dir });
    const a = await store.setTags(repo, ['b', 'a']);
    assert.equal(await store.setTags(repo, ['b', 'a']), a);
    assert.notEqual(await store.setTags(repo, ['c', 'b', 'a']), a);
  });

  it('serialises concurrent writers to the same repository (last write wins)', async () => {
    const store = new TagStore({ dataDir: dir });
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.setTags(repo, [`t${i}`])));
    assert.deepEqual(await new TagStore({ dataDir: dir }).tags(repo), ['t19']);
  });

  it('deletes a repository', async () => {
    const store = new TagStore({ dataDir: dir });
    await store.setTags({ namespace: 'apps', name: 'gone' }, ['1']);
    await store.delete({ namespace: 'apps', name: 'gone' });
    assert.deepEqual(await store.tags({ namespace: 'apps', name: 'gone' }), []);
  });

  it('rejects path-unsafe keys and tags with line breaks', async () => {
    const store = new TagStore({ dataDir: dir });
    await assert.rejects(store.setTags({ namespace: '..', name: 'x' }, []), InvalidTagStoreInputError);
    await assert.rejects(store.setTags({ namespace: 'a', name: 'b/c' }, []), InvalidTagStoreInputError);
    assert.throws(() => serializeTags(['ok', 'bad\ntag']), InvalidTagStoreInputError);
  });

  it('keeps memory bounded: the cache evicts least recently used repositories', async () => {
    const tags = Array.from({ length: 1000 }, (_, i) => `1.0.${i}`);
    const size = ByteLru.sizeOf(serializeTags(tags));
    const store = new TagStore({ dataDir: dir, maxCacheBytes: size * 2 });
    for (let i = 0; i < 5; i++) await store.setTags({ namespace: 'many', name: `r${i}` }, tags);
    assert.ok(store.cachedBytes <= size * 2);
    assert.equal((await store.tags({ namespace: 'many', name: 'r0' })).length, 1000);
  });

  it('round-trips 10 000 tags', async () => {
    const tags = Array.from({ length: 10_000 }, (_, i) => `v${Math.floor(i / 100)}.${i % 100}.0`);
    const store = new TagStore({ dataDir: dir });
    const rev = await store.setTags({ namespace: 'big', name: 'repo' }, tags);
    assert.equal(rev, revisionOf(serializeTags(tags)));
    assert.deepEqual(await new TagStore({ dataDir: dir }).tags({ namespace: 'big', name: 'repo' }), tags);
  });
});

describe('ByteLru', () => {
  it('evicts in least-recently-used order and skips oversize values', () => {
    const lru = new ByteLru(12);
    lru.set('a', 'xx');
    lru.set('b', 'xx');
    lru.set('c', 'xx');
    assert.equal(lru.get('a'), 'xx');
    lru.set('d', 'xx');
    assert.equal(lru.get('b'), undefined);
    assert.equal(lru.get('a'), 'xx');
    lru.set('huge', 'x'.repeat(10));
    assert.equal(lru.get('huge'), undefined);
    assert.equal(lru.bytes, 12);
  });
});
