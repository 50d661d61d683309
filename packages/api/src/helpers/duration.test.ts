// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { durationOr, formatDuration, formatDurationNanos, isFluxDuration, parseDuration, parseDurationNanos } from './duration.ts';
import { ParseError } from './result.ts';

describe('parseDuration', () => {
  const cases: [string, number][] = [
    ['0', 0],
    ['-0', 0],
    ['1h30m', 5_400_000],
    ['10m0s', 600_000],
    ['500ms', 500],
    ['1.5h', 5_400_000],
    ['.5s', 500],
    ['1.s', 1000],
    ['2h45m10.5s', 9_910_500],
    ['-2s', -2000],
    ['+3m', 180_000],
    ['1500us', 1.5],
    ['1500µs', 1.5],
    ['1500μs', 1.5],
    ['250ns', 0.00025],
    ['60s', 60_000],
  ];
  for (const [input, ms] of cases) {
    it(`parses ${JSON.stringify(input)} as ${ms}ms`, () => {
      const result = parseDuration(input);
      assert.ok(result.ok, input);
      assert.equal(result.value, ms);
    });
  }

  const bad = ['', '1', 'h', '1h30', '1d', '1.2.3s', 'abc', '-', '1 h', '9223372036854775808ns', '3000000h'];
  for (const input of bad) {
    it(`rejects ${JSON.stringify(input)} with a typed error`, () => {
      const result = parseDuration(input);
      assert.equal(result.ok, false);
      if (!result.ok) {
        assert.equal(result.error.code, 'InvalidDuration');
        assert.equal(result.error.input, input);
        assert.ok(ParseError.is(result.error));
      }
    });
  }

  it('parses exactly in nanoseconds', () => {
    const result = parseDurationNanos('1.000000001s');
    assert.ok(result.ok);
    assert.equal(result.value, 1_000_000_001n);
  });
});

describe('formatDuration', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [5_400_000, '1h30m0s'],
    [600_000, '10m0s'],
    [3_600_000, '1h0m0s'],
    [500, '500ms'],
    [1500, '1.5s'],
    [1.5, '1.5ms'],
    [0.0015, '1.5µs'],
    [0.00025, '250ns'],
    [-2000, '-2s'],
    [90_061_001, '25h1m1.001s'],
  ];
  for (const [ms, text] of cases) {
    it(`formats ${ms}ms as ${text}`, () => assert.equal(formatDuration(ms), text));
  }

  it('round-trips through parseDuration', () => {
    for (const text of ['1h30m0s', '10m0s', '500ms', '1.5s', '2h0m0.25s']) {
      const parsed = parseDurationNanos(text);
      assert.ok(parsed.ok);
      assert.equal(formatDurationNanos(parsed.value), text);
    }
  });
});

describe('isFluxDuration', () => {
  it('follows the CRD pattern', () => {
    assert.equal(isFluxDuration('1h30m'), true);
    assert.equal(isFluxDuration('1.5h'), true);
    assert.equal(isFluxDuration('1h', { hours: false }), false);
    assert.equal(isFluxDuration('90s', { hours: false }), true);
    assert.equal(isFluxDuration('0'), false);
    assert.equal(isFluxDuration('-1m'), false);
    assert.equal(isFluxDuration('10ns'), false);
  });
});

describe('durationOr', () => {
  const cases: Array<[unknown, number]> = [
    ['5m', 300_000],
    [' 90s ', 90_000],
    ['1h30m', 5_400_000],
    [undefined, 42],
    ['', 42],
    ['soon', 42],
    [30, 42],
    [null, 42],
  ];
  for (const [value, want] of cases) it(`${JSON.stringify(value) ?? 'undefined'} → ${want}`, () => assert.equal(durationOr(value, 42), want));
});
