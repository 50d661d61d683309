// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DURATION_PATTERN,
  SHORT_DURATION_PATTERN,
  array,
  boolean,
  duration,
  integer,
  intOrString,
  json,
  map,
  object,
  preserveUnknown,
  ref,
  string,
} from './builders.ts';
import type { Infer } from './schema.ts';
import { validateValue } from './validate.ts';

describe('schema builders', () => {
  it('emits string keywords only when set', () => {
    assert.deepEqual(string().json, { type: 'string' });
    assert.deepEqual(string({ pattern: '^a$', minLength: 1, maxLength: 5, format: 'uri', description: 'd' }).json, {
      type: 'string',
      description: 'd',
      format: 'uri',
      pattern: '^a$',
      minLength: 1,
      maxLength: 5,
    });
  });

  it('narrows enums at the type level and emits them', () => {
    const s = string({ enum: ['a', 'b'] });
    const value: Infer<typeof s> = 'a';
    // @ts-expect-error 'c' is not in the enum
    const bad: Infer<typeof s> = 'c';
    assert.deepEqual(s.json.enum, ['a', 'b']);
    assert.equal(value, 'a');
    assert.equal(bad, 'c');
  });

  it('lists required fields in sorted order and sorts properties', () => {
    const s = object({ zeta: string(), alpha: string().optional(), mid: boolean().default(true), beta: integer() });
    assert.deepEqual(Object.keys(s.json.properties!), ['alpha', 'beta', 'mid', 'zeta']);
    assert.deepEqual(s.json.required, ['beta', 'zeta']);
    assert.equal(s.json.properties!.mid!.default, true);
    type T = Infer<typeof s>;
    const ok: T = { zeta: 'z', beta: 1 };
    // @ts-expect-error zeta is required
    const missing: T = { beta: 1 };
    assert.ok(ok && missing);
  });

  it('omits required when every field is optional', () => {
    assert.equal(object({ a: string().optional() }).json.required, undefined);
  });

  it('keeps schemas immutable across modifiers', () => {
    const base = string();
    const described = base.describe('x').optional().rule('self != ""', 'must not be empty');
    assert.equal(base.json.description, undefined);
    assert.equal(base.isOptional, false);
    assert.equal(described.isOptional, true);
    assert.deepEqual(described.json['x-kubernetes-validations'], [{ rule: 'self != ""', message: 'must not be empty' }]);
  });

  it('builds durations with and without hours', () => {
    assert.equal(duration().json.pattern, DURATION_PATTERN);
    assert.equal(duration({ hours: false }).json.pattern, SHORT_DURATION_PATTERN);
  });

  it('builds arrays, maps and the free-form kinds', () => {
    assert.deepEqual(array(string(), { minItems: 1, listType: 'map', listMapKeys: ['k'] }).json, {
      type: 'array',
      items: { type: 'string' },
      minItems: 1,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['k'],
    });
    assert.deepEqual(map(integer()).json, { type: 'object', additionalProperties: { type: 'integer' } });
    assert.deepEqual(preserveUnknown().json, { type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    assert.deepEqual(json().json, { 'x-kubernetes-preserve-unknown-fields': true });
    assert.deepEqual(intOrString().json, { 'x-kubernetes-int-or-string': true });
  });

  it('reuses a shared schema with a field-specific description', () => {
    const shared = object({ name: string() }, { description: 'shared' });
    const field = ref(shared, 'specific').optional();
    assert.equal(field.json.description, 'specific');
    assert.equal(shared.json.description, 'shared');
    assert.deepEqual(field.json.required, ['name']);
  });
});

describe('validateValue', () => {
  const spec = object({
    url: string({ pattern: '^https://' }),
    mode: string({ enum: ['a', 'b'] }).optional(),
    count: integer({ minimum: 0 }).optional(),
    tags: array(string(), { maxItems: 1 }).optional(),
    labels: map(string()).optional(),
    free: json().optional(),
  });

  it('accepts a conforming value', () => {
    assert.deepEqual(validateValue(spec.json, { url: 'https://x', mode: 'a', count: 0, labels: { a: 'b' }, free: [1] }, 'spec'), []);
  });

  it('reports each problem with its path', () => {
    const issues = validateValue(spec.json, { url: 'http://x', mode: 'c', count: -1, tags: ['a', 'b'], extra: 1, labels: { a: 1 } }, 'spec');
    assert.deepEqual(
      issues.map((i) => i.path),
      ['spec.url', 'spec.mode', 'spec.count', 'spec.tags', 'spec.extra', 'spec.labels.a'],
    );
  });

  it('reports missing required fields and wrong types', () => {
    assert.deepEqual(validateValue(spec.json, {}, 'spec'), [{ path: 'spec.url', message: 'Required value' }]);
    assert.equal(validateValue(spec.json, 'nope', 'spec')[0]!.message, 'must be of type object, got string');
  });
});
