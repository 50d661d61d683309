// SPDX-License-Identifier: Apache-2.0
/** Tag-selection policies, table-driven from Flux's own tests and documented examples. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseGoFloat } from './go-float.ts';
import {
  AlphabeticalPolicy,
  InvalidPolicyError,
  NoMatchingTagError,
  NumericalPolicy,
  SemverPolicy,
  TagParseError,
  policerFromSpec,
} from './policies.ts';

/** A deterministic shuffle (Flux shuffles its inputs; order must not matter). */
function rotate<T>(list: readonly T[], by: number): T[] {
  return list.map((_, i) => list[(i + by) % list.length]!);
}

describe('SemverPolicy.latest (Flux semver_test.go)', () => {
  const cases = [
    { label: 'Regular', range: '1.0.x', tags: ['1.0.0', '1.0.0.1', '1.0.0p', '1.0.1', '1.2.0', '0.1.0'], want: '1.0.1' },
    { label: 'Regular with prefix', range: '1.0.x', tags: ['v1.2.3', 'v1.0.0', 'v0.1.0'], want: 'v1.0.0' },
    { label: 'With invalid prefix', range: '1.0.x', tags: ['b1.2.3', 'b1.0.0', 'b0.1.0'], want: NoMatchingTagError },
    { label: 'With empty list', range: '1.0.x', tags: [], want: NoMatchingTagError },
    { label: 'With non-matching version list', range: '1.0.x', tags: ['1.2.0'], want: NoMatchingTagError },
    { label: 'docs: 5.1.x', range: '5.1.x', tags: ['5.0.3', '5.1.4', '5.1.10', '5.2.0', '6.0.0'], want: '5.1.10' },
    { label: 'docs: >=1.0.0 skips prereleases', range: '>=1.0.0', tags: ['1.0.0', '1.1.0-rc.1', '1.0.5'], want: '1.0.5' },
    { label: 'docs: ^1.x-0 selects release candidates', range: '^1.x-0', tags: ['1.0.0', '1.1.0-rc.1', '1.1.0-rc.2', '2.0.0-rc.1'], want: '1.1.0-rc.2' },
    { label: 'release beats its prerelease', range: '>=1.0.0-0', tags: ['1.2.0-rc.9', '1.2.0', '1.1.9'], want: '1.2.0' },
    { label: 'first of equal versions wins', range: '*', tags: ['1.0.0+b', 'v1.0.0', '1.0.0+a'], want: '1.0.0+b' },
  ] as const;
  for (const c of cases) {
    it(c.label, () => {
      const p = new SemverPolicy(c.range);
      if (typeof c.want === 'string') assert.equal(p.latest(c.tags), c.want);
      else assert.throws(() => p.latest(c.tags), c.want);
    });
  }

  it('stalls on invalid ranges (Flux TestNewSemVer)', () => {
    for (const r of ['1.0.0p', '1x', 'x1', '-1', 'a', '']) assert.throws(() => new SemverPolicy(r), InvalidPolicyError, r);
    for (const r of ['1.0.x', '^1.0', '=1.0.0', '~1.0', '>=1.0', '>0,<2.0']) assert.doesNotThrow(() => new SemverPolicy(r), r);
  });
});

describe('AlphabeticalPolicy.latest', () => {
  const letters = ['a', 'c', 'b', 'Z', 'x', 'aa'];
  const cases = [
    { label: 'asc selects the last in ascending order', order: 'asc', tags: letters, want: 'x' },
    { label: 'default order is asc (Flux CRD default)', order: undefined, tags: letters, want: 'x' },
    { label: 'desc selects the first in ascending order', order: 'desc', tags: letters, want: 'Z' },
    { label: 'order is case-insensitive', order: 'DESC', tags: letters, want: 'Z' },
    {
      label: 'RFC3339 timestamps',
      order: 'asc',
      tags: ['RELEASE.2021-05-20T22-31-44Z', 'RELEASE.2021-06-01T00-00-00Z', 'RELEASE.2020-12-31T23-59-59Z'],
      want: 'RELEASE.2021-06-01T00-00-00Z',
    },
    { label: 'byte order, not locale order', order: 'asc', tags: ['b', 'B', 'é', 'e'], want: 'é' },
  ];
  for (const c of cases) {
    it(c.label, () => {
      for (let r = 0; r < c.tags.length; r++) assert.equal(new AlphabeticalPolicy(c.order).latest(rotate(c.tags, r)), c.want);
    });
  }
  it('rejects an unknown order and an empty list', () => {
    assert.throws(() => new AlphabeticalPolicy('sideways'), InvalidPolicyError);
    assert.throws(() => new AlphabeticalPolicy().latest([]), NoMatchingTagError);
  });
});

describe('NumericalPolicy.latest (Flux numerical_test.go)', () => {
  const cases = [
    { label: 'integers ascending', tags: ['-62', '-88', '73', '72', '15', '16', '15', '29', '-33', '-91'], want: '73' },
    { label: 'integers descending', order: 'desc', tags: ['5', '-8', '-78', '25', '70', '-4', '80', '92', '-20', '-24'], want: '-78' },
    {
      label: 'floats ascending',
      tags: ['47.40896403322944', '-27.8520927455902', '-27.930666514224427', '-31.352485948094568', '53.47333823144817', '3.2008658570411086'],
      want: '53.47333823144817',
    },
    {
      label: 'floats descending',
      order: 'desc',
      tags: ['-65.27202780220686', '57.82948329142309', '-90.29082099756083', '-12.041712603564264', '77.70488240399305'],
      want: '-90.29082099756083',
    },
    { label: 'unix timestamps ascending', tags: ['1606234201', '1606364286', '1606334092', '1606334284', '1606334201'], want: '1606364286' },
    { label: 'unix timestamps descending', order: 'desc', tags: ['1606234201', '1606364286', '1606334092', '1606334284', '1606334201'], want: '1606234201' },
    { label: 'single value', tags: ['1'], want: '1' },
  ];
  for (const c of cases) {
    it(c.label, () => {
      for (let r = 0; r < c.tags.length; r++) assert.equal(new NumericalPolicy(c.order).latest(rotate(c.tags, r)), c.want);
    });
  }
  it('fails the whole list on one non-numeric tag', () => {
    assert.throws(() => new NumericalPolicy().latest(['0', '1a', 'b']), TagParseError);
    assert.throws(() => new NumericalPolicy().latest([]), NoMatchingTagError);
  });
});

describe('parseGoFloat matches strconv.ParseFloat', () => {
  /** From the Go reference: `%v` of the result, or ERR. */
  const GO: Record<string, string> = {
    "": "ERR",
    " 1": "ERR",
    "+3": "3",
    "+Inf": "+Inf",
    "+NaN": "ERR",
    "-2": "-2",
    "-infinity": "-Inf",
    ".5": "0.5",
    "00012": "12",
    "0X_1p0": "1",
    "0b1": "ERR",
    "0x": "ERR",
    "0x1.8p1": "3",
    "0x10": "ERR",
    "0x1_0p0": "16",
    "0x1p4": "16",
    "1": "1",
    "1 ": "ERR",
    "1.": "1",
    "1.2.3": "ERR",
    "1.5": "1.5",
    "1E-2": "0.01",
    "1_000": "1000",
    "1e": "ERR",
    "1e3": "1000",
    "1e400": "ERR",
    "20240101": "2.0240101e+07",
    "NaN": "NaN",
    "abc": "ERR",
    "inf": "+Inf"
  };
  for (const [input, want] of Object.entries(GO)) {
    it(JSON.stringify(input), () => {
      const got = parseGoFloat(input);
      if (want === 'ERR') assert.equal(got, undefined);
      else if (want === 'NaN') assert.ok(Number.isNaN(got));
      else assert.equal(got, Number(want.replace('+Inf', 'Infinity').replace('-Inf', '-Infinity')));
    });
  }
});

describe('policerFromSpec', () => {
  it('picks the set choice', () => {
    assert.ok(policerFromSpec({ semver: { range: '1.x' } }) instanceof SemverPolicy);
    assert.ok(policerFromSpec({ alphabetical: {} }) instanceof AlphabeticalPolicy);
    assert.ok(policerFromSpec({ numerical: { order: 'desc' } }) instanceof NumericalPolicy);
    assert.throws(() => policerFromSpec({}), InvalidPolicyError);
  });
});
