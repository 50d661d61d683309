// SPDX-License-Identifier: Apache-2.0
/**
 * Flattens a schema into documentation rows: one row per field path (`spec.ref.branch`,
 * `spec.include[].repository.name`, `status.history[].testHooks.<name>.phase`), with type,
 * requiredness, default, validation and description.
 */
import type { CelRule, JsonSchema } from '../schema/schema.ts';
import { DURATION_PATTERN, SHORT_DURATION_PATTERN } from '../schema/builders.ts';

/** One documented field. */
export interface FieldRow {
  readonly path: string;
  readonly type: string;
  readonly required: boolean;
  readonly defaultValue?: string;
  readonly validation: string;
  readonly description: string;
}

/** A CEL rule and the field path it is attached to. */
export interface RuleRow {
  readonly path: string;
  readonly rule: CelRule;
}

/** Fields whose content is documented elsewhere and not expanded. */
const OPAQUE_FIELDS = new Set(['conditions']);

/** The short type name of a schema, e.g. `string`, `[]object`, `map[string]string`, `duration`. */
export function typeName(schema: JsonSchema): string {
  if (schema['x-kubernetes-int-or-string'] === true) return 'int-or-string';
  if (schema.type === undefined) return 'JSON';
  if (schema.type === 'array') return `[]${schema.items === undefined ? 'any' : typeName(schema.items)}`;
  if (schema.type === 'object' && schema.additionalProperties !== undefined) return `map[string]${typeName(schema.additionalProperties)}`;
  if (schema.type === 'string' && (schema.pattern === DURATION_PATTERN || schema.pattern === SHORT_DURATION_PATTERN)) return 'duration';
  if (schema.type === 'string' && schema.format === 'date-time') return 'date-time';
  if (schema.type === 'integer' && schema.format === 'int64') return 'integer (int64)';
  return schema.type;
}

function code(value: string): string {
  return '`' + value + '`';
}

function boundsText(schema: JsonSchema): string[] {
  const parts: string[] = [];
  if (schema.minLength !== undefined) parts.push(`min length ${schema.minLength}`);
  if (schema.maxLength !== undefined) parts.push(`max length ${schema.maxLength}`);
  if (schema.minimum !== undefined) parts.push(`minimum ${schema.minimum}`);
  if (schema.maximum !== undefined) parts.push(`maximum ${schema.maximum}`);
  if (schema.minItems !== undefined) parts.push(`min items ${schema.minItems}`);
  if (schema.maxItems !== undefined) parts.push(`max items ${schema.maxItems}`);
  return parts;
}

/** The validation keywords of a schema as a short human string. */
export function validationText(schema: JsonSchema): string {
  const parts: string[] = [];
  if (schema.enum !== undefined) parts.push(`one of ${schema.enum.map((v) => code(String(v))).join(', ')}`);
  const isDuration = schema.pattern === DURATION_PATTERN || schema.pattern === SHORT_DURATION_PATTERN;
  if (schema.pattern !== undefined && !isDuration) parts.push(`pattern ${code(schema.pattern)}`);
  if (schema.pattern === SHORT_DURATION_PATTERN) parts.push('units ms, s, m');
  parts.push(...boundsText(schema));
  if (schema.type === 'array' && schema.items !== undefined && schema.items.type !== 'object') {
    const items = validationText(schema.items);
    if (items !== '') parts.push(`each: ${items}`);
  }
  return parts.join('; ');
}

function walk(schema: JsonSchema, path: string, required: boolean, rows: FieldRow[], rules: RuleRow[]): void {
  const row: FieldRow = {
    path,
    type: typeName(schema),
    required,
    validation: validationText(schema),
    description: schema.description ?? '',
    ...(schema.default === undefined ? {} : { defaultValue: JSON.stringify(schema.default) }),
  };
  rows.push(row);
  for (const rule of schema['x-kubernetes-validations'] ?? []) rules.push({ path, rule });
  const field = path.slice(path.lastIndexOf('.') + 1);
  if (OPAQUE_FIELDS.has(field)) return;
  walkChildren(schema, path, rows, rules);
}

function walkChildren(schema: JsonSchema, path: string, rows: FieldRow[], rules: RuleRow[]): void {
  if (schema.type === 'array' && schema.items !== undefined) {
    if (schema.items.type === 'object') walkObject(schema.items, `${path}[]`, rows, rules);
    return;
  }
  if (schema.type === 'object' && schema.additionalProperties?.type === 'object') {
    walkObject(schema.additionalProperties, `${path}.<key>`, rows, rules);
    return;
  }
  if (schema.type === 'object') walkObject(schema, path, rows, rules);
}

function walkObject(schema: JsonSchema, path: string, rows: FieldRow[], rules: RuleRow[]): void {
  if (path.endsWith('[]') || path.endsWith('<key>')) {
    for (const rule of schema['x-kubernetes-validations'] ?? []) rules.push({ path, rule });
  }
  const required = new Set(schema.required ?? []);
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    walk(child, `${path}.${name}`, required.has(name), rows, rules);
  }
}

/** Rows for every field under `root` (the object itself is not a row), and the CEL rules met. */
export function fieldRows(schema: JsonSchema, root: string): { rows: FieldRow[]; rules: RuleRow[] } {
  const rows: FieldRow[] = [];
  const rules: RuleRow[] = [];
  for (const rule of schema['x-kubernetes-validations'] ?? []) rules.push({ path: root, rule });
  walkChildren(schema, root, rows, rules);
  return { rows, rules };
}
