// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatDigest, parseDigest, parseDigestLenient } from './digest.ts';

const SHA256 = 'a'.repeat(64);

describe('parseDigest', () => {
  it('parses well-known and other algorithms', () => {
    assert.deepEqual(parseDigest(`sha256:${SHA256}`), { ok: true, value: { algorithm: 'sha256', encoded: SHA256 } });
    assert.deepEqual(parseDigest(`sha1:${'b'.repeat(40)}`), { ok: true, value: { algorithm: 'sha1', encoded: 'b'.repeat(40) } });
    assert.deepEqual(parseDigest('blake3:AbC_-='), { ok: true, value: { algorithm: 'blake3', encoded: 'AbC_-=' } });
  });

  const bad = ['', SHA256, `sha256:${SHA256.slice(1)}`, `sha256:${SHA256.toUpperCase()}`, `SHA256:${SHA256}`, 'sha256:', ':abc', 'sha256:a b'];
  for (const input of bad) {
    it(`rejects ${JSON.stringify(input.slice(0, 20))}`, () => {
      const result = parseDigest(input);
      assert.equal(result.ok, false);
      if (!result.ok) assert.equal(result.error.code, 'InvalidDigest');
    });
  }

  it('formats back', () => assert.equal(formatDigest({ algorithm: 'sha256', encoded: SHA256 }), `sha256:${SHA256}`));

  it('treats a bare hex digest as sha256 when lenient', () => {
    assert.deepEqual(parseDigestLenient(SHA256), { ok: true, value: { algorithm: 'sha256', encoded: SHA256 } });
    assert.equal(parseDigestLenient('').ok, false);
  });
});
