// SPDX-License-Identifier: Apache-2.0
/**
 * An offline check of a value against a CRD schema: types, required fields, enums, patterns,
 * bounds and unknown fields (which the apiserver would silently prune). CEL rules are not
 * evaluated; the apiserver remains the authority. Used by tests and tools to catch mistakes early.
 */
import type { JsonSchema } from './schema.ts';

/** One problem found, with the field path it is at. */
export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(expected: JsonSchema['type'], value: unknown): boolean {
  const actual = typeOf(value);
  if (expected === 'number') return actual === 'number' || actual === 'integer';
  return actual === expected;
}

function checkScalar(schema: JsonSchema, value: unknown, path: string, out: ValidationIssue[]): void {
  if (schema.enum !== undefined && !schema.enum.includes(value as string)) {
    out.push({ path, message: `unsupported value ${JSON.stringify(value)}: one of ${schema.enum.join(', ')}` });
  }
  if (typeof value === 'string') {
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) {
      out.push({ path, message: `${JSON.stringify(value)} does not match ${schema.pattern}` });
    }
    if (schema.minLength !== undefined && value.length < schema.minLength) out.push({ path, message: `shorter than ${schema.minLength}` });
    if (schema.maxLength !== undefined && value.length > schema.maxLength) out.push({ path, message: `longer than ${schema.maxLength}` });
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) out.push({ path, message: `less than ${schema.minimum}` });
    if (schema.maximum !== undefined && value > schema.maximum) out.push({ path, message: `greater than ${schema.maximum}` });
  }
}

function checkArray(schema: JsonSchema, value: unknown[], path: string, out: ValidationIssue[]): void {
  if (schema.minItems !== undefined && value.length < schema.minItems) out.push({ path, message: `fewer than ${schema.minItems} items` });
  if (schema.maxItems !== undefined && value.length > schema.maxItems) out.push({ path, message: `more than ${schema.maxItems} items` });
  if (schema.items !== undefined) value.forEach((item, i) => check(schema.items!, item, `${path}[${i}]`, out));
}

function checkObject(schema: JsonSchema, value: Record<string, unknown>, path: string, out: ValidationIssue[]): void {
  for (const name of schema.required ?? []) {
    if (!(name in value)) out.push({ path: `${path}.${name}`, message: 'Required value' });
  }
  if (schema.additionalProperties !== undefined) {
    for (const [key, item] of Object.entries(value)) check(schema.additionalProperties, item, `${path}.${key}`, out);
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    const child = schema.properties?.[key];
    if (child !== undefined) check(child, item, `${path}.${key}`, out);
    else if (schema['x-kubernetes-preserve-unknown-fields'] !== true && schema.properties !== undefined) {
      out.push({ path: `${path}.${key}`, message: 'unknown field' });
    }
  }
}

function check(schema: JsonSchema, value: unknown, path: string, out: ValidationIssue[]): void {
  if (schema['x-kubernetes-int-or-string'] === true) {
    if (typeof value !== 'string' && !Number.isInteger(value)) out.push({ path, message: 'must be an integer or a string' });
    return;
  }
  if (schema.type === undefined) return;
  if (!typeMatches(schema.type, value)) {
    out.push({ path, message: `must be of type ${schema.type}, got ${typeOf(value)}` });
    return;
  }
  checkScalar(schema, value, path, out);
  if (Array.isArray(value)) checkArray(schema, value, path, out);
  else if (schema.type === 'object') checkObject(schema, value as Record<string, unknown>, path, out);
}

/**
 * Checks a value against a schema; returns the problems (empty when the value conforms).
 * @param root the path prefix in messages, e.g. `spec`.
 */
export function validateValue(schema: JsonSchema, value: unknown, root = ''): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  check(schema, value, root, out);
  return out;
}
