// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CommandError, git } from './exec.ts';
import type { GitServer } from './git-server.ts';
import { startGitServer } from './git-server.ts';

describe('startGitServer', () => {
  let gs: GitServer;
  let tmp: string;
  let sshCommand: string;

  before(async () => {
    gs = await startGitServer();
    tmp = mkdtempSync(join(tmpdir(), 'eddy-git-test-'));
    // use the key and known_hosts strings as a client would get them
    writeFileSync(join(tmp, 'id'), gs.clientPrivateKey, { mode: 0o600 });
    writeFileSync(join(tmp, 'known_hosts'), `${gs.knownHosts}\n`);
    sshCommand =
      `ssh -F /dev/null -i ${join(tmp, 'id')} -o IdentitiesOnly=yes -o BatchMode=yes ` +
      `-o UserKnownHostsFile=${join(tmp, 'known_hosts')} -o StrictHostKeyChecking=yes`;
  });
  after(async () => {
    await gs?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  const withBasic = (url: string, user: string, pass: string): string => {
    const u = new URL(url);
    u.username = user;
    u.password = pass;
    return u.href;
  };

  it('clones over HTTP with Basic credentials and with a Bearer token', async () => {
    const repo = await gs.createRepo('fleet', { 'README.md': 'hello\n', 'apps/app.yaml': 'kind: ConfigMap\n' });
    assert.match(repo.httpUrl, /^http:\/\/127\.0\.0\.1:\d+\/fleet\.git$/);
    const basic = join(tmp, 'basic');
    await git(['clone', '-q', withBasic(repo.httpUrl, gs.username, gs.password), basic]);
    assert.equal(readFileSync(join(basic, 'apps/app.yaml'), 'utf8'), 'kind: ConfigMap\n');
    assert.equal((await git(['rev-parse', 'HEAD'], { cwd: basic })).trim(), repo.commit);
    assert.equal((await git(['branch', '--show-current'], { cwd: basic })).trim(), 'main');

    const bearer = join(tmp, 'bearer');
    await git(['-c', `http.extraHeader=Authorization: Bearer ${gs.token}`, 'clone', '-q', repo.httpUrl, bearer]);
    assert.equal(readFileSync(join(bearer, 'README.md'), 'utf8'), 'hello\n');
  });

  it('refuses wrong credentials with 401 and a WWW-Authenticate challenge', async () => {
    const repo = await gs.createRepo('private', { 'a.txt': 'a' });
    await assert.rejects(
      git(['clone', '-q', withBasic(repo.httpUrl, gs.username, 'wrong'), join(tmp, 'wrong')]),
      (err: unknown) => err instanceof CommandError && /Authentication failed|401/.test(err.stderr),
    );
    await assert.rejects(
      git(['-c', 'http.extraHeader=Authorization: Bearer nope', 'clone', '-q', repo.httpUrl, join(tmp, 'nope')]),
      CommandError,
    );
    const res = await fetch(`${repo.httpUrl}/info/refs?service=git-upload-pack`);
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /Basic realm=.*Bearer realm=|Bearer realm=.*Basic realm=/);
    assert.ok(gs.requests.some((r) => r.status === 401));
  });

  it('pushes over SSH with the client key and StrictHostKeyChecking=yes', async () => {
    const repo = await gs.createRepo('org/app', { 'v.txt': '1' });
    assert.equal(repo.sshUrl, `${gs.sshUrl}/org/app.git`);
    const env = { GIT_SSH_COMMAND: sshCommand };
    const work = join(tmp, 'ssh');
    await git(['clone', '-q', repo.sshUrl, work], { env });
    writeFileSync(join(work, 'v.txt'), '2');
    await git(['commit', '-q', '-am', 'bump'], { cwd: work });
    await git(['push', '-q', 'origin', 'main'], { cwd: work, env });
    const pushed = (await git(['rev-parse', 'HEAD'], { cwd: work })).trim();
    assert.equal((await git(['-C', repo.dir, 'rev-parse', 'main'])).trim(), pushed);

    const viaHttp = join(tmp, 'after-ssh-push');
    await git(['clone', '-q', withBasic(repo.httpUrl, gs.username, gs.password), viaHttp]);
    assert.equal(readFileSync(join(viaHttp, 'v.txt'), 'utf8'), '2');
  });

  it('rejects an SSH host key that is not in known_hosts', async () => {
    const repo = await gs.createRepo('strict', { 'x': 'x' });
    writeFileSync(join(tmp, 'empty_known_hosts'), '');
    const env = { GIT_SSH_COMMAND: sshCommand.replace(join(tmp, 'known_hosts'), join(tmp, 'empty_known_hosts')) };
    await assert.rejects(git(['ls-remote', repo.sshUrl], { env }), (err: unknown) =>
      err instanceof CommandError && /Host key verification failed/.test(err.stderr),
    );
  });

  it('pushes over HTTP and commits and tags with the helpers', async () => {
    const repo = await gs.createRepo('helpers', { 'a.txt': 'a' });
    const work = join(tmp, 'http-push');
    const url = withBasic(repo.httpUrl, gs.username, gs.password);
    await git(['clone', '-q', url, work]);
    writeFileSync(join(work, 'b.txt'), 'b');
    await git(['add', 'b.txt'], { cwd: work });
    await git(['commit', '-q', '-m', 'b'], { cwd: work });
    await git(['push', '-q', 'origin', 'main'], { cwd: work });

    const sha = await gs.commitFiles('helpers', { 'a.txt': null, 'c/d.txt': 'd' }, { message: 'helper' });
    const tagged = await gs.tag('helpers', 'v1.0.0', { message: 'release' });
    assert.equal(tagged, sha);
    const remote = await git(['ls-remote', url]);
    assert.match(remote, new RegExp(`^${sha}\\trefs/heads/main$`, 'm'));
    assert.match(remote, /refs\/tags\/v1\.0\.0\^\{\}$/m);
    await git(['pull', '-q', 'origin', 'main'], { cwd: work });
    assert.equal(existsSync(join(work, 'a.txt')), false);
    assert.equal(readFileSync(join(work, 'b.txt'), 'utf8'), 'b');
  });

  it('stop() removes the repositories and ends sshd', async () => {
    const other = await startGitServer({ auth: 'none' });
    const repo = await other.createRepo('anon', { f: 'f' });
    await git(['ls-remote', repo.httpUrl]);
    await other.stop();
    assert.equal(existsSync(repo.dir), false);
    await assert.rejects(fetch(`${repo.httpUrl}/info/refs?service=git-upload-pack`));
  });
});
