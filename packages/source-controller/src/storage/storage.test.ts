// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { Header, list } from 'tar';
import { archiveDirectory, ArchiveLimitError } from './archive.ts';
import { extractArchive, UnsafeArchiveError } from './extract.ts';
import { garbageFiles } from './gc.ts';
import { startArtifactServer } from './server.ts';
import { Storage, StoragePathError } from './storage.ts';

const root = mkdtempSync(join(tmpdir(), 'eddy-storage-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (name = 'd'): string => {
  const d = join(root, `${name}-${n++}`);
  mkdirSync(d, { recursive: true });
  return d;
};

function tree(dir: string, files: Record<string, string>): void {
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), c);
  }
}

async function entriesOf(file: string): Promise<Array<{ path: string; mode: number; uid: number; gid: number; mtime: number; type: string }>> {
  const out: Array<{ path: string; mode: number; uid: number; gid: number; mtime: number; type: string }> = [];
  await list({ file, onReadEntry: (e) => out.push({ path: e.path, mode: e.mode!, uid: e.uid!, gid: e.gid!, mtime: e.mtime!.getTime(), type: e.type }) });
  return out;
}

/** A raw tar with hand-written headers, to build hostile archives. */
function rawTar(entries: Array<{ path: string; type?: string; linkpath?: string; body?: string }>): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? '');
    const h = Buffer.alloc(512);
    new Header({ path: e.path, mode: 0o644, size: e.type && e.type !== 'File' ? 0 : body.length, type: (e.type ?? 'File') as 'File', linkpath: e.linkpath ?? '', mtime: new Date(0) }).encode(h);
    blocks.push(h);
    if (!e.type || e.type === 'File') blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

describe('archiveDirectory', () => {
  it('is reproducible across mtimes, modes and creation order', async () => {
    const a = fresh('a');
    const b = fresh('b');
    tree(a, { 'z.yaml': 'z', 'a/b.yaml': 'b', 'a/c/d.txt': 'd' });
    tree(b, { 'a/c/d.txt': 'd', 'a/b.yaml': 'b', 'z.yaml': 'z' });
    utimesSync(join(b, 'z.yaml'), new Date(2000, 1, 1), new Date(2000, 1, 1));
    chmodSync(join(b, 'a/b.yaml'), 0o640);
    const ra = await archiveDirectory(a, join(fresh(), 'a.tgz'));
    const rb = await archiveDirectory(b, join(fresh(), 'b.tgz'));
    assert.equal(ra.digest, rb.digest);
    assert.equal(ra.entries, 5);
  });

  it('writes sorted entries with uid/gid 0, zero mtime and Flux modes', async () => {
    const d = fresh();
    tree(d, { 'b.txt': 'b', 'a/x.sh': '#!/bin/sh', 'a/y': 'y' });
    chmodSync(join(d, 'a/x.sh'), 0o755);
    const out = join(fresh(), 'x.tgz');
    await archiveDirectory(d, out);
    const entries = await entriesOf(out);
    assert.deepEqual(
      entries.map((e) => [e.path, e.type, e.mode.toString(8)]),
      [
        ['a/', 'Directory', '750'],
        ['a/x.sh', 'File', '700'],
        ['a/y', 'File', '600'],
        ['b.txt', 'File', '600'],
      ],
    );
    assert.ok(entries.every((e) => e.uid === 0 && e.gid === 0 && e.mtime === 0));
  });

  it('archives long paths through PAX headers', async () => {
    const d = fresh();
    const long = `${'x'.repeat(120)}/${'y'.repeat(120)}.yaml`;
    tree(d, { [long]: 'long' });
    const out = join(fresh(), 'l.tgz');
    await archiveDirectory(d, out);
    assert.ok((await entriesOf(out)).some((e) => e.path === long));
  });

  it('follows in-root symlinks and drops links escaping the root', async () => {
    const d = fresh();
    tree(d, { 'real/app.yaml': 'app' });
    const outside = fresh('outside');
    tree(outside, { 'secret.txt': 'secret' });
    symlinkSync('real/app.yaml', join(d, 'link.yaml'));
    symlinkSync('real', join(d, 'linkdir'));
    symlinkSync(join(outside, 'secret.txt'), join(d, 'escape.txt'));
    symlinkSync('../../../../etc', join(d, 'escape-dir'));
    symlinkSync('missing', join(d, 'dangling'));
    const out = join(fresh(), 's.tgz');
    await archiveDirectory(d, out);
    const paths = (await entriesOf(out)).map((e) => e.path);
    assert.deepEqual(paths, ['link.yaml', 'linkdir/', 'linkdir/app.yaml', 'real/', 'real/app.yaml']);
  });

  it('applies the filter and caps entries and size', async () => {
    const d = fresh();
    tree(d, { 'a.yaml': 'a', 'b.png': 'b', '.git/HEAD': 'ref', 'big.bin': 'x'.repeat(100) });
    const out = join(fresh(), 'f.tgz');
    await archiveDirectory(d, out, { filter: (rel) => rel.endsWith('.png') || rel.startsWith('.git') });
    assert.deepEqual((await entriesOf(out)).map((e) => e.path), ['a.yaml', 'big.bin']);
    await assert.rejects(archiveDirectory(d, join(fresh(), 'c.tgz'), { maxEntries: 2 }), ArchiveLimitError);
    await assert.rejects(archiveDirectory(d, join(fresh(), 'c.tgz'), { maxBytes: 50 }), ArchiveLimitError);
  });
});

describe('extractArchive', () => {
  it('round-trips an archive', async () => {
    const d = fresh();
    tree(d, { 'a/b.yaml': 'b', 'c.txt': 'c' });
    const out = join(fresh(), 'r.tgz');
    await archiveDirectory(d, out);
    const dest = join(fresh(), 'x');
    const res = await extractArchive(out, dest);
    assert.equal(readFileSync(join(dest, 'a/b.yaml'), 'utf8'), 'b');
    assert.equal(res.entries, 3);
  });

  const hostile: Array<[string, Parameters<typeof rawTar>[0]]> = [
    ['dot-dot paths', [{ path: '../../evil.txt', body: 'x' }]],
    ['nested dot-dot', [{ path: 'a/../../evil.txt', body: 'x' }]],
  ];
  for (const [name, entries] of hostile) {
    it(`refuses ${name} and leaves nothing behind`, async () => {
      const base = fresh('hostile');
      const file = join(base, 'h.tgz');
      writeFileSync(file, rawTar(entries));
      const dest = join(base, 'out');
      await assert.rejects(extractArchive(file, dest), UnsafeArchiveError);
      assert.equal(existsSync(dest), false);
      assert.equal(existsSync(join(base, 'evil.txt')), false);
      assert.equal(existsSync('/tmp/evil.txt'), false);
    });
  }

  it('neutralises links: a write through a symlink lands inside, hard links are skipped', async () => {
    const base = fresh('through');
    const file = join(base, 't.tgz');
    const target = fresh('target');
    writeFileSync(
      file,
      rawTar([
        { path: 'l', type: 'SymbolicLink', linkpath: target },
        { path: 'l/evil.txt', body: 'x' },
        { path: 'h', type: 'Link', linkpath: '../../etc/passwd' },
      ]),
    );
    const dest = join(base, 'out');
    await extractArchive(file, dest);
    assert.equal(existsSync(join(target, 'evil.txt')), false);
    assert.equal(readFileSync(join(dest, 'l/evil.txt'), 'utf8'), 'x');
    assert.equal(existsSync(join(dest, 'h')), false);
  });

  it('skips symlinks and strips absolute paths', async () => {
    const base = fresh('links');
    const file = join(base, 'l.tgz');
    writeFileSync(file, rawTar([{ path: 'ok.txt', body: 'ok' }, { path: 'link', type: 'SymbolicLink', linkpath: '/etc/passwd' }]));
    const dest = join(base, 'out');
    await extractArchive(file, dest);
    assert.equal(existsSync(join(dest, 'link')), false);
    assert.equal(readFileSync(join(dest, 'ok.txt'), 'utf8'), 'ok');
  });

  it('caps entries and bytes', async () => {
    const base = fresh('caps');
    const file = join(base, 'c.tgz');
    writeFileSync(file, rawTar([{ path: 'a', body: 'x'.repeat(1000) }, { path: 'b', body: 'y' }, { path: 'c', body: 'z' }]));
    await assert.rejects(extractArchive(file, join(base, 'o1'), { maxEntries: 2 }), /more than 2 entries/);
    await assert.rejects(extractArchive(file, join(base, 'o2'), { maxBytes: 500 }), /more than 500 bytes/);
  });

  it('refuses garbage input', async () => {
    const base = fresh('garbage');
    writeFileSync(join(base, 'g.tgz'), gzipSync(Buffer.from('not a tar at all'.repeat(100))));
    await assert.rejects(extractArchive(join(base, 'g.tgz'), join(base, 'o')), UnsafeArchiveError);
  });
});

describe('Storage', () => {
  const clock = { t: Date.parse('2026-01-01T00:00:00Z') };
  const storage = new Storage({ basePath: fresh('store'), hostname: 'source-controller.flux-system.svc.cluster.local.', now: () => clock.t });
  const hash = 'a'.repeat(40);

  it('lays out artifacts and URLs like Flux', () => {
    const a = storage.newArtifactFor('GitRepository', 'flux-system', 'podinfo', `main@sha1:${hash}`, `${hash}.tar.gz`);
    assert.equal(a.path, `gitrepository/flux-system/podinfo/${hash}.tar.gz`);
    assert.equal(a.url, `http://source-controller.flux-system.svc.cluster.local./gitrepository/flux-system/podinfo/${hash}.tar.gz`);
    assert.equal(a.lastUpdateTime, '2026-01-01T00:00:00Z');
    assert.throws(() => storage.newArtifactFor('GitRepository', '..', 'x', 'r', 'f'), StoragePathError);
    assert.throws(() => storage.localPath({ path: '../../etc/passwd' }), StoragePathError);
  });

  it('archives atomically, sets digest and size, verifies, and keeps the old file on failure', async () => {
    const src = fresh();
    tree(src, { 'app.yaml': 'kind: A' });
    const a = storage.newArtifactFor('GitRepository', 'default', 'app', 'r1', 'one.tar.gz');
    await storage.archive(a, src);
    assert.match(a.digest!, /^sha256:[0-9a-f]{64}$/);
    assert.ok(a.size! > 0);
    assert.equal(await storage.exists(a), true);
    await storage.verify(a);
    const before = readFileSync(storage.localPath(a));
    await assert.rejects(storage.archive({ ...a }, join(src, 'missing')));
    assert.deepEqual(readFileSync(storage.localPath(a)), before);
    writeFileSync(storage.localPath(a), 'tampered');
    await assert.rejects(storage.verify(a), /doesn't match/);
  });

  it('copies a sub-path of an artifact into a directory (include)', async () => {
    const src = fresh();
    tree(src, { 'deploy/k8s/a.yaml': 'a', 'other.txt': 'o' });
    const a = storage.newArtifactFor('GitRepository', 'default', 'lib', 'r', 'lib.tar.gz');
    await storage.archive(a, src);
    const target = fresh('repo');
    await storage.copyToPath(a, 'deploy', join(target, 'vendor/lib'));
    assert.equal(readFileSync(join(target, 'vendor/lib/k8s/a.yaml'), 'utf8'), 'a');
    await assert.rejects(storage.copyToPath(a, '../..', join(target, 'x')), StoragePathError);
  });

  it('collects garbage by TTL and record count, keeping the current artifact', async () => {
    const mk = (name: string, ageMs: number): { path: string } => {
      const a = storage.newArtifactFor('OCIRepository', 'default', 'gc', 'r', name);
      mkdirSync(dirname(storage.localPath(a)), { recursive: true });
      writeFileSync(storage.localPath(a), name);
      const t = new Date(clock.t - ageMs);
      utimesSync(storage.localPath(a), t, t);
      return a;
    };
    mk('old.tar.gz', 120_000);
    mk('b.tar.gz', 30_000);
    mk('c.tar.gz', 20_000);
    const current = mk('current.tar.gz', 500_000);
    const deleted = (await storage.garbageCollect(current)).map((p) => p.split('/').pop()).sort();
    assert.deepEqual(deleted, ['b.tar.gz', 'old.tar.gz']);
    assert.equal(await storage.exists(current), true);
    assert.deepEqual(garbageFiles([{ path: 'x', mtimeMs: 0 }, { path: 'x.lock', mtimeMs: 0 }], 'y', 1e9), ['x']);
  });

  it('serialises work on one object directory', async () => {
    const a = storage.newArtifactFor('GitRepository', 'default', 'locked', 'r', 'f.tar.gz');
    const order: string[] = [];
    const r1 = await storage.lock(a);
    const p2 = storage.lock(a).then((r) => {
      order.push('second');
      r();
    });
    order.push('first');
    r1();
    await p2;
    assert.deepEqual(order, ['first', 'second']);
  });
});

describe('artifact server', () => {
  it('serves files read-only with ETag and refuses traversal', async () => {
    const base = fresh('srv');
    tree(base, { 'gitrepository/ns/app/x.tar.gz': 'content', '.hidden': 'h' });
    const outside = fresh('outside');
    tree(outside, { 'secret': 's' });
    symlinkSync(join(outside, 'secret'), join(base, 'gitrepository/ns/app/leak'));
    const srv = await startArtifactServer({ root: base, address: '127.0.0.1:0' });
    try {
      const ok = await fetch(`${srv.url}/gitrepository/ns/app/x.tar.gz`);
      assert.equal(ok.status, 200);
      assert.equal(await ok.text(), 'content');
      const etag = ok.headers.get('etag')!;
      assert.equal((await fetch(`${srv.url}/gitrepository/ns/app/x.tar.gz`, { headers: { 'if-none-match': etag } })).status, 304);
      const head = await fetch(`${srv.url}/gitrepository/ns/app/x.tar.gz`, { method: 'HEAD' });
      assert.equal(head.headers.get('content-length'), '7');
      for (const p of ['/../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/.hidden', '/gitrepository/ns/app/leak', '/gitrepository', '/missing']) {
        const r = await fetch(`${srv.url}${p}`);
        assert.equal(r.status, 404, p);
        await r.body?.cancel();
      }
      assert.equal((await fetch(`${srv.url}/gitrepository/ns/app/x.tar.gz`, { method: 'PUT', body: 'x' })).status, 405);
    } finally {
      await srv.close();
    }
  });
});
