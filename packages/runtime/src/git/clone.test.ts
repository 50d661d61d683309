// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cloneRepository, resolveRevision } from './clone.ts';
import { GitError } from './errors.ts';
import { commitPayload, readObjectDirect } from './objects.ts';
import { listRemoteRefs } from './remote.ts';
import { bareFrom, git, tempDir, WorkRepo } from './test-fixtures.ts';

describe('cloneRepository (file:// remotes, real git)', () => {
  const tmp = tempDir();
  let url = '';
  let emptyUrl = '';
  const hashes: Record<string, string> = {};
  let n = 0;
  const dest = (): string => join(tmp.path, `checkout-${n++}`);
  const opts = { allowFileProtocol: true };

  before(() => {
    const work = WorkRepo.init(join(tmp.path, 'work'), 'main');
    hashes.first = work.commit({ 'README.md': 'one\n', 'deploy/app.yaml': 'kind: A\n', 'docs/x.md': 'x\n' }, 'first');
    work.tag('v1.0.0');
    hashes.second = work.commit({ 'deploy/app.yaml': 'kind: B\n' }, 'second');
    work.tag('v1.1.0', { annotated: true });
    work.tag('v2.0.0-rc.1');
    work.tag('not-a-version');
    git(work.dir, ['checkout', '-q', '-b', 'feature/x']);
    hashes.feature = work.commit({ 'feature.txt': 'f\n' }, 'feature commit');
    git(work.dir, ['checkout', '-q', 'main']);
    git(work.dir, ['branch', '-q', 'master']);
    hashes.third = work.commit({ 'deploy/app.yaml': 'kind: C\n' }, 'third');
    url = bareFrom(work, join(tmp.path, 'remote.git'));
    git(tmp.path, ['init', '-q', '--bare', join(tmp.path, 'empty.git')]);
    emptyUrl = `file://${join(tmp.path, 'empty.git')}`;
  });
  after(() => tmp.cleanup());

  it('clones a branch shallowly with the Flux revision', async () => {
    const dir = dest();
    const res = await cloneRepository(url, dir, { ...opts, ref: { branch: 'main' } });
    assert.equal(res.revision, `main@sha1:${hashes.third}`);
    assert.equal(res.commit?.concrete, true);
    assert.equal(res.commit?.message, 'third\n');
    assert.equal(readFileSync(join(dir, 'deploy/app.yaml'), 'utf8'), 'kind: C\n');
    assert.equal(git(dir, ['rev-parse', '--is-shallow-repository']), 'true');
    assert.equal(git(dir, ['rev-parse', '--abbrev-ref', 'HEAD']), 'main');
  });

  it('reads the commit of a branch clone as git does, from the loose object or through git', async () => {
    const dir = dest();
    const res = await cloneRepository(url, dir, { ...opts, ref: { branch: 'main' } });
    const raw = git(dir, ['cat-file', 'commit', hashes.third!]);
    assert.equal(res.commit?.encoded?.trimEnd(), commitPayload(raw).trimEnd());
    const packed = await readObjectDirect(dir, hashes.third!, 'commit');
    assert.equal(packed?.trimEnd(), raw.trimEnd(), 'read from the clone\'s pack');
    assert.equal(await readObjectDirect(dir, hashes.third!, 'tree'), undefined, 'a type mismatch is no answer');
    assert.equal(await readObjectDirect(dir, hashes.first!, 'commit'), undefined, 'an object the clone lacks is no answer');
    const packDir = join(dir, '.git', 'objects', 'pack');
    const pack = readFileSync(join(packDir, readdirSync(packDir).find((f) => f.endsWith('.pack'))!));
    rmSync(packDir, { recursive: true });
    execFileSync('git', ['unpack-objects', '-q'], { cwd: dir, input: pack });
    assert.equal((await readObjectDirect(dir, hashes.third!, 'commit'))?.trimEnd(), raw.trimEnd(), 'read from the loose object');
  });

  it('does not take a tag for a branch of the same name', async () => {
    await assert.rejects(cloneRepository(url, dest(), { ...opts, ref: { branch: 'v1.0.0' } }), (e) => GitError.is(e, 'NotFound') && /refs\/heads\/v1\.0\.0/.test((e as Error).message));
  });

  it('defaults to the master branch', async () => {
    const res = await cloneRepository(url, dest(), opts);
    assert.equal(res.revision, `master@sha1:${hashes.second}`);
  });

  it('keeps slashes of branch names in the revision', async () => {
    const res = await cloneRepository(url, dest(), { ...opts, ref: { branch: 'feature/x' } });
    assert.equal(res.revision, `feature/x@sha1:${hashes.feature}`);
  });

  it('uses the commit hash for lightweight and annotated tags', async () => {
    const light = await cloneRepository(url, dest(), { ...opts, ref: { tag: 'v1.0.0' } });
    assert.equal(light.revision, `v1.0.0@sha1:${hashes.first}`);
    assert.equal(light.commit?.referencingTag, undefined);
    const annotated = await cloneRepository(url, dest(), { ...opts, ref: { tag: 'v1.1.0' } });
    assert.equal(annotated.revision, `v1.1.0@sha1:${hashes.second}`);
    assert.equal(annotated.commit?.referencingTag?.name, 'v1.1.0');
    assert.notEqual(annotated.commit?.referencingTag?.hash, hashes.second);
  });

  it('selects the highest semver tag, leaving pre-releases out unless asked', async () => {
    const res = await cloneRepository(url, dest(), { ...opts, ref: { semver: '>=1.0.0' } });
    assert.equal(res.revision, `v1.1.0@sha1:${hashes.second}`);
    const pre = await cloneRepository(url, dest(), { ...opts, ref: { semver: '>=2.0.0-0' } });
    assert.equal(pre.revision, `v2.0.0-rc.1@sha1:${hashes.second}`);
    const tilde = await cloneRepository(url, dest(), { ...opts, ref: { semver: '~1.0' } });
    assert.equal(tilde.revision, `v1.0.0@sha1:${hashes.first}`);
  });

  it('follows the precedence of Flux code: tag over semver, name over tag, commit over all', async () => {
    const tagWins = await cloneRepository(url, dest(), { ...opts, ref: { semver: '*', tag: 'v1.0.0', branch: 'main' } });
    assert.equal(tagWins.revision, `v1.0.0@sha1:${hashes.first}`);
    const nameWins = await cloneRepository(url, dest(), { ...opts, ref: { name: 'refs/heads/main', tag: 'v1.0.0' } });
    assert.equal(nameWins.revision, `refs/heads/main@sha1:${hashes.third}`);
    const commitWins = await cloneRepository(url, dest(), { ...opts, ref: { commit: hashes.first!, tag: 'v1.1.0' } });
    assert.equal(commitWins.revision, `sha1:${hashes.first}`);
  });

  it('checks out a commit, within a branch when given', async () => {
    const dir = dest();
    const bare = await cloneRepository(url, dir, { ...opts, ref: { commit: hashes.second! } });
    assert.equal(bare.revision, `sha1:${hashes.second}`);
    assert.equal(git(dir, ['rev-parse', 'HEAD']), hashes.second);
    const inBranch = await cloneRepository(url, dest(), { ...opts, ref: { branch: 'main', commit: hashes.first! } });
    assert.equal(inBranch.revision, `main@sha1:${hashes.first}`);
    await assert.rejects(cloneRepository(url, dest(), { ...opts, ref: { branch: 'feature/x', commit: hashes.third! } }), (e) =>
      GitError.is(e, 'NotFound'),
    );
  });

  it('checks out a reference name with the absolute revision', async () => {
    const res = await cloneRepository(url, dest(), { ...opts, ref: { name: 'refs/tags/v1.1.0' } });
    assert.equal(res.revision, `refs/tags/v1.1.0@sha1:${hashes.second}`);
    assert.equal(res.commit?.referencingTag?.name, 'v1.1.0');
  });

  it('reports missing references as NotFound', async () => {
    for (const ref of [{ branch: 'nope' }, { tag: 'v9' }, { semver: '>=5' }, { name: 'refs/pull/1/head' }, { commit: 'f'.repeat(40) }]) {
      await assert.rejects(cloneRepository(url, dest(), { ...opts, ref }), (e) => GitError.is(e, 'NotFound'), JSON.stringify(ref));
    }
  });

  it('refuses option-like or malformed references and URLs', async () => {
    await assert.rejects(cloneRepository(url, dest(), { ...opts, ref: { branch: '--upload-pack=touch' } }), (e) => GitError.is(e, 'InvalidOptions'));
    await assert.rejects(cloneRepository(url, dest(), { ...opts, ref: { semver: '>>>' } }), (e) => GitError.is(e, 'InvalidOptions'));
    await assert.rejects(cloneRepository('-oProxyCommand=x', dest(), opts), (e) => GitError.is(e, 'InvalidOptions'));
    await assert.rejects(cloneRepository(url, dest()), (e) => GitError.is(e, 'InvalidOptions'), 'file:// needs opting in');
  });

  it('skips fetching when the remote revision equals the last observed one', async () => {
    const dir = dest();
    const res = await cloneRepository(url, dir, { ...opts, ref: { branch: 'main' }, lastObservedRevision: `main@sha1:${hashes.third}` });
    assert.equal(res.skipped, true);
    assert.equal(res.commit?.concrete, false);
    assert.equal(res.revision, `main@sha1:${hashes.third}`);
    assert.equal(existsSync(join(dir, '.git')), false);
    const legacy = await cloneRepository(url, dest(), { ...opts, ref: { branch: 'main' }, lastObservedRevision: `main/${hashes.third}` });
    assert.equal(legacy.skipped, true);
    const moved = await cloneRepository(url, dest(), { ...opts, ref: { branch: 'main' }, lastObservedRevision: `main@sha1:${hashes.first}` });
    assert.equal(moved.skipped, false);
  });

  it('returns no commit for an empty repository on a branch checkout', async () => {
    const res = await cloneRepository(emptyUrl, dest(), opts);
    assert.equal(res.commit, undefined);
    assert.equal(res.revision, '');
    await assert.rejects(cloneRepository(emptyUrl, dest(), { ...opts, ref: { tag: 'v1' } }), (e) => GitError.is(e, 'EmptyRepository'));
  });

  it('checks out only the sparse directories', async () => {
    const dir = dest();
    await cloneRepository(url, dir, { ...opts, ref: { branch: 'main' }, sparseCheckout: ['./deploy'] });
    assert.equal(existsSync(join(dir, 'deploy/app.yaml')), true);
    assert.equal(existsSync(join(dir, 'docs/x.md')), false);
    assert.equal(existsSync(join(dir, 'README.md')), false);
  });

  it('resolves remote revisions and lists references without cloning', async () => {
    assert.equal(await resolveRevision(url, { ...opts, ref: { semver: '1.x' } }), `v1.1.0@sha1:${hashes.second}`);
    assert.equal(await resolveRevision(url, { ...opts, ref: { name: 'refs/heads/main' } }), `refs/heads/main@sha1:${hashes.third}`);
    const refs = await listRemoteRefs(url);
    assert.equal(refs.refs.get('refs/heads/main'), hashes.third);
    assert.equal(refs.peeled.get('refs/tags/v1.1.0'), hashes.second);
  });
});
