// SPDX-License-Identifier: Apache-2.0
/**
 * Builders of the schema DSL. Each returns a {@link Schema} whose JSON is a valid structural
 * CRD schema fragment and whose type parameter is the TypeScript type of the value.
 */
import { Schema } from './schema.ts';
import type { AnySchema, Infer, InferShape, JsonSchema, Shape } from './schema.ts';

/** Options shared by string builders. */
export interface StringOptions {
  /** ECMA-262 regular expression the value must match (the apiserver uses RE2 semantics). */
  readonly pattern?: string;
  /** OpenAPI format, e.g. `date-time`. */
  readonly format?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly description?: string;
}

function stringJson(opts: StringOptions & { enum?: readonly string[] }): JsonSchema {
  const json: JsonSchema = { type: 'string' };
  if (opts.description !== undefined) json.description = opts.description;
  if (opts.enum !== undefined) json.enum = [...opts.enum];
  if (opts.format !== undefined) json.format = opts.format;
  if (opts.pattern !== undefined) json.pattern = opts.pattern;
  if (opts.minLength !== undefined) json.minLength = opts.minLength;
  if (opts.maxLength !== undefined) json.maxLength = opts.maxLength;
  return json;
}

/** A string; with `enum` the value type narrows to the union of the listed values. */
export function string<const E extends readonly string[]>(opts: StringOptions & { readonly enum: E }): Schema<E[number]>;
/** A string. */
export function string(opts?: StringOptions): Schema<string>;
export function string(opts: StringOptions & { readonly enum?: readonly string[] } = {}): Schema<string> {
  return new Schema<string>(stringJson(opts));
}

/** A boolean. */
export function boolean(description?: string): Schema<boolean> {
  return new Schema<boolean>(description === undefined ? { type: 'boolean' } : { type: 'boolean', description });
}

/** Options of numeric builders. */
export interface NumberOptions {
  readonly minimum?: number;
  readonly maximum?: number;
  /** `int32` or `int64` for integers. */
  readonly format?: 'int32' | 'int64' | 'double' | 'float';
  readonly description?: string;
}

function numberJson(type: 'integer' | 'number', opts: NumberOptions): JsonSchema {
  const json: JsonSchema = { type };
  if (opts.description !== undefined) json.description = opts.description;
  if (opts.format !== undefined) json.format = opts.format;
  if (opts.minimum !== undefined) json.minimum = opts.minimum;
  if (opts.maximum !== undefined) json.maximum = opts.maximum;
  return json;
}

/** An integer (JSON number without fraction). */
export function integer(opts: NumberOptions = {}): Schema<number> {
  return new Schema<number>(numberJson('integer', opts));
}

/** A number. */
export function number(opts: NumberOptions = {}): Schema<number> {
  return new Schema<number>(numberJson('number', opts));
}

/** Go duration pattern Flux uses for intervals: units ms, s, m, h (`1h30m`, `10m0s`, `1.5h`). */
export const DURATION_PATTERN = '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$';

/** Go duration pattern Flux uses for most network timeouts: units ms, s, m (no hours). */
export const SHORT_DURATION_PATTERN = '^([0-9]+(\\.[0-9]+)?(ms|s|m))+$';

/**
 * A Go duration string (`metav1.Duration`), validated by Flux's pattern.
 * @param opts.hours whether `h` is an accepted unit. @default true
 */
export function duration(opts: { readonly hours?: boolean; readonly description?: string } = {}): Schema<string> {
  const pattern = opts.hours === false ? SHORT_DURATION_PATTERN : DURATION_PATTERN;
  return string({ pattern, ...(opts.description === undefined ? {} : { description: opts.description }) });
}

/** An RFC 3339 timestamp (`metav1.Time`). */
export function dateTime(description?: string): Schema<string> {
  return string({ format: 'date-time', ...(description === undefined ? {} : { description }) });
}

/** Options of {@link array}. */
export interface ArrayOptions {
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly listType?: 'atomic' | 'set' | 'map';
  readonly listMapKeys?: readonly string[];
  readonly description?: string;
}

/** A list of values of one schema. */
export function array<S extends AnySchema>(items: S, opts: ArrayOptions = {}): Schema<Infer<S>[]> {
  const json: JsonSchema = { type: 'array', items: items.json };
  if (opts.description !== undefined) json.description = opts.description;
  if (opts.minItems !== undefined) json.minItems = opts.minItems;
  if (opts.maxItems !== undefined) json.maxItems = opts.maxItems;
  if (opts.listType !== undefined) json['x-kubernetes-list-type'] = opts.listType;
  if (opts.listMapKeys !== undefined) json['x-kubernetes-list-map-keys'] = [...opts.listMapKeys];
  return new Schema<Infer<S>[]>(json);
}

/** A string-keyed map (`additionalProperties`). */
export function map<S extends AnySchema>(values: S, description?: string): Schema<Record<string, Infer<S>>> {
  const json: JsonSchema = { type: 'object', additionalProperties: values.json };
  if (description !== undefined) json.description = description;
  return new Schema<Record<string, Infer<S>>>(json);
}

/** Options of {@link object}. */
export interface ObjectOptions {
  readonly description?: string;
}

/**
 * An object with the given fields. Properties and the `required` list are emitted in sorted order
 * so generated CRDs are deterministic whatever order the shape lists them in.
 */
export function object<S extends Shape>(shape: S, opts: ObjectOptions = {}): Schema<InferShape<S>> {
  const names = Object.keys(shape).sort();
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const name of names) {
    const field = shape[name]!;
    properties[name] = field.json;
    if (!field.isOptional) required.push(name);
  }
  const json: JsonSchema = { type: 'object' };
  if (opts.description !== undefined) json.description = opts.description;
  json.properties = properties;
  if (required.length > 0) json.required = required;
  return new Schema<InferShape<S>>(json);
}

/** An object whose content is not described: any fields are kept as they are. */
export function preserveUnknown(description?: string): Schema<Record<string, unknown>> {
  const json: JsonSchema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  if (description !== undefined) json.description = description;
  return new Schema<Record<string, unknown>>(json);
}

/** Any JSON value (`apiextensionsv1.JSON`): no type, unknown fields preserved. */
export function json(description?: string): Schema<unknown> {
  const out: JsonSchema = { 'x-kubernetes-preserve-unknown-fields': true };
  if (description !== undefined) out.description = description;
  return new Schema<unknown>(out);
}

/** An integer or a string (`intstr.IntOrString`). */
export function intOrString(description?: string): Schema<number | string> {
  const out: JsonSchema = { 'x-kubernetes-int-or-string': true };
  if (description !== undefined) out.description = description;
  return new Schema<number | string>(out);
}

/**
 * Reuses a shared schema under a field-specific description, like a Go field of a shared type
 * with its own doc comment.
 */
export function ref<T>(schema: Schema<T, boolean>, description: string): Schema<T> {
  return new Schema<T>({ ...schema.json, description });
}
