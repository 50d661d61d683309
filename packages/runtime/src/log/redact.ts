// SPDX-License-Identifier: Apache-2.0
/**
 * Redaction of secrets from log entries. Applied by the root logger to every entry, so a
 * controller that logs an object, an error or a URL cannot leak credentials:
 * - values under sensitive keys (`password`, `token`, `apiKey`, `Authorization`, `*Secret`, …);
 * - `data` and `stringData` of Secret objects (the keys stay, the values go);
 * - userinfo in URLs (`https://user:pass@host` → `https://[REDACTED]@host`);
 * - `Bearer …` and `Basic …` credentials inside any string.
 * Objects are copied, never modified in place.
 */

/** What replaces a secret value. */
export const REDACTED = '[REDACTED]';

const EXACT_KEYS = new Set([
  'password',
  'passwd',
  'passphrase',
  'token',
  'secret',
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'apikey',
  'api_key',
  'api-key',
  'privatekey',
  'private_key',
  'private-key',
  'identity',
  'credentials',
  'bearertoken',
  'x-api-key',
  'sops.age-key',
]);
const SUFFIXES = ['password', 'passwd', 'token', 'secret', 'apikey', 'api_key', 'privatekey', 'private_key', '.agekey', '.asc'];

/** True when values under this key must never be logged. */
export function isSensitiveKey(key: string): boolean {
  const k = key.toLowerCase();
  return EXACT_KEYS.has(k) || SUFFIXES.some((s) => k.endsWith(s));
}

const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi;
const AUTH_SCHEME = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;

/** Removes URL userinfo and Bearer/Basic credentials from a string. */
export function redactString(s: string): string {
  if (!s.includes('@') && !/Bearer|Basic/.test(s)) return s;
  return s.replace(URL_USERINFO, `$1${REDACTED}@`).replace(AUTH_SCHEME, `$1 ${REDACTED}`);
}

function isSecretObject(v: Record<string, unknown>): boolean {
  return v.kind === 'Secret' && (v.apiVersion === 'v1' || v.apiVersion === undefined);
}

function redactSecretData(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v === undefined ? v : REDACTED;
  return Object.fromEntries(Object.keys(v).map((k) => [k, REDACTED]));
}

/**
 * Returns a copy of `value` with every secret replaced by {@link REDACTED}. Handles nested
 * objects, arrays, errors, buffers and cycles; stops descending at `maxDepth`.
 */
export function redact(value: unknown, maxDepth = 10): unknown {
  return new Redactor(maxDepth).walk(value, 0);
}

/** One redaction pass; tracks the objects on the current path to cut cycles. */
class Redactor {
  private readonly seen = new WeakSet<object>();

  constructor(private readonly maxDepth: number) {}

  walk(v: unknown, depth: number): unknown {
    if (typeof v === 'string') return redactString(v);
    if (typeof v !== 'object' || v === null) return v;
    if (this.seen.has(v)) return '[Circular]';
    if (depth > this.maxDepth) return '[Truncated]';
    if (Buffer.isBuffer(v) || v instanceof Uint8Array) return `[binary ${v.byteLength} bytes]`;
    if (v instanceof URL) return redactString(v.href);
    this.seen.add(v);
    try {
      if (v instanceof Error) return this.error(v, depth);
      if (Array.isArray(v)) return v.map((x) => this.walk(x, depth + 1));
      if (v instanceof Map) return this.walk(Object.fromEntries(v), depth);
      return this.record(v as Record<string, unknown>, depth);
    } finally {
      this.seen.delete(v);
    }
  }

  private error(e: Error, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = { name: e.name, message: redactString(e.message) };
    if (e.stack) out.stack = redactString(e.stack);
    for (const [k, x] of Object.entries(e)) out[k] = isSensitiveKey(k) ? REDACTED : this.walk(x, depth + 1);
    return out;
  }

  private record(rec: Record<string, unknown>, depth: number): Record<string, unknown> {
    const secret = isSecretObject(rec);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(rec)) {
      if (isSensitiveKey(k)) out[k] = x === undefined || x === '' ? x : REDACTED;
      else if (secret && (k === 'data' || k === 'stringData')) out[k] = redactSecretData(x);
      else out[k] = this.walk(x, depth + 1);
    }
    return out;
  }
}
