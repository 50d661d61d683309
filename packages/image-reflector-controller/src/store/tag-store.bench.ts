// SPDX-License-Identifier: Apache-2.0
/**
 * Benchmark: 10 000 tags through the store and the policies.
 *
 *   node --conditions=development --import tsx packages/image-reflector-controller/src/store/tag-store.bench.ts
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { selectLatestTag } from '../policy/filter.ts';
import { sortTagsDescending } from '../scan/scan.ts';
import { TagStore } from './tag-store.ts';

const N = 10_000;
const ROUNDS = 20;

function time(label: string, fn: () => unknown): void {
  fn();
  const start = performance.now();
  for (let i = 0; i < ROUNDS; i++) fn();
  console.log(`${label}: ${((performance.now() - start) / ROUNDS).toFixed(2)} ms`);
}

async function timeAsync(label: string, fn: () => Promise<unknown>): Promise<void> {
  await fn();
  const start = performance.now();
  for (let i = 0; i < ROUNDS; i++) await fn();
  console.log(`${label}: ${((performance.now() - start) / ROUNDS).toFixed(2)} ms`);
}

const tags = Array.from({ length: N }, (_, i) => (i % 3 === 0 ? `main-${(i * 7919).toString(16)}-${1_700_000_000 + i}` : `${i % 7}.${i % 97}.${i}`));
const dir = await mkdtemp(join(tmpdir(), 'eddy-bench-'));
try {
  const repo = { namespace: 'bench', name: 'repo' };
  const store = new TagStore({ dataDir: dir });
  await timeAsync('setTags (sort + atomic write + fsync)', () => store.setTags(repo, sortTagsDescending([...tags])));
  await timeAsync('tags (cold: read file + split)', () => new TagStore({ dataDir: dir }).tags(repo));
  await timeAsync('tags (warm: cached string + split)', () => store.tags(repo));
  const stored = await store.tags(repo);
  time('semver policy over 10k tags', () => selectLatestTag({ policy: { semver: { range: '>=1.0.0 <5' } } }, stored));
  time('alphabetical policy over 10k tags', () => selectLatestTag({ policy: { alphabetical: {} } }, stored));
  time('numerical + filter/extract over 10k tags', () =>
    selectLatestTag({ filterTags: { pattern: '^main-[a-f0-9]+-(?P<ts>[0-9]+)', extract: '$ts' }, policy: { numerical: {} } }, stored),
  );
  const size = (await stat(join(dir, 'imagerepository', 'bench', 'repo', 'tags.txt'))).size;
  console.log(`file: ${size} bytes; cache: ${store.cachedBytes} bytes for ${N} tags`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
