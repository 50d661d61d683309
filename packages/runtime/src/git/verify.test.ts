// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cloneRepository } from './clone.ts';
import { GitError } from './errors.ts';
import { commitAll, pushRefs, switchBranch } from './push.ts';
import type { GpgKey, SshKey } from './test-fixtures.ts';
import { bareFrom, generateGpgKey, generateSshKey, git, sshSigningArgs, tempDir, WorkRepo } from './test-fixtures.ts';
import { parseAuthorizedKeys, verifyCommit, verifyTag } from './verify.ts';

describe('signature verification (gpg, ssh-keygen)', () => {
  const tmp = tempDir();
  let url = '';
  let pgp: GpgKey;
  let other: GpgKey;
  let ssh: SshKey;
  let otherSsh: SshKey;
  const opts = { allowFileProtocol: true };
  let n = 0;
  const dest = (): string => join(tmp.path, `co-${n++}`);

  before(() => {
    pgp = generateGpgKey(tmp.path, 'a@example.com');
    other = generateGpgKey(tmp.path, 'b@example.com');
    ssh = generateSshKey(tmp.path, 'sign_a');
    otherSsh = generateSshKey(tmp.path, 'sign_b');
    const work = WorkRepo.init(join(tmp.path, 'work'), 'main');
    const pgpCfg = ['-c', `user.signingKey=${pgp.fingerprint}`];
    work.commit({ 'a.txt': 'a' }, 'pgp signed', { env: pgp.env, config: pgpCfg, sign: true });
    work.tag('v1.0.0', { sign: true, env: pgp.env, config: pgpCfg });
    git(work.dir, ['checkout', '-q', '-b', 'ssh']);
    work.commit({ 'b.txt': 'b' }, 'ssh signed', { config: sshSigningArgs(ssh), sign: true });
    work.tag('v2.0.0', { sign: true, config: sshSigningArgs(ssh) });
    git(work.dir, ['checkout', '-q', '-b', 'unsigned']);
    work.commit({ 'c.txt': 'c' }, 'not signed');
    work.tag('v3.0.0', { annotated: true });
    url = bareFrom(work, join(tmp.path, 'remote.git'));
  });
  after(() => tmp.cleanup());

  it('verifies an OpenPGP-signed commit and tag, returning the key id', async () => {
    const res = await cloneRepository(url, dest(), { ...opts, ref: { tag: 'v1.0.0' } });
    const commit = res.commit!;
    const v = await verifyCommit(commit, [other.publicKey, pgp.publicKey]);
    assert.deepEqual(v, { type: 'openpgp', key: pgp.keyId });
    const t = await verifyTag(commit.referencingTag!, [pgp.publicKey]);
    assert.equal(t.key, pgp.keyId);
  });

  it('fails with VerificationFailed for an unknown key or a tampered payload', async () => {
    const { commit } = await cloneRepository(url, dest(), { ...opts, ref: { branch: 'main' } });
    await assert.rejects(verifyCommit(commit!, [other.publicKey]), (e) => GitError.is(e, 'VerificationFailed'));
    await assert.rejects(verifyCommit({ ...commit!, encoded: commit!.encoded!.replace('pgp signed', 'evil') }, [pgp.publicKey]), (e) =>
      GitError.is(e, 'VerificationFailed'),
    );
  });

  it('verifies SSH-signed commits and tags against authorized keys', async () => {
    const res = await cloneRepository(url, dest(), { ...opts, ref: { tag: 'v2.0.0' } });
    const ring = `# team keys\n${otherSsh.publicKey}\n${ssh.publicKey}`;
    assert.deepEqual(await verifyCommit(res.commit!, [pgp.publicKey, ring]), { type: 'ssh', key: ssh.fingerprint });
    assert.equal((await verifyTag(res.commit!.referencingTag!, [ring])).key, ssh.fingerprint);
    await assert.rejects(verifyCommit(res.commit!, [otherSsh.publicKey]), (e) => GitError.is(e, 'VerificationFailed'));
  });

  it('refuses unsigned commits and tags', async () => {
    const res = await cloneRepository(url, dest(), { ...opts, ref: { tag: 'v3.0.0' } });
    await assert.rejects(verifyCommit(res.commit!, [pgp.publicKey]), (e) => GitError.is(e, 'VerificationFailed'));
    await assert.rejects(verifyTag(res.commit!.referencingTag!, [pgp.publicKey]), /not signed/);
  });

  it('parses authorized_keys lines with options and comments', () => {
    const keys = parseAuthorizedKeys(`# c\nfrom="10.0.0.1" ${ssh.publicKey}\n\nssh-rsa AAAAB3Nza== user@host\n`);
    assert.equal(keys.length, 2);
    assert.match(keys[0]!, /^ssh-ed25519 AAAA/);
  });

  it('commits with an author, signs with SSH, and pushes a new branch', async () => {
    const dir = dest();
    await cloneRepository(url, dir, { ...opts, ref: { branch: 'main' } });
    await switchBranch(dir, 'auto');
    const none = await commitAll(dir, { author: { name: 'Bot', email: 'bot@example.com' }, message: 'nothing' });
    assert.equal(none.created, false);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'new.yaml'), 'image: app:v2\n');
    const res = await commitAll(dir, {
      author: { name: 'Bot', email: 'bot@example.com' },
      message: 'Update from image update automation',
      signingKey: { type: 'ssh', privateKey: ssh.privateKey },
    });
    assert.equal(res.created, true);
    assert.equal(git(dir, ['log', '-1', '--format=%an <%ae>|%s']), 'Bot <bot@example.com>|Update from image update automation');
    await pushRefs(dir, url, { allowFileProtocol: true } as never);
    const pushed = await cloneRepository(url, dest(), { ...opts, ref: { branch: 'auto' } });
    assert.equal(pushed.commit?.hash, res.hash);
    assert.equal((await verifyCommit(pushed.commit!, [ssh.publicKey])).key, ssh.fingerprint);
  });

  it('signs commits with an OpenPGP key and pushes with a refspec', async () => {
    const dir = dest();
    await cloneRepository(url, dir, { ...opts, ref: { branch: 'main' } });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'gpg.yaml'), 'x: 1\n');
    const res = await commitAll(dir, {
      author: { name: 'Bot', email: 'bot@example.com' },
      message: 'signed',
      signingKey: { type: 'gpg', privateKey: other.privateKey },
    });
    await pushRefs(dir, url, { refspecs: ['HEAD:refs/heads/gpg-branch'] });
    const pushed = await cloneRepository(url, dest(), { ...opts, ref: { branch: 'gpg-branch' } });
    assert.equal(pushed.commit?.hash, res.hash);
    assert.equal((await verifyCommit(pushed.commit!, [other.publicKey])).key, other.keyId);
  });
});
