// SPDX-License-Identifier: Apache-2.0
/**
 * The git client against the real loopback git server of `@eddy/testenv`: smart HTTP behind
 * Basic/Bearer auth (git http-backend) and sshd.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { GitServer } from '@eddy/testenv';
import { startGitServer } from '@eddy/testenv';
import { authFromSecret } from './auth.ts';
import { cloneRepository } from './clone.ts';
import { GitError } from './errors.ts';
import { commitAll, pushRefs } from './push.ts';
import { tempDir } from './test-fixtures.ts';

describe('git client against the testenv git server', () => {
  let server: GitServer;
  const tmp = tempDir('eddy-gitint-');
  let n = 0;
  const dest = (): string => join(tmp.path, `co-${n++}`);
  let repo: { httpUrl: string; sshUrl: string; commit?: string };

  before(async () => {
    server = await startGitServer({ auth: 'both' });
    repo = await server.createRepo('fleet', { 'clusters/prod/app.yaml': 'kind: ConfigMap\n', 'README.md': 'fleet\n' }, { branch: 'main' });
    await server.tag('fleet', 'v1.0.0');
    await server.commitFiles('fleet', { 'clusters/prod/app.yaml': 'kind: Secret\n' });
    await server.tag('fleet', 'v1.1.0', { message: 'release 1.1.0' });
    await server.tag('fleet', 'v2.0.0-rc.1');
  });
  after(async () => {
    await server?.stop();
    tmp.cleanup();
  });

  const basic = (): ReturnType<typeof authFromSecret> => authFromSecret(repo.httpUrl, { username: server.username, password: server.password });

  it('clones over HTTP with basic auth, leaving no credentials on disk', async () => {
    const dir = dest();
    const res = await cloneRepository(repo.httpUrl, dir, { auth: basic(), ref: { branch: 'main' } });
    assert.match(res.revision, /^main@sha1:[0-9a-f]{40}$/);
    assert.equal(readFileSync(join(dir, 'clusters/prod/app.yaml'), 'utf8'), 'kind: Secret\n');
    const config = readFileSync(join(dir, '.git/config'), 'utf8');
    assert.doesNotMatch(config, new RegExp(server.password));
    assert.doesNotMatch(config, /extraheader|authorization/i);
    const walk = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
    for (const f of walk(join(dir, '.git'))) {
      const content = readFileSync(f).toString('latin1');
      assert.equal(content.includes(server.password), false, `password found in ${f}`);
      assert.equal(content.includes(Buffer.from(`${server.username}:${server.password}`).toString('base64')), false, `header found in ${f}`);
    }
  });

  it('clones with a bearer token', async () => {
    const res = await cloneRepository(repo.httpUrl, dest(), { auth: authFromSecret(repo.httpUrl, { bearerToken: server.token }), ref: { tag: 'v1.0.0' } });
    assert.equal(res.revision, `v1.0.0@sha1:${repo.commit}`);
  });

  it('clones over SSH with identity and known_hosts', async () => {
    const auth = authFromSecret(repo.sshUrl, { identity: server.clientPrivateKey, known_hosts: server.knownHosts });
    const res = await cloneRepository(repo.sshUrl, dest(), { auth, ref: { semver: '>=1.0.0' } });
    assert.match(res.revision, /^v1\.1\.0@sha1:[0-9a-f]{40}$/);
    assert.equal(res.commit?.referencingTag?.name, 'v1.1.0');
  });

  it('reports wrong or missing credentials as AuthenticationFailed, without leaking them', async () => {
    const wrong = authFromSecret(repo.httpUrl, { username: server.username, password: 'not-the-password' });
    await assert.rejects(cloneRepository(repo.httpUrl, dest(), { auth: wrong, ref: { branch: 'main' } }), (e) => {
      assert.ok(GitError.is(e, 'AuthenticationFailed'), String(e));
      assert.doesNotMatch((e as Error).message, /not-the-password/);
      return true;
    });
    await assert.rejects(cloneRepository(repo.httpUrl, dest(), { ref: { branch: 'main' } }), (e) => GitError.is(e, 'AuthenticationFailed'));
    await assert.rejects(
      cloneRepository(repo.httpUrl, dest(), { auth: authFromSecret(repo.httpUrl, { bearerToken: 'nope' }) }),
      (e) => GitError.is(e, 'AuthenticationFailed'),
    );
  });

  it('refuses an SSH host whose key is not in known_hosts', async () => {
    const other = server.knownHosts.replace(/ssh-ed25519 \S+/, 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHzqQ1dpr8FpYb5FQ06b5RqRaphmBzHb54QpR6bJwBqA');
    const auth = authFromSecret(repo.sshUrl, { identity: server.clientPrivateKey, known_hosts: other });
    await assert.rejects(cloneRepository(repo.sshUrl, dest(), { auth }), (e) => GitError.is(e, 'HostKeyMismatch'));
  });

  it('reports missing references, repositories and hosts with their kinds', async () => {
    await assert.rejects(cloneRepository(repo.httpUrl, dest(), { auth: basic(), ref: { branch: 'nope' } }), (e) => GitError.is(e, 'NotFound'));
    await assert.rejects(cloneRepository(repo.httpUrl, dest(), { auth: basic(), ref: { semver: '>=3' } }), (e) => GitError.is(e, 'NotFound'));
    const missing = `${server.httpUrl}/missing.git`;
    await assert.rejects(cloneRepository(missing, dest(), { auth: authFromSecret(missing, { username: server.username, password: server.password }) }), (e) =>
      GitError.is(e, 'NotFound'),
    );
    await assert.rejects(cloneRepository('http://eddy-no-such-host.invalid/x.git', dest()), (e) => GitError.is(e, 'UnknownHost'));
  });

  it('skips the clone while the branch does not move, and notices a new commit', async () => {
    const first = await cloneRepository(repo.httpUrl, dest(), { auth: basic(), ref: { branch: 'main' } });
    const before = server.requests.length;
    const again = await cloneRepository(repo.httpUrl, dest(), { auth: basic(), ref: { branch: 'main' }, lastObservedRevision: first.revision });
    assert.equal(again.skipped, true);
    const skippedRequests = server.requests.length - before;
    assert.ok(skippedRequests <= 2, `only the ref advertisement is requested when skipping (got ${skippedRequests})`);
    const sha = await server.commitFiles('fleet', { 'new.yaml': 'x: 1\n' });
    const moved = await cloneRepository(repo.httpUrl, dest(), { auth: basic(), ref: { branch: 'main' }, lastObservedRevision: first.revision });
    assert.equal(moved.skipped, false);
    assert.ok(server.requests.length - before - skippedRequests > skippedRequests, 'a real fetch costs more requests');
    assert.equal(moved.revision, `main@sha1:${sha}`);
  });

  it('times out with a Timeout error', async () => {
    await assert.rejects(cloneRepository(repo.httpUrl, dest(), { auth: basic(), timeoutMs: 1 }), (e) => GitError.is(e, 'Timeout'));
  });

  it('commits and pushes a branch over SSH', async () => {
    const auth = authFromSecret(repo.sshUrl, { identity: server.clientPrivateKey, known_hosts: server.knownHosts });
    const dir = dest();
    await cloneRepository(repo.sshUrl, dir, { auth, ref: { branch: 'main' } });
    writeFileSync(join(dir, 'auto.yaml'), 'image: app:v2\n');
    const c = await commitAll(dir, { author: { name: 'fluxcdbot', email: 'bot@example.com' }, message: 'Update from image update automation' });
    await pushRefs(dir, repo.sshUrl, { auth, refspecs: ['HEAD:refs/heads/auto'], force: true });
    const back = await cloneRepository(repo.httpUrl, dest(), { auth: basic(), ref: { branch: 'auto' } });
    assert.equal(back.commit?.hash, c.hash);
  });
});
