// SPDX-License-Identifier: Apache-2.0
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needsClientNode, readToken, staticCredentials } from './credentials.ts';
import type { KubeconfigCluster, KubeconfigUser } from './kubeconfig.ts';

describe('staticCredentials', () => {
  let dir: string;
  const file = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const cluster: KubeconfigCluster = { name: 'c', server: 'https://c', skipTLSVerify: false };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'eddy-creds-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads CA, client certificate and key from files or inline data', async () => {
    const fromFiles = await staticCredentials(
      { ...cluster, caFile: file('ca.crt', 'CA-FILE'), tlsServerName: 'kubernetes' },
      { name: 'u', certFile: file('cert.pem', 'CERT-FILE'), keyFile: file('key.pem', 'KEY-FILE') },
    );
    assert.deepEqual(
      [fromFiles.ca?.toString(), fromFiles.cert?.toString(), fromFiles.key?.toString(), fromFiles.servername, fromFiles.rejectUnauthorized],
      ['CA-FILE', 'CERT-FILE', 'KEY-FILE', 'kubernetes', undefined],
    );
    const b64 = (s: string): string => Buffer.from(s).toString('base64');
    const inline = await staticCredentials(
      { ...cluster, caData: b64('CA-DATA'), skipTLSVerify: true },
      { name: 'u', certData: b64('CERT-DATA'), keyData: b64('KEY-DATA') },
    );
    assert.deepEqual(
      [inline.ca?.toString(), inline.cert?.toString(), inline.key?.toString(), inline.rejectUnauthorized],
      ['CA-DATA', 'CERT-DATA', 'KEY-DATA', false],
    );
    assert.deepEqual(inline.headers, {});
  });

  it('prefers a file to inline data, as kubectl does', async () => {
    const creds = await staticCredentials({ ...cluster, caFile: file('ca2.crt', 'FILE'), caData: Buffer.from('DATA').toString('base64') }, undefined);
    assert.equal(creds.ca?.toString(), 'FILE');
  });

  it('refuses unreadable files and half a key pair', async () => {
    await assert.rejects(staticCredentials({ ...cluster, caFile: join(dir, 'nope.crt') }, undefined), /cannot read certificate-authority .*nope\.crt/);
    await assert.rejects(staticCredentials(cluster, { name: 'u', certData: 'Q0VSVA==' }), /user 'u' has a client certificate but no key/);
    await assert.rejects(staticCredentials(cluster, { name: 'u', keyFile: file('k', 'K') }), /has a client key but no certificate/);
  });

  it('sends a bearer token, else basic auth, never both', async () => {
    assert.equal((await staticCredentials(cluster, { name: 'u', token: 'tok' })).headers.Authorization, 'Bearer tok');
    assert.equal(
      (await staticCredentials(cluster, { name: 'u', username: 'admin', password: 'p:w' })).headers.Authorization,
      `Basic ${Buffer.from('admin:p:w').toString('base64')}`,
    );
    await assert.rejects(staticCredentials(cluster, { name: 'u', token: 't', username: 'admin', password: 'p' }), /not both/);
  });

  it('re-reads a token file every time, falling back to the token while it is unreadable', async () => {
    const tokenFile = file('token', 'first\n');
    const user: KubeconfigUser = { name: 'u', tokenFile, token: 'static' };
    assert.equal(await readToken(user), 'first');
    writeFileSync(tokenFile, 'second');
    assert.equal((await staticCredentials(cluster, user)).headers.Authorization, 'Bearer second');
    rmSync(tokenFile);
    assert.equal(await readToken(user), 'static');
    await assert.rejects(readToken({ name: 'u', tokenFile }), /cannot read token file/);
  });

  it('sets impersonation headers, groups as repeated headers', async () => {
    const creds = await staticCredentials(cluster, {
      name: 'u',
      impersonateUser: 'jane',
      impersonateGroups: ['dev', 'ops'],
      impersonateUid: '42',
      impersonateExtra: { 'scopes/x': ['a', 'b'] },
    });
    assert.deepEqual(creds.headers, {
      'Impersonate-User': 'jane',
      'Impersonate-Group': ['dev', 'ops'],
      'Impersonate-Uid': '42',
      'Impersonate-Extra-scopes%2Fx': ['a', 'b'],
    });
  });

  it('leaves exec plugins and auth providers to client-node', () => {
    assert.equal(needsClientNode({ name: 'u', exec: { command: 'x' } }), true);
    assert.equal(needsClientNode({ name: 'u', authProvider: { name: 'oidc' } }), true);
    assert.equal(needsClientNode({ name: 'u', token: 't', tokenFile: '/t' }), false);
    assert.equal(needsClientNode(undefined), false);
  });
});
