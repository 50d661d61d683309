// SPDX-License-Identifier: Apache-2.0
/**
 * {@link defineKind} turns a kind's spec and status schemas plus its names into a
 * {@link KindDefinition}: the single object from which the CRD manifest, the API reference page
 * and the registry of kinds are all derived.
 */
import type { AnySchema, JsonSchema } from '../schema/schema.ts';
import { apiVersionOf } from '../meta/object-meta.ts';
import { CRD_LABELS, EDDY_CRD_LABEL, EDDY_CRD_LABEL_VALUE } from './labels.ts';
import type { Controller } from './labels.ts';

/** One `kubectl get` column. */
export interface PrinterColumn {
  readonly name: string;
  readonly type: 'string' | 'date' | 'integer' | 'number' | 'boolean';
  readonly jsonPath: string;
  /** 0 shows the column by default, 1 only with `-o wide`. */
  readonly priority?: number;
  readonly description?: string;
}

/** A condition type a kind reports, for the reference docs. */
export interface ConditionDoc {
  readonly type: string;
  readonly description: string;
}

/** Human-written parts of a kind's reference page. */
export interface KindDocs {
  /** An object that the CRD accepts; rendered as YAML and checked against the apiserver. */
  readonly example: Record<string, unknown>;
  /** "Working with" notes: title and Markdown body. */
  readonly notes?: readonly { readonly title: string; readonly body: string }[];
  /** Eddy-only fields and behaviour, each with the field path and an explanation. */
  readonly extensions?: readonly { readonly field: string; readonly body: string }[];
}

/** Everything {@link defineKind} needs. */
export interface KindOptions<AV extends string, K extends string> {
  readonly group: string;
  readonly version: string;
  readonly kind: K;
  readonly apiVersion: AV;
  readonly plural: string;
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
  readonly scope?: 'Namespaced' | 'Cluster';
  /** The controller serving the kind; becomes the `app.kubernetes.io/component` label. */
  readonly controller: Controller;
  /** What the kind is, one or two sentences. */
  readonly description: string;
  readonly spec: AnySchema;
  /** Omit for kinds without status (Alert, Provider). */
  readonly status?: AnySchema;
  /** Default of `status`; Flux uses `{observedGeneration: -1}` for reconciled kinds. */
  readonly statusDefault?: Record<string, unknown>;
  readonly printerColumns: readonly PrinterColumn[];
  /** Annotations on the CRD object itself. */
  readonly crdAnnotations?: Readonly<Record<string, string>>;
  readonly conditions?: readonly ConditionDoc[];
  /** Reasons the kind's conditions use, for the reference docs. */
  readonly reasons?: readonly string[];
  readonly docs: KindDocs;
}

/** A CustomResourceDefinition object as sent to the apiserver. */
export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    group: string;
    names: { kind: string; listKind: string; plural: string; singular: string; shortNames?: string[]; categories?: string[] };
    scope: 'Namespaced' | 'Cluster';
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      additionalPrinterColumns?: PrinterColumn[];
      schema: { openAPIV3Schema: JsonSchema };
      subresources?: { status: Record<string, never> };
    }[];
  };
}

/** A kind: names, schemas, docs, and the CRD derived from them. */
export interface KindDefinition<AV extends string = string, K extends string = string> extends KindOptions<AV, K> {
  readonly singular: string;
  readonly listKind: string;
  /** `<plural>.<group>`, the CRD name. */
  readonly crdName: string;
  /** The `openAPIV3Schema` of the CRD. */
  openApiSchema(): JsonSchema;
  /** The CustomResourceDefinition object. */
  crd(): CustomResourceDefinition;
}

const API_VERSION_DOC = 'The versioned schema of this object, <group>/<version>.';
const KIND_DOC = 'The REST resource this object represents, in CamelCase.';

function openApiSchema(opts: KindOptions<string, string>): JsonSchema {
  const properties: Record<string, JsonSchema> = {
    apiVersion: { type: 'string', description: API_VERSION_DOC },
    kind: { type: 'string', description: KIND_DOC },
    metadata: { type: 'object' },
    spec: { description: `The desired state of the ${opts.kind}.`, ...opts.spec.json },
  };
  if (opts.status !== undefined) {
    const status: JsonSchema = { description: `The observed state of the ${opts.kind}.`, ...opts.status.json };
    if (opts.statusDefault !== undefined) status.default = opts.statusDefault;
    properties.status = status;
  }
  return { type: 'object', description: opts.description, properties };
}

/** Declares a kind. See the files under `src/<group>/<version>/` for examples. */
export function defineKind<const AV extends string, const K extends string>(opts: KindOptions<AV, K>): KindDefinition<AV, K> {
  if (apiVersionOf(opts) !== opts.apiVersion) {
    throw new Error(`defineKind(${opts.kind}): apiVersion ${opts.apiVersion} does not match ${opts.group}/${opts.version}`);
  }
  const singular = opts.kind.toLowerCase();
  const crdName = `${opts.plural}.${opts.group}`;
  const def: KindDefinition<AV, K> = {
    ...opts,
    singular,
    listKind: `${opts.kind}List`,
    crdName,
    openApiSchema: () => openApiSchema(opts),
    crd: () => buildCrd(def),
  };
  return Object.freeze(def);
}

function buildCrd(def: KindDefinition): CustomResourceDefinition {
  const labels: Record<string, string> = {
    ...CRD_LABELS,
    'app.kubernetes.io/component': def.controller,
    [EDDY_CRD_LABEL]: EDDY_CRD_LABEL_VALUE,
  };
  const names: CustomResourceDefinition['spec']['names'] = {
    kind: def.kind,
    listKind: def.listKind,
    plural: def.plural,
    singular: def.singular,
  };
  if (def.shortNames !== undefined && def.shortNames.length > 0) names.shortNames = [...def.shortNames];
  if (def.categories !== undefined && def.categories.length > 0) names.categories = [...def.categories];
  const version: CustomResourceDefinition['spec']['versions'][number] = {
    name: def.version,
    served: true,
    storage: true,
    additionalPrinterColumns: def.printerColumns.map((c) => ({ ...c })),
    schema: { openAPIV3Schema: def.openApiSchema() },
  };
  if (def.status !== undefined) version.subresources = { status: {} };
  const metadata: CustomResourceDefinition['metadata'] = { name: def.crdName, labels: sortKeys(labels) };
  if (def.crdAnnotations !== undefined) metadata.annotations = sortKeys({ ...def.crdAnnotations });
  // A deep copy: callers may edit the CRD without touching the shared schema objects.
  return structuredClone({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata,
    spec: { group: def.group, names, scope: def.scope ?? 'Namespaced', versions: [version] },
  });
}

function sortKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
