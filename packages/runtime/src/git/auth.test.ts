// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { authFromSecret, isEncryptedPrivateKey } from './auth.ts';
import { classifyGitOutput, GitError, redact, toGitError } from './errors.ts';
import { GitSession, originOf } from './session.ts';
import { tempDir } from './test-fixtures.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('authFromSecret (Flux NewAuthOptions)', () => {
  it('reads basic auth and CA for https', () => {
    const a = authFromSecret('https://git.example.com/org/repo', { username: enc('u'), password: enc('p'), 'ca.crt': 'CA' });
    assert.deepEqual(a, { transport: 'https', host: 'git.example.com', username: 'u', password: 'p', caCert: 'CA' });
  });
  it('prefers bearerToken and falls back to caFile', () => {
    const a = authFromSecret('https://h/r', { bearerToken: 't', caFile: 'CA2' });
    assert.equal(a.bearerToken, 't');
    assert.equal(a.caCert, 'CA2');
    assert.equal(a.username, undefined);
  });
  it('takes credentials from the URL when the secret has none', () => {
    const a = authFromSecret('https://user:pa%40ss@h/r');
    assert.equal(a.username, 'user');
    assert.equal(a.password, 'pa@ss');
  });
  it('reads ssh identity, known_hosts and user (default git)', () => {
    const a = authFromSecret('ssh://h:2222/r', { identity: 'KEY', known_hosts: 'h ssh-ed25519 AAAA', password: 'pp' });
    assert.equal(a.username, 'git');
    assert.equal(a.host, 'h:2222');
    assert.equal(authFromSecret('ssh://deploy@h/r', { identity: 'K', known_hosts: 'x' }).username, 'deploy');
  });
  it('validates like Flux', () => {
    assert.throws(() => authFromSecret('https://h/r', { password: 'p' }), /'password' requires 'username'/);
    assert.throws(() => authFromSecret('ssh://h/r', { identity: 'K' }), /'known_hosts' is required/);
    assert.throws(() => authFromSecret('ssh://h/r', { known_hosts: 'x' }), /'identity' is required/);
    assert.throws(() => authFromSecret('https://h/r', { 'tls.crt': 'c' }), /tls.key/);
    assert.throws(() => authFromSecret('git@github.com:org/repo.git'), (e) => GitError.is(e, 'InvalidOptions'));
    assert.throws(() => authFromSecret('ftp://h/r'), /unsupported URL scheme/);
  });
  it('detects encrypted SSH keys and refuses them without a password', () => {
    const tmp = tempDir();
    try {
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret', '-f', join(tmp.path, 'k')]);
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(tmp.path, 'p')]);
      const encrypted = readFileSync(join(tmp.path, 'k'), 'utf8');
      assert.equal(isEncryptedPrivateKey(encrypted), true);
      assert.equal(isEncryptedPrivateKey(readFileSync(join(tmp.path, 'p'), 'utf8')), false);
      assert.throws(() => authFromSecret('ssh://h/r', { identity: encrypted, known_hosts: 'x' }), /encrypted but no 'password'/);
    } finally {
      tmp.cleanup();
    }
  });
});

describe('git errors', () => {
  it('classifies git output', () => {
    assert.equal(classifyGitOutput("fatal: Authentication failed for 'https://h/r/'"), 'AuthenticationFailed');
    assert.equal(classifyGitOutput('fatal: could not read Username for \'https://h\': terminal prompts disabled'), 'AuthenticationFailed');
    assert.equal(classifyGitOutput('git@h: Permission denied (publickey).'), 'AuthenticationFailed');
    assert.equal(classifyGitOutput('fatal: unable to access: Could not resolve host: nowhere.invalid'), 'UnknownHost');
    assert.equal(classifyGitOutput('Host key verification failed.'), 'HostKeyMismatch');
    assert.equal(classifyGitOutput("fatal: repository 'https://h/x/' not found"), 'NotFound');
    assert.equal(classifyGitOutput('fatal: something else'), 'OperationFailed');
  });
  it('redacts secrets, their base64 and URL userinfo', () => {
    const b64 = Buffer.from('hunter22').toString('base64');
    assert.equal(redact(`x hunter22 ${b64} https://u:p@h/r`, ['hunter22']), 'x *** *** https://***@h/r');
    const e = toGitError(new Error('fatal: Authentication failed hunter22'), 'unable to clone', ['hunter22']);
    assert.equal(e.kind, 'AuthenticationFailed');
    assert.doesNotMatch(e.message, /hunter22/);
    assert.equal(toGitError(new Error('x'), 'c', [], true).kind, 'Timeout');
  });
});

describe('GitSession', () => {
  it('scopes the auth header to the origin, keeps it out of argv, and writes 0600 files', async () => {
    const s = await GitSession.open({
      url: 'https://git.example.com:8443/org/repo',
      auth: { transport: 'https', host: 'git.example.com:8443', username: 'u', password: 'p', caCert: 'CA' },
    });
    try {
      const env = s.environment();
      const keys = Object.entries(env).filter(([k]) => k.startsWith('GIT_CONFIG_KEY_')).map(([, v]) => v);
      assert.ok(keys.includes('http.https://git.example.com:8443/.extraHeader'));
      assert.ok(Object.values(env).includes(`Authorization: Basic ${Buffer.from('u:p').toString('base64')}`));
      const { statSync } = await import('node:fs');
      assert.equal(statSync(join(s.tmp, 'ca.crt')).mode & 0o777, 0o600);
      assert.match(env.GIT_SSH_COMMAND!, /StrictHostKeyChecking=yes/);
    } finally {
      await s.dispose();
    }
    const { existsSync } = await import('node:fs');
    assert.equal(existsSync(s.tmp), false);
  });
  it('derives origins only for http(s)', () => {
    assert.equal(originOf('https://h:1/a/b'), 'https://h:1/');
    assert.equal(originOf('ssh://git@h/r'), undefined);
  });
});
