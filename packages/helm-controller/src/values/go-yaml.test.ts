// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeGoYamlV2, formatGoFloat } from './go-yaml.ts';

interface Vector {
  values: Record<string, unknown>;
  yaml: string;
  digest: string;
}

const vectors = JSON.parse(
  readFileSync(join(import.meta.dirname, 'testdata', 'goyaml-v2-vectors.json'), 'utf8'),
) as Vector[];

describe('encodeGoYamlV2', () => {
  it('matches go-yaml v2 byte for byte on every golden vector', () => {
    const failures: string[] = [];
    for (const v of vectors) {
      const got = encodeGoYamlV2(v.values);
      if (got !== v.yaml) failures.push(`${JSON.stringify(v.values)}\n  want ${JSON.stringify(v.yaml)}\n  got  ${JSON.stringify(got)}`);
    }
    assert.equal(failures.length, 0, failures.slice(0, 8).join('\n'));
    assert.ok(vectors.length > 200);
  });

  it('encodes empty and absent values as nothing', () => {
    assert.equal(encodeGoYamlV2({}), '');
    assert.equal(encodeGoYamlV2(undefined), '');
  });
});

describe('formatGoFloat', () => {
  const cases: Array<[number, string]> = [
    [1.5, '1.5'],
    [0.000123, '0.000123'],
    [2.5e-5, '2.5e-05'],
    [1234567.5, '1.2345675e+06'],
    [1e21, '1e+21'],
    [-0.5, '-0.5'],
    [Infinity, '.inf'],
  ];
  for (const [n, want] of cases) it(`formats ${n} as ${want}`, () => assert.equal(formatGoFloat(n), want));
});
