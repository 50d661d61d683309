// SPDX-License-Identifier: Apache-2.0
/**
 * Kustomize-flavoured building blocks shared by Kustomization and HelmRelease (Flux's
 * `fluxcd/pkg/apis/kustomize`): resource selectors, inline patches, image overrides, CEL health
 * checks, common metadata and drift ignore rules.
 */
import { array, map, object, string } from '../schema/builders.ts';
import type { Infer } from '../schema/schema.ts';

/** Selects resources; all set fields must match. */
export const Selector = object(
  {
    group: string({ description: 'API group of the resources (regular expression).' }).optional(),
    version: string({ description: 'API version of the resources (regular expression).' }).optional(),
    kind: string({ description: 'Kind of the resources (regular expression).' }).optional(),
    namespace: string({ description: 'Namespace of the resources (regular expression).' }).optional(),
    name: string({ description: 'Name of the resources (regular expression).' }).optional(),
    annotationSelector: string({ description: 'Label-selector expression matched against the annotations.' }).optional(),
    labelSelector: string({ description: 'Label-selector expression matched against the labels.' }).optional(),
  },
  { description: 'Selects a set of resources; a resource must match every field that is set.' },
);
/** Selects resources. */
export type Selector = Infer<typeof Selector>;

/** An inline strategic-merge or JSON 6902 patch and the resources it applies to. */
export const Patch = object(
  {
    patch: string({ description: 'The patch: a strategic merge patch document or a JSON 6902 list of operations.' }),
    target: Selector.describe('The resources the patch applies to.').optional(),
  },
  { description: 'An inline patch and its target.' },
);
/** An inline patch and its target. */
export type Patch = Infer<typeof Patch>;

/** An image name, tag or digest override. */
export const Image = object(
  {
    name: string({ description: 'Image name to match, without tag.' }),
    newName: string({ description: 'Replacement image name.' }).optional(),
    newTag: string({ description: 'Replacement tag.' }).optional(),
    digest: string({ description: 'Replacement digest; when set, newTag is ignored.' }).optional(),
  },
  { description: 'Replaces the name, tag or digest of matching images.' },
);
/** An image override. */
export type Image = Infer<typeof Image>;

/** CEL expressions computing the health of a custom resource kind. */
export const CustomHealthCheck = object(
  {
    apiVersion: string({ description: 'API version of the resources the expressions apply to.' }),
    kind: string({ description: 'Kind of the resources the expressions apply to.' }),
    current: string({ description: 'CEL expression that is true when the resource is healthy.' }),
    inProgress: string({ description: 'CEL expression that is true while the resource is still progressing.' }).optional(),
    failed: string({ description: 'CEL expression that is true when the resource has failed.' }).optional(),
  },
  { description: 'Custom health assessment for one kind, evaluated as CEL against each resource (`self`).' },
);
/** A custom CEL health check. */
export type CustomHealthCheck = Infer<typeof CustomHealthCheck>;

/** Labels and annotations added to every applied object. */
export const CommonMetadata = object(
  {
    annotations: map(string(), 'Annotations added to every object.').optional(),
    labels: map(string(), 'Labels added to every object.').optional(),
  },
  { description: 'Metadata added to every applied object, overriding keys the objects already have.' },
);
/** Labels and annotations added to every applied object. */
export type CommonMetadata = Infer<typeof CommonMetadata>;

/** JSON pointers whose changes are not treated as drift. */
export const IgnoreRule = object(
  {
    paths: array(string(), { description: 'JSON Pointer (RFC 6901) paths ignored by drift detection.' }),
    target: Selector.describe('The resources the rule applies to; all resources when empty.').optional(),
  },
  { description: 'Fields that drift detection and correction leave alone.' },
);
/** A drift ignore rule. */
export type IgnoreRule = Infer<typeof IgnoreRule>;
