// SPDX-License-Identifier: Apache-2.0
/**
 * A small, deterministic YAML writer for plain JSON data (objects, arrays, strings, numbers,
 * booleans, null). It exists so `make generate` can write CRD manifests without a YAML
 * dependency: block style, two-space indent, keys in insertion order, strings quoted only when a
 * YAML reader could take them for something else, multi-line strings as `|` blocks.
 */

const PLAIN_UNSAFE_START = /^[-?:,[\]{}#&*!|>'"%@`\s]/;
const RESERVED = /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;
const NUMBER_LIKE = /^[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$|^0x[0-9a-fA-F]+$|^0o[0-7]+$|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$/;

const TIMESTAMP_LIKE = /^\d{4}-\d\d?-\d\d?/;

/** Whether a string can be written as a plain (unquoted) YAML scalar and read back unchanged. */
export function isPlainSafe(s: string): boolean {
  if (s === '' || s !== s.trim()) return false;
  if (PLAIN_UNSAFE_START.test(s)) return false;
  if (RESERVED.test(s) || NUMBER_LIKE.test(s) || TIMESTAMP_LIKE.test(s) || s === '<<' || s === '=') return false;
  if (s.includes(': ') || s.includes(' #') || s.endsWith(':')) return false;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/.test(s)) return false;
  return true;
}

function quote(s: string): string {
  return JSON.stringify(s);
}

function scalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`cannot write ${value} as YAML`);
    return String(value);
  }
  if (typeof value === 'string') return isPlainSafe(value) ? value : quote(value);
  throw new TypeError(`not a YAML scalar: ${typeof value}`);
}

function canBlock(s: string): boolean {
  // A literal block keeps the text byte for byte only when no line has trailing blanks, the
  // first line is not indented and there are no control characters other than newline.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0009\u000b-\u001f\u007f]/.test(s)) return false;
  if (/^[ \t]/.test(s)) return false;
  return s.split('\n').every((line) => line === line.trimEnd());
}

function blockString(s: string, indent: string): string {
  let header = '|';
  let body = s;
  if (s.endsWith('\n')) {
    body = s.slice(0, -1);
    if (body.endsWith('\n')) header = '|+';
  } else {
    header = '|-';
  }
  const lines = body.split('\n').map((line) => (line === '' ? '' : indent + line));
  return `${header}\n${lines.join('\n')}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEmptyCollection(value: unknown): boolean {
  return (Array.isArray(value) && value.length === 0) || (isObject(value) && Object.keys(value).length === 0);
}

function inline(value: unknown, indent: string): string {
  if (Array.isArray(value)) return value.length === 0 ? '[]' : '';
  if (isObject(value)) return Object.keys(value).length === 0 ? '{}' : '';
  if (typeof value === 'string' && value.includes('\n') && canBlock(value)) return blockString(value, indent);
  return scalar(value);
}

function writeKey(key: string): string {
  return isPlainSafe(key) ? key : quote(key);
}

function writeObject(obj: Record<string, unknown>, indent: string, out: string[]): void {
  for (const [key, value] of Object.entries(obj)) {
    if (value === undefined) continue;
    const head = `${indent}${writeKey(key)}:`;
    if ((Array.isArray(value) || isObject(value)) && !isEmptyCollection(value)) {
      out.push(head);
      if (Array.isArray(value)) writeArray(value, indent, out);
      else writeObject(value, indent + '  ', out);
    } else {
      out.push(`${head} ${inline(value, indent + '  ')}`);
    }
  }
}

function writeArray(items: unknown[], indent: string, out: string[]): void {
  for (const item of items) {
    if (isObject(item) && !isEmptyCollection(item)) {
      const nested: string[] = [];
      writeObject(item, indent + '  ', nested);
      nested[0] = `${indent}- ${nested[0]!.slice(indent.length + 2)}`;
      out.push(...nested);
    } else if (Array.isArray(item) && item.length > 0) {
      out.push(`${indent}-`);
      writeArray(item, indent + '  ', out);
    } else {
      out.push(`${indent}- ${inline(item, indent + '  ')}`);
    }
  }
}

/** Writes one JSON value as a YAML document (without the `---` marker), ending in a newline. */
export function toYaml(value: unknown): string {
  const out: string[] = [];
  if (isObject(value) && !isEmptyCollection(value)) writeObject(value, '', out);
  else if (Array.isArray(value) && value.length > 0) writeArray(value, '', out);
  else out.push(inline(value, '  '));
  return out.join('\n') + '\n';
}
