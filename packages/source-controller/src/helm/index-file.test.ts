// SPDX-License-Identifier: Apache-2.0
/** The streamed index normaliser: Flux's `IndexFromBytes` rules, chunked and whole-file paths agreeing, chart lookup. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { IndexError, normalizeIndex, readChartVersions } from './index-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'eddy-index-test-'));
let n = 0;
async function normalize(text: string): Promise<{ out: Record<string, unknown>; file: string }> {
  const src = join(dir, `in-${++n}.yaml`);
  const file = join(dir, `out-${n}.json`);
  writeFileSync(src, text);
  await normalizeIndex(src, file);
  return { out: JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>, file };
}

const BLOCK = `apiVersion: v1
entries:
  # a comment between charts
  zeta:
  - apiVersion: v2
    name: zeta
    version: 1.0.0
    appVersion: 1.0
    description: |
      multi-line
      text: with a colon
    urls:
    - zeta-1.0.0.tgz
    created: "2024-01-01T00:00:00Z"
  "alpha":
    - name: alpha
      version: 0.9.0
      urls: [alpha-0.9.0.tgz]
    - name: alpha
      version: 1.10.0
      deprecated: yes
      urls: [alpha-1.10.0.tgz]
    - name: alpha
      version: not-a-version
    - name: alpha/../x
      version: 2.0.0
generated: "2024-05-01T10:00:00Z"
`;

describe('normalizeIndex', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('validates, filters and sorts chart versions, keeping scalar text', async () => {
    const { out, file } = await normalize(BLOCK);
    const entries = out.entries as Record<string, Array<Record<string, unknown>>>;
    assert.deepEqual(Object.keys(entries), ['alpha', 'zeta'], 'charts in name order');
    assert.deepEqual(entries.alpha!.map((v) => v.version), ['1.10.0', '0.9.0'], 'invalid versions dropped, newest first');
    assert.equal(entries.alpha![0]!.deprecated, true);
    assert.equal(entries.alpha![0]!.apiVersion, 'v1', 'apiVersion defaults to v1');
    assert.equal(entries.zeta![0]!.appVersion, '1.0', 'a number read into a string keeps its text');
    assert.equal(entries.zeta![0]!.description, 'multi-line\ntext: with a colon\n');
    assert.equal(out.generated, '2024-05-01T10:00:00Z');
    assert.deepEqual((await readChartVersions(file, 'zeta'))?.map((v) => v.version), ['1.0.0']);
    assert.equal(await readChartVersions(file, 'absent'), undefined);
  });

  it('gives the same result for flow-style YAML and JSON (parsed whole)', async () => {
    const block = (await normalize(BLOCK)).out;
    const doc = {
      apiVersion: 'v1',
      entries: {
        zeta: [{ apiVersion: 'v2', name: 'zeta', version: '1.0.0', appVersion: '1.0', description: 'multi-line\ntext: with a colon\n', urls: ['zeta-1.0.0.tgz'], created: '2024-01-01T00:00:00Z' }],
        alpha: [
          { name: 'alpha', version: '0.9.0', urls: ['alpha-0.9.0.tgz'] },
          { name: 'alpha', version: '1.10.0', deprecated: true, urls: ['alpha-1.10.0.tgz'] },
        ],
      },
      generated: '2024-05-01T10:00:00Z',
    };
    assert.deepEqual((await normalize(JSON.stringify(doc))).out, block);
    assert.deepEqual((await normalize(`{apiVersion: v1, entries: ${JSON.stringify(doc.entries)}, generated: "2024-05-01T10:00:00Z"}`)).out, block);
  });

  it('refuses what Flux refuses', async () => {
    await assert.rejects(normalize(''), (e: Error) => e instanceof IndexError && e.message === 'empty index.yaml file');
    await assert.rejects(normalize('entries: {}\n'), /no API version specified/);
    await assert.rejects(normalize('apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    bogus: 1\n'), /unknown field "bogus"/);
    await assert.rejects(normalize('apiVersion: v1\nextra: 1\nentries: {}\n'), /unknown field "extra"/);
    await assert.rejects(normalize('apiVersion: v1\nentries:\n  a: []\n  a: []\n'), /mapping key "a" already defined/);
  });
});
