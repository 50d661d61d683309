// SPDX-License-Identifier: Apache-2.0
/**
 * The core of Eddy's schema DSL: a {@link Schema} carries both a CRD OpenAPI v3 schema (as plain
 * JSON, ready to be embedded in a CustomResourceDefinition) and, at the type level, the TypeScript
 * type of the values it accepts. One declaration per field gives both the `tsc` type and the
 * apiserver-side validation, so they cannot drift apart.
 *
 * ```ts
 * const Ref = object({ name: string({ minLength: 1 }), namespace: string().optional() });
 * type Ref = Infer<typeof Ref>; // { name: string; namespace?: string }
 * Ref.json; // { type: 'object', properties: {...}, required: ['name'] }
 * ```
 *
 * Fields are required unless marked with {@link Schema.optional} or given a
 * {@link Schema.default} (a defaulted field is optional for writers: the apiserver fills it in).
 */

/** One CEL validation rule (`x-kubernetes-validations` entry). */
export interface CelRule {
  /** The CEL expression; `self` is the value the rule is attached to. */
  readonly rule: string;
  /** The message the apiserver returns when the rule evaluates to false. */
  readonly message?: string;
  /** A path, relative to `self`, that the error is reported at (for example `.chartRef`). */
  readonly fieldPath?: string;
  /** The reason reported with the error, e.g. `FieldValueInvalid`. */
  readonly reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

/** The subset of OpenAPI v3 (`JSONSchemaProps`) that Eddy's CRDs use. */
export interface JsonSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  format?: string;
  pattern?: string;
  enum?: readonly (string | number | boolean)[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-validations'?: CelRule[];
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'granular' | 'atomic';
}

declare const phantom: unique symbol;

/**
 * A schema for values of type `T`. `O` records, at the type level, whether the field is optional
 * inside its parent object. Instances are immutable: every modifier returns a new schema.
 */
export class Schema<T, O extends boolean = false> {
  /** Type-level only: the value type and optionality. Never present at run time. */
  declare readonly [phantom]: { readonly value: T; readonly optional: O };

  /** The OpenAPI v3 schema of this value. */
  readonly json: Readonly<JsonSchema>;

  /** Whether the field may be omitted from its parent object. */
  readonly isOptional: boolean;

  /** Builds a schema from its JSON form; prefer the builders in `builders.ts`. */
  constructor(json: JsonSchema, isOptional = false) {
    this.json = Object.freeze({ ...json });
    this.isOptional = isOptional;
  }

  /** Marks the field optional in its parent object. */
  optional(): Schema<T, true> {
    return new Schema<T, true>(this.json, true);
  }

  /** Sets the value the apiserver writes when the field is omitted; the field becomes optional. */
  default(value: T): Schema<T, true> {
    return new Schema<T, true>({ ...this.json, default: value }, true);
  }

  /** Sets the description shown by `kubectl explain` and in the API reference docs. */
  describe(text: string): Schema<T, O> {
    return new Schema<T, O>({ ...this.json, description: text }, this.isOptional);
  }

  /**
   * Adds a CEL rule evaluated by the apiserver against this value.
   * @param rule CEL expression over `self`.
   * @param message message returned when the rule is false; it should name the field(s).
   */
  rule(rule: string, message: string, extra: Omit<CelRule, 'rule' | 'message'> = {}): Schema<T, O> {
    const rules = [...(this.json['x-kubernetes-validations'] ?? []), { rule, message, ...extra }];
    return new Schema<T, O>({ ...this.json, 'x-kubernetes-validations': rules }, this.isOptional);
  }

  /** Merges raw OpenAPI keywords into the schema (escape hatch for rarely used keywords). */
  with(extra: Partial<JsonSchema>): Schema<T, O> {
    return new Schema<T, O>({ ...this.json, ...extra }, this.isOptional);
  }
}

/** Any schema, whatever its value type and optionality. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnySchema = Schema<any, boolean>;

/** The value type a schema accepts: `Infer<typeof GitRepositorySpec>`. */
export type Infer<S> = S extends Schema<infer T, boolean> ? T : never;

/** A record of field name to field schema, as given to `object()`. */
export type Shape = { readonly [field: string]: AnySchema };

type RequiredKeys<S extends Shape> = {
  [K in keyof S]: S[K] extends Schema<unknown, true> ? never : K;
}[keyof S];

type OptionalKeys<S extends Shape> = Exclude<keyof S, RequiredKeys<S>>;

type Expand<T> = T extends infer O ? { [K in keyof O]: O[K] } : never;

/** The object type a shape describes: required fields as-is, optional ones with `?`. */
export type InferShape<S extends Shape> = Expand<
  { [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> }
>;
