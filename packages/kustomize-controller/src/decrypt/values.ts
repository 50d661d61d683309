// SPDX-License-Identifier: Apache-2.0
/**
 * The SOPS tree: the Go value model sops works with (`TreeBranch`, `[]interface{}`, `string`,
 * `int`, `float64`, `bool`, `nil`, `time.Time`, `[]byte`, `Comment`), and the Go formatting
 * rules that decide MAC bytes and emitted text (`strconv.FormatFloat` 'f'/'g', RFC 3339 times).
 */

/** A Go `int`. */
export interface GoInt {
  t: 'int';
  v: bigint;
}
/** A Go `float64`. */
export interface GoFloat {
  t: 'float';
  v: number;
}
/** A Go `time.Time`, kept as its RFC 3339 (nano) text. */
export interface GoTime {
  t: 'time';
  v: string;
}
/** Raw bytes (sops `bytes` type). */
export interface GoBytes {
  t: 'bytes';
  v: Uint8Array;
}
/** A comment (without the `#`). */
export interface Comment {
  t: 'comment';
  v: string;
}
/** One key/value of a branch; comment items have a comment key and a null value. */
export interface TreeItem {
  key: string | Comment;
  value: TreeValue;
}
/** An ordered mapping. */
export interface TreeBranch {
  t: 'branch';
  items: TreeItem[];
}
/** Any tree value. */
export type TreeValue = string | boolean | null | GoInt | GoFloat | GoTime | GoBytes | Comment | TreeBranch | TreeValue[];

/** Builders. */
export const goInt = (v: bigint | number): GoInt => ({ t: 'int', v: BigInt(v) });
export const goFloat = (v: number): GoFloat => ({ t: 'float', v });
export const comment = (v: string): Comment => ({ t: 'comment', v });
export const branch = (items: TreeItem[] = []): TreeBranch => ({ t: 'branch', items });

/** Type guards. */
export function isComment(v: unknown): v is Comment {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { t?: string }).t === 'comment';
}
export function isBranch(v: unknown): v is TreeBranch {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { t?: string }).t === 'branch';
}

/** Go `strconv.FormatFloat(f, 'f', -1, 64)`: shortest digits, never an exponent. */
export function formatFloatF(f: number): string {
  if (!Number.isFinite(f)) return Number.isNaN(f) ? 'NaN' : f > 0 ? '+Inf' : '-Inf';
  const s = String(f);
  if (!/e/i.test(s)) return s;
  const [mant, expStr] = s.toLowerCase().split('e') as [string, string];
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const intLen = mant.replace('-', '').split('.')[0]!.length;
  const point = intLen + Number(expStr);
  let out: string;
  if (point <= 0) out = '0.' + '0'.repeat(-point) + digits;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = digits.slice(0, point) + '.' + digits.slice(point);
  return (neg ? '-' : '') + out;
}

/** Go `strconv.FormatFloat(f, 'g', -1, 64)`: shortest digits, `%e` when exp < -4 or exp >= 6. */
export function formatFloatG(f: number): string {
  if (!Number.isFinite(f)) return Number.isNaN(f) ? 'NaN' : f > 0 ? '+Inf' : '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mant, e] = f.toExponential().split('e') as [string, string];
  const exp = Number(e);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  if (exp < -4 || exp >= 6) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const abs = Math.abs(exp);
    return `${neg ? '-' : ''}${m}e${exp < 0 ? '-' : '+'}${abs < 10 ? `0${abs}` : abs}`;
  }
  return formatFloatF(f);
}

/** The bytes sops hashes into the MAC for a value (`sops.ToBytes`). */
export function toMacBytes(v: TreeValue): Uint8Array | undefined {
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (typeof v === 'boolean') return Buffer.from(v ? 'True' : 'False');
  if (v === null || Array.isArray(v)) return undefined;
  switch (v.t) {
    case 'int':
      return Buffer.from(v.v.toString());
    case 'float':
      return Buffer.from(formatFloatF(v.v));
    case 'time':
      return Buffer.from(v.v);
    case 'bytes':
      return v.v;
    default:
      return undefined;
  }
}

/** Go's `strconv.ParseBool`. */
export function parseGoBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

/** sops `stores.ValToString` (used by dotenv and INI emitters for non-strings). */
export function valToString(v: TreeValue): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v === null) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(valToString).join(' ')}]`;
  switch (v.t) {
    case 'int':
      return v.v.toString();
    case 'float': {
      const g = formatFloatG(v.v).toUpperCase();
      return g.includes('.') || g.includes('E') ? g : formatFloatF(v.v) + '.0';
    }
    case 'time':
      return v.v.replace(/\.\d+(?=Z|[+-])/, '');
    case 'bytes':
      return Buffer.from(v.v).toString('latin1');
    case 'comment':
      return v.v;
    default:
      return '';
  }
}
