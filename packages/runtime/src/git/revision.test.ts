// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commitPayload, tagFromRaw } from './objects.ts';
import {
  absoluteRevision,
  commitRevision,
  extractHash,
  parseGitObject,
  revisionOf,
  shortMessage,
  signatureType,
  transformRevision,
} from './revision.ts';
import { parseConstraint, parseTagVersion, selectSemver } from './semver.ts';

const H = '363a6a8fe6a7f13e05d34c163b0ef02a777da20a';

describe('revision strings (Flux git.go)', () => {
  const cases: Array<[string, string, boolean, string]> = [
    ['refs/heads/main', H, false, `main@sha1:${H}`],
    ['refs/heads/feature/x', H, false, `feature/x@sha1:${H}`],
    ['refs/tags/v1.0.0', H, false, `v1.0.0@sha1:${H}`],
    ['', H, false, `sha1:${H}`],
    ['refs/heads/main', H, true, `refs/heads/main@sha1:${H}`],
    ['refs/pull/420/head', H, true, `refs/pull/420/head@sha1:${H}`],
    ['', H, true, `sha1:${H}`],
  ];
  for (const [reference, hash, abs, want] of cases) {
    it(`${reference || '(none)'} absolute=${abs} → ${want}`, () => assert.equal(revisionOf({ reference, hash }, abs), want));
  }
  it('exposes both forms', () => {
    assert.equal(commitRevision('refs/heads/main', H), `main@sha1:${H}`);
    assert.equal(absoluteRevision('refs/heads/main', H), `refs/heads/main@sha1:${H}`);
  });
  it('transforms the legacy form and extracts hashes', () => {
    assert.equal(transformRevision(`main/${H}`), `main@sha1:${H}`);
    assert.equal(transformRevision(`feature/x/${H}`), `feature/x@sha1:${H}`);
    assert.equal(transformRevision(`main@sha1:${H}`), `main@sha1:${H}`);
    assert.equal(transformRevision(H), `sha1:${H}`);
    assert.equal(extractHash(`main@sha1:${H}`), H);
    assert.equal(extractHash(`sha1:${H}`), H);
    assert.equal(extractHash(`main/${H}`), H);
    assert.equal(extractHash('v1.0.0'), '');
  });
  it('shortens messages like ShortMessage', () => {
    assert.equal(shortMessage('subject\nbody'), 'subject');
    assert.equal(shortMessage('x'.repeat(51)), `${'x'.repeat(50)}...`);
    assert.equal(shortMessage('é'.repeat(50)), 'é'.repeat(50));
  });
});

describe('raw git objects', () => {
  const sig = '-----BEGIN PGP SIGNATURE-----\n\nabc\n-----END PGP SIGNATURE-----';
  const raw = `tree ${H}\nauthor A <a@x> 1700000000 +0000\ncommitter A <a@x> 1700000000 +0000\ngpgsig ${sig.split('\n').join('\n ')}\n\nmsg\n`;
  it('strips the gpgsig header to get the signed payload', () => {
    assert.equal(commitPayload(raw), `tree ${H}\nauthor A <a@x> 1700000000 +0000\ncommitter A <a@x> 1700000000 +0000\n\nmsg\n`);
    assert.equal(parseGitObject(raw).gpgsig, sig);
    assert.equal(signatureType(sig), 'openpgp');
    assert.equal(signatureType('-----BEGIN SSH SIGNATURE-----\n'), 'ssh');
    assert.equal(signatureType(''), 'empty');
  });
  it('splits a tag signature from its message', () => {
    const tagRaw = `object ${H}\ntype commit\ntag v1\ntagger T <t@x> 1700000000 +0000\n\nrelease\n${sig}\n`;
    const tag = tagFromRaw('f'.repeat(40), tagRaw);
    assert.equal(tag.name, 'v1');
    assert.equal(tag.message, 'release\n');
    assert.equal(tag.signature, `${sig}\n`);
    assert.equal(tag.encoded, `object ${H}\ntype commit\ntag v1\ntagger T <t@x> 1700000000 +0000\n\nrelease\n`);
  });
});

describe('semver (Masterminds semantics)', () => {
  it('accepts strict versions with an optional v', () => {
    assert.equal(parseTagVersion('v1.2.3')?.version, '1.2.3');
    assert.equal(parseTagVersion('1.2.3-rc.1+b')?.version, '1.2.3-rc.1');
    for (const bad of ['1.2', 'v1', 'vv1.2.3', '01.2.3', 'latest', '=1.2.3']) assert.equal(parseTagVersion(bad), undefined, bad);
  });
  it('translates constraints', () => {
    const tags = ['v0.9.0', 'v1.0.0', 'v1.2.0', 'v1.3.0-rc.1', 'v2.0.0', '3.0.0-alpha'].map((name) => ({ name }));
    const pick = (c: string): string | undefined => selectSemver(tags, c)?.name;
    assert.equal(pick('>= 1.0.0, < 2.0.0'), 'v1.2.0');
    assert.equal(pick('^1'), 'v1.2.0');
    assert.equal(pick('~1.2'), 'v1.2.0');
    assert.equal(pick('1.x'), 'v1.2.0');
    assert.equal(pick('*'), 'v2.0.0');
    assert.equal(pick('>=1.3.0-0'), '3.0.0-alpha');
    assert.equal(pick('<1.0.0 || >=2.0.0'), 'v2.0.0');
    assert.equal(pick('>5'), undefined);
    assert.throws(() => parseConstraint('>>>'), /semver parse error/);
  });
  it('breaks ties of equal versions by timestamp', () => {
    const best = selectSemver([{ name: 'v1.0.0+a', timestamp: 2 }, { name: 'v1.0.0+b', timestamp: 1 }], '1.0.0');
    assert.equal(best?.name, 'v1.0.0+a');
  });
});
