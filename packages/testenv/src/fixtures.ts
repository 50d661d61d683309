// SPDX-License-Identifier: Apache-2.0
/**
 * Small manifests tests need again and again. `crdYaml` writes a namespaced CustomResourceDefinition
 * for a made-up kind (schemaless by default), so a test can bring its own custom resources without
 * sharing a group with any other test: pass a group unique to the test, e.g. `${namespace}.eddy.test`.
 * @module
 */

/** Options of {@link crdYaml}. */
export interface CrdOptions {
  /** The kind. @default 'Widget' */
  kind?: string;
  /** The plural (and the CRD name's first part). @default the kind lowercased plus `s` */
  plural?: string;
  /** A description on the schema root, e.g. to tell two versions of a chart's CRD apart. */
  description?: string;
  /** Only `spec` is free-form, so the apiserver drops unknown top-level fields. @default false */
  specOnly?: boolean;
}

/** A namespaced, served and stored `v1` CRD of `group` as YAML. */
export function crdYaml(group: string, opts: CrdOptions = {}): string {
  const kind = opts.kind ?? 'Widget';
  const singular = kind.toLowerCase();
  const plural = opts.plural ?? `${singular}s`;
  const schema = opts.specOnly
    ? `      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
`
    : `      openAPIV3Schema:
        type: object
${opts.description ? `        description: ${opts.description}\n` : ''}        x-kubernetes-preserve-unknown-fields: true
`;
  return `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${plural}.${group}
spec:
  group: ${group}
  names: {kind: ${kind}, listKind: ${kind}List, plural: ${plural}, singular: ${singular}}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
${schema}`;
}
