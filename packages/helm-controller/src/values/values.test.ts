// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { digestValues, EMPTY_VALUES_DIGEST, verifyValues } from './digest.ts';
import { mergeMaps } from './merge.ts';
import { readValues } from './values-from.ts';

describe('digestValues', () => {
  // Vectors from fluxcd/pkg chartutil/digest_test.go.
  const cases: Array<[string, Record<string, unknown> | undefined, string]> = [
    ['empty', {}, EMPTY_VALUES_DIGEST],
    ['nil', undefined, EMPTY_VALUES_DIGEST],
    [
      'value map',
      { replicas: 3, image: { tag: 'latest', repository: 'nginx' }, ports: [{ protocol: 'TCP', port: 8080 }, { port: 9090, protocol: 'UDP' }] },
      'sha256:fcdc2b0de1581a3633ada4afee3f918f6eaa5b5ab38c3fef03d5b48d3f85d9f6',
    ],
    [
      'numeric-looking keys',
      { replicas: 3, test: { '632bd82398e71231a98004b6': 'value4', '632bd80235a05f4192aefade': 'value1', '632bd817c559818a52307da2': 'value3', '632bd80ddf416cf32fd50679': 'value2' } },
      'sha256:8a980fcbeadd6f05818f07e8aec14070c22250ca3d96af1fcd5f93b3e85b4d70',
    ],
  ];
  for (const [name, values, want] of cases) it(`digests ${name}`, () => assert.equal(digestValues(values), want));

  it('verifies digests and rejects malformed ones', () => {
    const v = { foo: 'bar' };
    assert.equal(verifyValues(digestValues(v), v), true);
    assert.equal(verifyValues(digestValues(v), { foo: 'baz' }), false);
    assert.equal(verifyValues('', v), false);
    assert.equal(verifyValues('sha512:invalid', undefined), false);
    assert.equal(verifyValues(EMPTY_VALUES_DIGEST, {}), true);
  });
});

describe('mergeMaps', () => {
  it('merges maps recursively and replaces everything else', () => {
    const a = { a: { b: 1, c: [1, 2] }, s: 'x', m: { k: 1 } };
    const b = { a: { c: [3], d: 4 }, s: { now: 'map' }, m: 'scalar' };
    assert.deepEqual(mergeMaps(a, b), { a: { b: 1, c: [3], d: 4 }, s: { now: 'map' }, m: 'scalar' });
    assert.deepEqual(a, { a: { b: 1, c: [1, 2] }, s: 'x', m: { k: 1 } }, 'inputs stay untouched');
  });
});

describe('readValues', () => {
  it('reads YAML 1.1 the way go-yaml v2 does', () => {
    assert.deepEqual(readValues('a: yes\nb: 0755\nc: 2024-01-02\nd: ~\n'), { a: true, b: 493, c: '2024-01-02T00:00:00Z', d: null });
  });
  it('treats an empty document as empty values', () => assert.deepEqual(readValues('# nothing\n'), {}));
  it('rejects documents that are not maps', () => {
    assert.throws(() => readValues('- a\n- b\n'), /cannot unmarshal array into Go value of type map/);
    assert.throws(() => readValues('a: [1\n'), /error converting YAML to JSON/);
  });
});
