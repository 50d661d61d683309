// SPDX-License-Identifier: Apache-2.0
/**
 * Go `time.Duration` strings, as Flux writes them in `interval`, `timeout` and friends.
 *
 * {@link parseDuration} accepts everything Go's `time.ParseDuration` accepts (`1h30m`, `10m0s`,
 * `500ms`, `1.5h`, `-2s`, `0`) and returns milliseconds; {@link formatDuration} writes what Go's
 * `Duration.String()` writes (`1h30m0s`, `10m0s`, `500ms`, `1.5s`, `0s`).
 */
import { fail, ok } from './result.ts';
import type { Result } from './result.ts';
import { DURATION_PATTERN, SHORT_DURATION_PATTERN } from '../schema/builders.ts';

const NANOS_PER_UNIT: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n, // U+00B5 micro sign
  'μs': 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const MAX_NANOS = (1n << 63n) - 1n;
const COMPONENT = /^(\d*)(?:\.(\d*))?([^\d.]+)/;

/** Nanoseconds in one millisecond. */
const NANOS_PER_MS = 1_000_000n;

function parseComponents(body: string, input: string): Result<bigint> {
  let total = 0n;
  let rest = body;
  while (rest !== '') {
    const m = COMPONENT.exec(rest);
    if (m === null) return fail('InvalidDuration', input, 'expected <number><unit>');
    const [all, whole = '', frac = '', unit = ''] = m;
    if (whole === '' && frac === '') return fail('InvalidDuration', input, 'missing number before unit');
    const perUnit = NANOS_PER_UNIT[unit];
    if (perUnit === undefined) return fail('InvalidDuration', input, `unknown unit ${JSON.stringify(unit)}`);
    let nanos = BigInt(whole === '' ? '0' : whole) * perUnit;
    if (frac !== '') nanos += (BigInt(frac) * perUnit) / 10n ** BigInt(frac.length);
    total += nanos;
    if (total > MAX_NANOS) return fail('InvalidDuration', input, 'overflows a Go duration');
    rest = rest.slice(all.length);
  }
  return ok(total);
}

/** Parses a Go duration string into nanoseconds (exact). */
export function parseDurationNanos(input: string): Result<bigint> {
  let body = input;
  let negative = false;
  if (body.startsWith('-') || body.startsWith('+')) {
    negative = body.startsWith('-');
    body = body.slice(1);
  }
  if (body === '0') return ok(0n);
  if (body === '') return fail('InvalidDuration', input, 'empty duration');
  const parsed = parseComponents(body, input);
  if (!parsed.ok) return parsed;
  return ok(negative ? -parsed.value : parsed.value);
}

/** Parses a Go duration string into milliseconds (fractional below one millisecond). */
export function parseDuration(input: string): Result<number> {
  const nanos = parseDurationNanos(input);
  if (!nanos.ok) return nanos;
  const whole = nanos.value / NANOS_PER_MS;
  const rem = nanos.value % NANOS_PER_MS;
  return ok(Number(whole) + Number(rem) / 1e6);
}

/**
 * A duration field (`spec.interval`, `spec.timeout`) in milliseconds, or `fallbackMs` when it is
 * absent, empty, not a string or not a Go duration: for reconcilers, which never throw on bad input.
 */
export function durationOr(value: unknown, fallbackMs: number): number {
  if (typeof value !== 'string' || value === '') return fallbackMs;
  const parsed = parseDuration(value.trim());
  return parsed.ok ? parsed.value : fallbackMs;
}

function fraction(value: bigint, precision: number): [string, bigint] {
  let digits = '';
  let printed = false;
  let v = value;
  for (let i = 0; i < precision; i++) {
    const digit = v % 10n;
    printed ||= digit !== 0n;
    if (printed) digits = digit.toString() + digits;
    v /= 10n;
  }
  return [printed ? `.${digits}` : '', v];
}

/** Formats nanoseconds exactly like Go's `time.Duration.String()`. */
export function formatDurationNanos(nanos: bigint): string {
  const negative = nanos < 0n;
  let u = negative ? -nanos : nanos;
  let out: string;
  if (u === 0n) return '0s';
  if (u < 1_000_000_000n) {
    let unit = 'ms';
    let precision = 6;
    if (u < 1_000n) {
      unit = 'ns';
      precision = 0;
    } else if (u < 1_000_000n) {
      unit = 'µs';
      precision = 3;
    }
    const [frac, whole] = fraction(u, precision);
    out = `${whole}${frac}${unit}`;
  } else {
    const [frac, seconds] = fraction(u, 9);
    u = seconds;
    out = `${u % 60n}${frac}s`;
    u /= 60n;
    if (u > 0n) {
      out = `${u % 60n}m${out}`;
      u /= 60n;
      if (u > 0n) out = `${u}h${out}`;
    }
  }
  return negative ? `-${out}` : out;
}

/** Formats milliseconds like Go's `time.Duration.String()`: `5400000` → `1h30m0s`. */
export function formatDuration(ms: number): string {
  return formatDurationNanos(BigInt(Math.round(ms * 1e6)));
}

/**
 * Whether a string passes the pattern Flux's CRDs put on duration fields (a stricter subset of
 * Go's syntax: no sign, no `ns`/`us`, no bare `0`).
 * @param opts.hours accept the `h` unit (intervals) or not (most timeouts). @default true
 */
export function isFluxDuration(input: string, opts: { readonly hours?: boolean } = {}): boolean {
  return new RegExp(opts.hours === false ? SHORT_DURATION_PATTERN : DURATION_PATTERN).test(input);
}
