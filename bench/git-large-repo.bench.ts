// SPDX-License-Identifier: Apache-2.0
/**
 * One Git repository of 10 000 files (set `BENCH_REPO_FILES`): the source-controller's own code
 * path — shallow clone with real git over HTTP with basic auth, `.sourceignore` filter, and the
 * reproducible tar.gz artifact — timed step by step, with the heap and RSS it costs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authFromSecret, cloneRepository } from '@eddy/runtime/git';
import { Storage, sourceIgnoreFilter } from '@eddy/source-controller';
import { startGitServer } from '@eddy/testenv';
import type { Benchmark, Figure } from './run.ts';

const FILES = Number(process.env.BENCH_REPO_FILES ?? 10_000);

/** A deployment-like YAML file of a few hundred bytes, distinct per index. */
function manifest(i: number): string {
  return [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    `  name: app-${i}`,
    '  namespace: bench',
    'data:',
    `  index: "${i}"`,
    `  payload: ${'x'.repeat(200 + (i % 64))}`,
    '',
  ].join('\n');
}

const mib = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;
const secs = (ms: number): number => Math.round(ms) / 1000;

const bench: Benchmark = {
  name: 'git-large-repo',
  description: `clone + package one repository of ${FILES} files (source-controller code path)`,
  needsControlPlane: false,
  async run(ctx) {
    const work = mkdtempSync(join(tmpdir(), 'eddy-bench-large-'));
    const git = await startGitServer({ ssh: false });
    try {
      const files: Record<string, string> = {};
      for (let i = 0; i < FILES; i++) files[`apps/team-${i % 100}/app-${i}.yaml`] = manifest(i);
      const t0 = performance.now();
      const repo = await git.createRepo('large', files);
      ctx.log(`repository of ${FILES} files created in ${secs(performance.now() - t0)}s`);

      const rssBefore = process.memoryUsage().rss;
      const heapBefore = process.memoryUsage().heapUsed;
      const auth = authFromSecret(repo.httpUrl, { username: git.username, password: git.password });
      const dir = join(work, 'checkout');
      const t1 = performance.now();
      const cloned = await cloneRepository(repo.httpUrl, dir, { auth, ref: { branch: 'main' } });
      const cloneMs = performance.now() - t1;

      const storage = new Storage({ basePath: join(work, 'storage'), hostname: '127.0.0.1' });
      const artifact = storage.newArtifactFor('GitRepository', 'bench', 'large', cloned.revision, 'large.tar.gz');
      const t2 = performance.now();
      const filter = await sourceIgnoreFilter(dir, undefined);
      await storage.archive(artifact, dir, { filter });
      const packageMs = performance.now() - t2;
      const usage = process.memoryUsage();
      ctx.log(`revision ${cloned.revision}, artifact ${artifact.size ?? 0} bytes`);
      const figures: Figure[] = [
        { name: 'shallow clone over HTTP (basic auth)', value: secs(cloneMs), unit: 's' },
        { name: 'ignore filter + reproducible tar.gz', value: secs(packageMs), unit: 's' },
        { name: 'clone + package', value: secs(cloneMs + packageMs), unit: 's' },
        { name: 'artifact size', value: mib(artifact.size ?? 0), unit: 'MiB' },
        { name: 'heapUsed delta', value: mib(usage.heapUsed - heapBefore), unit: 'MiB' },
        { name: 'RSS delta', value: mib(usage.rss - rssBefore), unit: 'MiB' },
      ];
      return figures;
    } finally {
      await git.stop();
      rmSync(work, { recursive: true, force: true });
    }
  },
};

export default bench;
