// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { isPlainSafe, toYaml } from './yaml.ts';
import { allCrds, allKinds } from '../kinds.ts';

const TRICKY = [
  '',
  ' leading',
  'trailing ',
  'true',
  'no',
  'Off',
  'null',
  '~',
  '123',
  '1.5',
  '0755',
  '1e3',
  '.inf',
  '0x1F',
  '2021-08-01T04:52:56Z',
  '*',
  '@monorepo/apps/**',
  '>= 1.8.0-rc.0',
  '- item',
  'a: b',
  'a #b',
  'ends:',
  '{x}',
  '[x]',
  '"quoted"',
  "'single'",
  '%percent',
  '!tag',
  '&anchor',
  '|pipe',
  'line1\nline2',
  'line1\nline2\n',
  'trailing blank \nline',
  'tab\there',
  '  indented\nblock',
  'keep\n\n',
  '.status.conditions[?(@.type=="Ready")].status',
  '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$',
  'unicode ✓ µs',
  '<<',
];

function roundTrip(value: unknown, version: '1.1' | '1.2'): unknown {
  return parse(toYaml(value), { version });
}

describe('toYaml', () => {
  for (const version of ['1.2', '1.1'] as const) {
    it(`round-trips tricky strings through a YAML ${version} reader`, () => {
      for (const s of TRICKY) {
        assert.deepEqual(roundTrip({ key: s, list: [s], nested: { [s === '' ? 'empty' : s]: s } }, version), {
          key: s,
          list: [s],
          nested: { [s === '' ? 'empty' : s]: s },
        }, `string ${JSON.stringify(s)}`);
      }
    });
  }

  it('writes scalars, empty collections and nested lists', () => {
    const value = { n: 1, f: -2.5, t: true, z: null, e: [], o: {}, deep: [[1, 2], [{ a: 1, b: [] }]], top: [{ x: { y: 'z' } }] };
    assert.deepEqual(roundTrip(value, '1.2'), value);
    assert.equal(toYaml({ a: 'plain', b: 'x y' }), 'a: plain\nb: x y\n');
  });

  it('writes multi-line strings as literal blocks', () => {
    assert.equal(toYaml({ patch: 'a\nb\n' }), 'patch: |\n  a\n  b\n');
    assert.equal(toYaml({ patch: 'a\nb' }), 'patch: |-\n  a\n  b\n');
  });

  it('quotes only what a reader would misread', () => {
    assert.equal(isPlainSafe('podinfo'), true);
    assert.equal(isPlainSafe('https://example.com/x'), true);
    assert.equal(isPlainSafe('yes'), false);
    assert.equal(isPlainSafe('10'), false);
    assert.equal(isPlainSafe('key: value'), false);
  });

  it('refuses values YAML cannot carry', () => {
    assert.throws(() => toYaml({ n: Number.NaN }), TypeError);
  });

  it('round-trips every CRD and every docs example', () => {
    for (const crd of allCrds()) assert.deepEqual(roundTrip(crd, '1.1'), JSON.parse(JSON.stringify(crd)), crd.metadata.name);
    for (const kind of allKinds()) assert.deepEqual(roundTrip(kind.docs.example, '1.2'), kind.docs.example, kind.kind);
  });

  it('is deterministic', () => {
    assert.equal(toYaml(allCrds()), toYaml(allCrds()));
  });
});
