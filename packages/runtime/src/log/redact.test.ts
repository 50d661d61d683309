// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { REDACTED, redact, redactString } from './redact.ts';
import { createLogger, reconcileLogger, controllerLogger } from './logger.ts';

function capture(level = 'info', encoding = 'json'): { log: ReturnType<typeof createLogger>; lines: () => string[] } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  return { log: createLogger({ level, encoding, stream }), lines: () => chunks.join('').split('\n').filter(Boolean) };
}
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('redact', () => {
  it('replaces values under sensitive keys at any depth', () => {
    const out = redact({
      password: 'hunter2',
      auth: { bearerToken: 'abc', headers: { Authorization: 'Bearer xyz', Accept: 'json' } },
      list: [{ clientSecret: 's' }, { apiKey: 'k' }],
      secretRef: { name: 'git-auth' },
      tokenTTL: 5,
    });
    assert.deepEqual(out, {
      password: REDACTED,
      auth: { bearerToken: REDACTED, headers: { Authorization: REDACTED, Accept: 'json' } },
      list: [{ clientSecret: REDACTED }, { apiKey: REDACTED }],
      secretRef: { name: 'git-auth' },
      tokenTTL: 5,
    });
  });

  it('keeps the keys but drops the values of a Secret\'s data and stringData', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { username: 'dXNlcg==', identity: 'x' }, stringData: { a: 'b' } };
    assert.deepEqual(redact({ object: secret }), {
      object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { username: REDACTED, identity: REDACTED }, stringData: { a: REDACTED } },
    });
    assert.equal(secret.data.username, 'dXNlcg==', 'the input is not modified');
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'visible' } };
    assert.deepEqual(redact(cm), cm);
  });

  it('removes URL userinfo and Bearer/Basic credentials from strings', () => {
    assert.equal(redactString('clone https://git:s3cr3t@example.com/repo.git failed'), `clone https://${REDACTED}@example.com/repo.git failed`);
    assert.equal(redactString('ssh://git@github.com/x'), `ssh://${REDACTED}@github.com/x`);
    assert.equal(redactString('header Authorization: Bearer eyJhbGciOi.x.y'), `header Authorization: Bearer ${REDACTED}`);
    assert.equal(redactString('Basic dXNlcjpwYXNz'), `Basic ${REDACTED}`);
    assert.equal(redactString('mail me@example.com'), 'mail me@example.com');
  });

  it('handles errors, buffers, URLs and cycles', () => {
    const err = Object.assign(new Error('GET https://u:p@h/x: 401'), { token: 't' });
    const cyc: Record<string, unknown> = { a: 1 };
    cyc.self = cyc;
    const out = redact({ err, buf: Buffer.from('secret'), url: new URL('https://u:p@h/'), cyc }) as Record<string, Record<string, unknown>>;
    assert.equal(out.err!.message, `GET https://${REDACTED}@h/x: 401`);
    assert.equal(out.err!.token, REDACTED);
    assert.equal(out.buf, '[binary 6 bytes]');
    assert.equal(out.url, `https://${REDACTED}@h/`);
    assert.equal(out.cyc!.self, '[Circular]');
  });
});

describe('logger', () => {
  it('writes redacted JSON lines with level, ts and msg first', async () => {
    const { log, lines } = capture();
    log.info('pulled https://bot:pat@github.com/org/repo', { password: 'p', revision: 'main@sha1:abc' });
    log.debug('hidden at info');
    await tick();
    const out = lines();
    assert.equal(out.length, 1);
    const entry = JSON.parse(out[0]!) as Record<string, unknown>;
    assert.deepEqual(Object.keys(entry).slice(0, 3), ['level', 'ts', 'msg']);
    assert.equal(entry.level, 'info');
    assert.equal(entry.msg, `pulled https://${REDACTED}@github.com/org/repo`);
    assert.equal(entry.password, REDACTED);
    assert.equal(entry.revision, 'main@sha1:abc');
    assert.doesNotMatch(out[0]!, /pat@|"p"/);
  });

  it('carries controller and reconcile fields on child loggers, and redacts error stacks', async () => {
    const { log, lines } = capture('trace');
    const c = controllerLogger(log, { controller: 'gitrepository', group: 'source.toolkit.fluxcd.io', kind: 'GitRepository' });
    const r = reconcileLogger(c, 'GitRepository', 'flux-system', 'podinfo', 'id-1');
    r.error('reconcile failed', new Error('auth https://a:b@h failed'));
    r.log('silly', 'trace line');
    await tick();
    const [e, t] = lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(e!.controller, 'gitrepository');
    assert.equal(e!.controllerKind, 'GitRepository');
    assert.deepEqual(e!.GitRepository, { name: 'podinfo', namespace: 'flux-system' });
    assert.equal(e!.reconcileID, 'id-1');
    assert.match(String(e!.msg), /reconcile failed/);
    assert.doesNotMatch(JSON.stringify(e), /a:b@/);
    assert.equal(t!.level, 'trace');
  });

  it('rejects unknown levels and encodings', () => {
    assert.throws(() => createLogger({ level: 'loud' }), /invalid log level/);
    assert.throws(() => createLogger({ encoding: 'xml' }), /invalid log encoding/);
  });
});
