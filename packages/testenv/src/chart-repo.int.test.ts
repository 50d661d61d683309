// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { parse } from 'yaml';
import { podinfoChartDir, startChartRepo } from './chart-repo.ts';

interface Index {
  apiVersion: string;
  entries: Record<string, { version: string; urls: string[]; digest: string }[]>;
}

describe('startChartRepo', () => {
  it('serves the podinfo fixture packaged by helm, listed in index.yaml', async () => {
    assert.ok(podinfoChartDir(), 'the podinfo fixture chart is present');
    const repo = await startChartRepo();
    try {
      assert.deepEqual(
        repo.charts.map((c) => c.name),
        ['podinfo'],
      );
      const res = await fetch(repo.indexUrl);
      assert.equal(res.status, 200);
      const index = parse(await res.text()) as Index;
      assert.equal(index.apiVersion, 'v1');
      const entry = index.entries.podinfo?.[0];
      assert.equal(entry?.version, repo.charts[0]!.version);
      assert.equal(entry?.urls[0], `${repo.url}/podinfo-${entry?.version}.tgz`);
      const tgz = await fetch(entry!.urls[0]!);
      assert.equal(tgz.status, 200);
      assert.ok(gunzipSync(Buffer.from(await tgz.arrayBuffer())).includes('podinfo/Chart.yaml'));
      assert.equal((await fetch(`${repo.url}/..%2f..%2fetc%2fpasswd`)).status, 404);
    } finally {
      await repo.stop();
    }
  });

  it('adds a chart under another version and requires credentials when asked', async () => {
    const work = mkdtempSync(join(tmpdir(), 'eddy-chart-'));
    const chart = join(work, 'podinfo');
    cpSync(podinfoChartDir()!, chart, { recursive: true });
    const repo = await startChartRepo({ charts: [], auth: { username: 'u', password: 'p' } });
    try {
      assert.equal((await fetch(repo.indexUrl)).status, 401);
      const auth = { authorization: `Basic ${Buffer.from('u:p').toString('base64')}` };
      assert.deepEqual((parse(await (await fetch(repo.indexUrl, { headers: auth })).text()) as Index).entries, {});
      await repo.addChart(chart, '7.0.0-rc.1');
      const index = parse(await (await fetch(repo.indexUrl, { headers: auth })).text()) as Index;
      assert.deepEqual(
        index.entries.podinfo?.map((e) => e.version),
        ['7.0.0-rc.1'],
      );
      assert.ok(existsSync(repo.charts[0]!.file));
    } finally {
      await repo.stop();
      rmSync(work, { recursive: true, force: true });
    }
  });
});
