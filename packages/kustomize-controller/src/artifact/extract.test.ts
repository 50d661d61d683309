// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { tarBytes, tarGz, type TarEntry } from '../testing/tarball.ts';
import { ArtifactError, ArtifactLimitError, UnsafeArchiveEntryError } from './errors.ts';
import { extractArchive, unsafeEntryName, unsafeLinkTarget, type ExtractOptions } from './extract.ts';

let work: string;
let n = 0;
before(() => {
  work = mkdtempSync(join(tmpdir(), 'extract-test-'));
});
after(() => rmSync(work, { recursive: true, force: true }));

function archive(data: Buffer): string {
  const p = join(work, `a${n++}.tar.gz`);
  writeFileSync(p, data);
  return p;
}

function dest(): string {
  return join(work, `out${n++}`);
}

/** Asserts that nothing but the archives was written to the work dir by a failed extraction. */
function assertNoLeftovers(target: string): void {
  assert.equal(existsSync(target), false, 'destination must not exist');
  assert.deepEqual(
    readdirSync(work).filter((f) => f.startsWith('.extract-')),
    [],
    'staging directories must be removed',
  );
}

describe('extractArchive', () => {
  it('extracts files and directories of an ordinary artifact', async () => {
    const d = dest();
    const res = await extractArchive(
      archive(
        tarGz([
          { name: 'deploy/', type: '5' },
          { name: 'deploy/app.yaml', body: 'kind: ConfigMap\n' },
          { name: './kustomization.yaml', body: 'resources: []\n', mode: 0o400 },
          { name: `${'long/'.repeat(30)}file.yaml`, body: 'x' },
        ]),
      ),
      d,
    );
    assert.equal(readFileSync(join(d, 'deploy/app.yaml'), 'utf8'), 'kind: ConfigMap\n');
    assert.equal(readFileSync(join(d, 'kustomization.yaml'), 'utf8'), 'resources: []\n');
    assert.equal(readFileSync(join(d, `${'long/'.repeat(30)}file.yaml`), 'utf8'), 'x');
    assert.ok((statSync(join(d, 'kustomization.yaml')).mode & 0o600) === 0o600, 'owner can read and write');
    assert.equal(res.entries, 4);
    assert.equal(res.extractedBytes, 16 + 14 + 1);
  });

  const hostile: Array<{ name: string; entries: TarEntry[]; opts?: ExtractOptions; want: new (...a: never[]) => Error; match: RegExp }> = [
    { name: 'absolute path', entries: [{ name: '/etc/eddy-pwned', body: 'x' }], want: UnsafeArchiveEntryError, match: /absolute/ },
    { name: 'dot-dot at the start', entries: [{ name: '../eddy-pwned', body: 'x' }], want: UnsafeArchiveEntryError, match: /escapes/ },
    { name: 'dot-dot in the middle', entries: [{ name: 'a/../../eddy-pwned', body: 'x' }], want: UnsafeArchiveEntryError, match: /escapes/ },
    { name: 'backslash', entries: [{ name: '..\\eddy-pwned', body: 'x' }], want: UnsafeArchiveEntryError, match: /backslash/ },
    { name: 'drive letter', entries: [{ name: 'C:/eddy', body: 'x' }], want: UnsafeArchiveEntryError, match: /absolute/ },
    { name: 'character device', entries: [{ name: 'dev', type: '3' }], want: UnsafeArchiveEntryError, match: /unsupported file type/ },
    { name: 'fifo', entries: [{ name: 'fifo', type: '6' }], want: UnsafeArchiveEntryError, match: /unsupported file type/ },
    {
      name: 'escaping symlink when links are kept',
      entries: [{ name: 'link', type: '2', linkname: '../../../etc' }],
      opts: { symlinks: 'keep-contained' },
      want: UnsafeArchiveEntryError,
      match: /escapes/,
    },
    {
      name: 'absolute symlink when links are kept',
      entries: [{ name: 'link', type: '2', linkname: '/etc/passwd' }],
      opts: { symlinks: 'keep-contained' },
      want: UnsafeArchiveEntryError,
      match: /absolute/,
    },
    {
      name: 'any symlink when links are rejected',
      entries: [{ name: 'link', type: '2', linkname: 'x' }],
      opts: { symlinks: 'reject' },
      want: UnsafeArchiveEntryError,
      match: /symlink/,
    },
    {
      name: 'too many entries',
      entries: Array.from({ length: 11 }, (_, i) => ({ name: `f${i}`, body: 'x' })),
      opts: { maxEntries: 10 },
      want: ArtifactLimitError,
      match: /more than 10 entries/,
    },
    {
      name: 'declared sizes over the cap',
      entries: [
        { name: 'a', body: 'x'.repeat(600) },
        { name: 'b', body: 'x'.repeat(600) },
      ],
      opts: { maxExtractedBytes: 1000 },
      want: ArtifactLimitError,
      match: /bigger than max archive size/,
    },
  ];
  for (const tc of hostile) {
    it(`rejects ${tc.name} and leaves nothing behind`, async () => {
      const d = dest();
      await assert.rejects(extractArchive(archive(tarGz(tc.entries)), d, tc.opts), (err: unknown) => {
        assert.ok(err instanceof tc.want, `got ${String(err)}`);
        assert.ok(ArtifactError.is(err));
        assert.match((err as Error).message, tc.match);
        return true;
      });
      assertNoLeftovers(d);
      assert.equal(existsSync('/etc/eddy-pwned'), false);
    });
  }

  it('skips symlinks and hard links by default, like Flux, and extracts the rest', async () => {
    const d = dest();
    const res = await extractArchive(
      archive(
        tarGz([
          { name: 'evil', type: '2', linkname: '/etc' },
          { name: 'evil/passwd', body: 'overwritten?' },
          { name: 'hard', type: '1', linkname: '/etc/passwd' },
          { name: 'ok.yaml', body: 'a: 1\n' },
        ]),
      ),
      d,
    );
    assert.equal(lstatSync(join(d, 'evil')).isDirectory(), true, 'the link was not created, a plain dir was');
    assert.equal(readFileSync(join(d, 'evil/passwd'), 'utf8'), 'overwritten?');
    assert.equal(existsSync(join(d, 'hard')), false);
    assert.equal(readFileSync(join(d, 'ok.yaml'), 'utf8'), 'a: 1\n');
    assert.deepEqual(
      res.skipped.map((s) => s.path),
      ['evil', 'hard'],
    );
  });

  it('keeps contained symlinks when asked to', async () => {
    const d = dest();
    await extractArchive(
      archive(
        tarGz([
          { name: 'base/', type: '5' },
          { name: 'base/cm.yaml', body: 'kind: ConfigMap\n' },
          { name: 'overlay/', type: '5' },
          { name: 'overlay/cm.yaml', type: '2', linkname: '../base/cm.yaml' },
        ]),
      ),
      d,
      { symlinks: 'keep-contained' },
    );
    assert.equal(readlinkSync(join(d, 'overlay/cm.yaml')), '../base/cm.yaml');
    assert.equal(readFileSync(join(d, 'overlay/cm.yaml'), 'utf8'), 'kind: ConfigMap\n');
  });

  it('rejects a chain of contained links that resolves outside the root', async () => {
    const d = dest();
    await assert.rejects(
      extractArchive(
        archive(
          tarGz([
            { name: 'a/', type: '5' },
            { name: 'a/up', type: '2', linkname: '..' },
            { name: 'b', type: '2', linkname: 'a/up/..' },
          ]),
        ),
        d,
        { symlinks: 'keep-contained' },
      ),
      UnsafeArchiveEntryError,
    );
    assertNoLeftovers(d);
  });

  it('stops a gzip bomb at the decompressed-size cap', async () => {
    const d = dest();
    const bomb = gzipSync(Buffer.concat([tarBytes([{ name: 'zeros', body: Buffer.alloc(8 << 20) }])]));
    assert.ok(bomb.length < 64 << 10, 'the bomb compresses well');
    await assert.rejects(extractArchive(archive(bomb), d, { maxExtractedBytes: 1 << 20, maxEntries: 10 }), ArtifactLimitError);
    assertNoLeftovers(d);
  });

  it('rejects archives that are not gzip-compressed', async () => {
    const d = dest();
    await assert.rejects(extractArchive(archive(tarBytes([{ name: 'a', body: 'x' }])), d), /gzip/);
    assertNoLeftovers(d);
  });

  it('rejects truncated archives', async () => {
    const d = dest();
    const full = tarBytes([{ name: 'a', body: 'x'.repeat(5000) }]);
    await assert.rejects(extractArchive(archive(gzipSync(full.subarray(0, 1500))), d), (err: unknown) => ArtifactError.is(err));
    assertNoLeftovers(d);
  });

  it('refuses to extract over an existing directory', async () => {
    const d = dest();
    writeFileSync(d, 'x');
    await assert.rejects(extractArchive(archive(tarGz([{ name: 'a', body: 'x' }])), d), /already exists/);
  });
});

describe('unsafeEntryName / unsafeLinkTarget', () => {
  const names: Array<[string, string | undefined]> = [
    ['a/b.yaml', undefined],
    ['./a', undefined],
    ['a..b', undefined],
    ['', 'empty name'],
    ['a/..', 'escapes the extraction root'],
    ['/a', 'is an absolute path'],
  ];
  for (const [name, want] of names) {
    it(`name ${JSON.stringify(name)}`, () => assert.equal(unsafeEntryName(name), want));
  }
  const links: Array<[string, string, boolean]> = [
    ['a/link', 'b', true],
    ['a/link', '../b', true],
    ['a/link', '../../b', false],
    ['link', '/etc', false],
    ['a/b/link', '../../x/../y', true],
  ];
  for (const [entry, target, ok] of links) {
    it(`link ${entry} -> ${target}`, () => assert.equal(unsafeLinkTarget(entry, target) === undefined, ok));
  }
});
