// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatChartRevision,
  formatRevision,
  parseChartRevision,
  parseRevision,
  sameRevision,
  transformLegacyRevision,
} from './revision.ts';

const SHA1 = '363a6a8fe6a7f13e05d34c163b0ef02a777da20a';
const SHA256 = '9f2e2a5c3bd6b3b0a4ff3e6a4cf1c1b7bd93cf0c5a3b51d1f0fa0b3c1f42c9d1';

describe('parseRevision', () => {
  const cases: [string, { name?: string; algorithm: string; encoded: string; legacy?: boolean }][] = [
    [`main@sha1:${SHA1}`, { name: 'main', algorithm: 'sha1', encoded: SHA1 }],
    [`sha1:${SHA1}`, { algorithm: 'sha1', encoded: SHA1 }],
    [`refs/heads/main@sha1:${SHA1}`, { name: 'refs/heads/main', algorithm: 'sha1', encoded: SHA1 }],
    [`6.0.3@sha256:${SHA256}`, { name: '6.0.3', algorithm: 'sha256', encoded: SHA256 }],
    [`sha256:${SHA256}`, { algorithm: 'sha256', encoded: SHA256 }],
    [`v1.0.0@weird@sha1:${SHA1}`, { name: 'v1.0.0@weird', algorithm: 'sha1', encoded: SHA1 }],
    [`main/${SHA1}`, { name: 'main', algorithm: 'sha1', encoded: SHA1, legacy: true }],
    [`feature/x/${SHA1}`, { name: 'feature/x', algorithm: 'sha1', encoded: SHA1, legacy: true }],
  ];
  for (const [input, want] of cases) {
    it(`parses ${input.slice(0, 30)}…`, () => {
      const result = parseRevision(input);
      assert.ok(result.ok, input);
      assert.equal(result.value.name, want.name);
      assert.equal(result.value.digest.algorithm, want.algorithm);
      assert.equal(result.value.digest.encoded, want.encoded);
      assert.equal(result.value.legacy, want.legacy);
    });
  }

  const bad = ['', 'main', `@sha1:${SHA1}`, 'main@sha1:xyz', `main@sha1:${SHA1.slice(1)}`, `main@${SHA1}`, `sha1:${SHA1.toUpperCase()}`, 'main/abc'];
  for (const input of bad) {
    it(`rejects ${JSON.stringify(input.slice(0, 30))}`, () => {
      const result = parseRevision(input);
      assert.equal(result.ok, false);
      if (!result.ok) assert.equal(result.error.code, 'InvalidRevision');
    });
  }
});

describe('formatRevision and friends', () => {
  it('formats with and without a name', () => {
    assert.equal(formatRevision({ name: 'main', digest: { algorithm: 'sha1', encoded: SHA1 } }), `main@sha1:${SHA1}`);
    assert.equal(formatRevision({ digest: { algorithm: 'sha256', encoded: SHA256 } }), `sha256:${SHA256}`);
  });

  it('rewrites legacy revisions only', () => {
    assert.equal(transformLegacyRevision(`main/${SHA1}`), `main@sha1:${SHA1}`);
    assert.equal(transformLegacyRevision(`main@sha1:${SHA1}`), `main@sha1:${SHA1}`);
    assert.equal(transformLegacyRevision('6.0.3'), '6.0.3');
  });

  it('compares revisions by digest', () => {
    assert.equal(sameRevision(`main/${SHA1}`, `main@sha1:${SHA1}`), true);
    assert.equal(sameRevision(`main@sha1:${SHA1}`, `sha1:${SHA1}`), true);
    assert.equal(sameRevision(`main@sha1:${SHA1}`, `sha256:${SHA256}`), false);
    assert.equal(sameRevision('6.0.3', '6.0.3'), true);
    assert.equal(sameRevision('6.0.3', '6.0.4'), false);
  });
});

describe('chart revisions', () => {
  it('parses versions with build metadata', () => {
    assert.deepEqual(parseChartRevision('6.0.3'), { ok: true, value: { version: '6.0.3' } });
    assert.deepEqual(parseChartRevision('6.0.3+4'), { ok: true, value: { version: '6.0.3', build: '4' } });
    assert.deepEqual(parseChartRevision('1.0.0-rc.1+1c8a7e2b9d4f'), { ok: true, value: { version: '1.0.0-rc.1', build: '1c8a7e2b9d4f' } });
    const bad = parseChartRevision('six');
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.equal(bad.error.code, 'InvalidChartVersion');
  });

  it('formats build metadata like source-controller', () => {
    assert.equal(formatChartRevision('6.0.3'), '6.0.3');
    assert.equal(formatChartRevision('6.0.3', 4), '6.0.3+4');
    assert.equal(formatChartRevision('6.0.3', SHA1), `6.0.3+${SHA1.slice(0, 12)}`);
  });
});
