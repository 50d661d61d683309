// SPDX-License-Identifier: Apache-2.0
/**
 * The spec of a Kustomization (kustomize.toolkit.fluxcd.io/v1). The status, the kind and its docs
 * are in `kustomization.ts`.
 */
import { array, boolean, duration, map, object, string } from '../../schema/builders.ts';
import type { Infer } from '../../schema/schema.ts';
import {
  KubeConfigReference,
  LocalObjectReference,
  NamespacedObjectKindReference,
  dependencyReferenceShape,
} from '../../meta/references.ts';
import { CommonMetadata, CustomHealthCheck, IgnoreRule, Image, Patch } from '../../meta/kustomize.ts';

/** Deletion policies (what happens to applied objects when the Kustomization is deleted). */
export const DELETION_POLICIES = ['MirrorPrune', 'Delete', 'WaitForTermination', 'Orphan'] as const;

/** Kinds a Kustomization can apply from. */
export const KUSTOMIZATION_SOURCE_KINDS = ['OCIRepository', 'GitRepository', 'Bucket', 'ExternalArtifact'] as const;

/** Kinds a Kustomization may depend on (Eddy extension: Flux only knows Kustomization). */
export const KUSTOMIZATION_DEPENDENCY_KINDS = ['Kustomization', 'HelmRelease'] as const;

/** The source of the manifests. */
export const CrossNamespaceSourceReference = object(
  {
    apiVersion: string({ description: 'API version of the source.' }).optional(),
    kind: string({ enum: KUSTOMIZATION_SOURCE_KINDS, description: 'Kind of the source.' }),
    name: string({ description: 'Name of the source.' }),
    namespace: string({ description: 'Namespace of the source; the namespace of the Kustomization when empty.' }).optional(),
  },
  { description: 'The source object holding the manifests.' },
);
/** The source of the manifests. */
export type CrossNamespaceSourceReference = Infer<typeof CrossNamespaceSourceReference>;

/**
 * A dependency that must be ready first. `apiVersion` and `kind` are Eddy extensions that let a
 * Kustomization wait for a HelmRelease; without them the entry means a Kustomization, as in Flux.
 */
export const KustomizationDependencyReference = object(
  {
    apiVersion: string({
      description:
        'Eddy extension. API version of the dependency; kustomize.toolkit.fluxcd.io/v1 for a Kustomization and helm.toolkit.fluxcd.io/v2 for a HelmRelease when empty.',
    }).optional(),
    kind: string({
      enum: KUSTOMIZATION_DEPENDENCY_KINDS,
      description: 'Eddy extension. Kind of the dependency: Kustomization (when empty) or HelmRelease.',
    }).optional(),
    ...dependencyReferenceShape,
  },
  { description: 'An object that must be ready before this Kustomization is reconciled.' },
).rule(
  "!has(self.apiVersion) || (has(self.kind) && self.kind == 'HelmRelease' ? self.apiVersion.startsWith('helm.toolkit.fluxcd.io/') : self.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/'))",
  'dependsOn apiVersion must belong to the API group of dependsOn kind',
  { fieldPath: '.apiVersion' },
);
/** A dependency of a Kustomization. */
export type KustomizationDependencyReference = Infer<typeof KustomizationDependencyReference>;

/** Decryption of SOPS-encrypted manifests. */
export const Decryption = object(
  {
    provider: string({ enum: ['sops'], description: 'Decryption engine: sops.' }),
    serviceAccountName: string({
      description: 'ServiceAccount whose workload identity authenticates to cloud KMS; static credentials in secretRef win.',
    }).optional(),
    secretRef: LocalObjectReference.describe('Secret with decryption keys (*.agekey, *.asc, sops.* credentials).').optional(),
  },
  { description: 'How to decrypt Secrets and other encrypted manifests before applying them.' },
);
/** Decryption settings. */
export type Decryption = Infer<typeof Decryption>;

/** A ConfigMap or Secret providing substitution variables. */
export const SubstituteReference = object(
  {
    kind: string({ enum: ['Secret', 'ConfigMap'], description: 'Kind of the object: Secret or ConfigMap.' }),
    name: string({ minLength: 1, maxLength: 253, description: 'Name of the object, in the namespace of the Kustomization.' }),
    optional: boolean('Tolerates a missing object, as if it had no data.').default(false),
  },
  { description: 'An object whose data keys are variable names and values their values.' },
);
/** A ConfigMap or Secret providing substitution variables. */
export type SubstituteReference = Infer<typeof SubstituteReference>;

/** Actions on the built manifests. */
export const PostBuild = object(
  {
    substitute: map(string(), 'Variables and values substituted for ${var} in the manifests; wins over substituteFrom.').optional(),
    substituteFrom: array(SubstituteReference, { description: 'Objects providing variables; later ones win over earlier ones.' }).optional(),
    substituteStrategy: string({
      enum: ['WithVariables', 'Always'],
      description: 'WithVariables skips substitution when no variable is defined; Always runs it regardless.',
    }).optional(),
  },
  { description: 'Variable substitution in the built manifests.' },
);
/** Actions on the built manifests. */
export type PostBuild = Infer<typeof PostBuild>;

/** Spec of a Kustomization. */
export const KustomizationSpec = object({
  commonMetadata: CommonMetadata.describe('Labels and annotations added to every applied object.').optional(),
  dependsOn: array(KustomizationDependencyReference, {
    description: 'Objects that must be ready before this Kustomization is reconciled.',
  }).optional(),
  decryption: Decryption.describe('Decryption of encrypted manifests before apply.').optional(),
  interval: duration({ description: 'How often the Kustomization is reconciled (jittered).' }),
  retryInterval: duration({ description: 'Retry interval after a failure; interval when empty.' }).optional(),
  kubeConfig: KubeConfigReference.describe('Applies to a remote cluster; combined with serviceAccountName, impersonates it there.').optional(),
  path: string({ description: 'Directory in the source with a kustomization.yaml or plain manifests; the source root when empty.' }).optional(),
  postBuild: PostBuild.describe('Actions on the built manifests.').optional(),
  prune: boolean('Deletes objects that were applied before and are no longer in the source.'),
  deletionPolicy: string({
    enum: DELETION_POLICIES,
    description:
      'What happens to applied objects when the Kustomization is deleted: MirrorPrune (follow prune), Delete, WaitForTermination, Orphan. MirrorPrune when empty.',
  }).optional(),
  healthChecks: array(NamespacedObjectKindReference, { description: 'Objects whose health gates readiness.' }).optional(),
  namePrefix: string({ minLength: 1, maxLength: 200, description: 'Prefix added to the names of all objects.' }).optional(),
  nameSuffix: string({ minLength: 1, maxLength: 200, description: 'Suffix added to the names of all objects.' }).optional(),
  patches: array(Patch, { description: 'Strategic merge or JSON 6902 patches applied to the built objects.' }).optional(),
  images: array(Image, { description: 'Image name, tag and digest overrides.' }).optional(),
  serviceAccountName: string({ description: 'ServiceAccount impersonated when applying.' }).optional(),
  sourceRef: CrossNamespaceSourceReference.describe('The source holding the manifests.'),
  suspend: boolean('Stops reconciliation while true; a run already started finishes.').optional(),
  targetNamespace: string({ minLength: 1, maxLength: 63, description: 'Namespace set on all namespaced objects.' }).optional(),
  timeout: duration({ description: 'Timeout of build, apply and health checks; interval minus 30s (at least 30s) when empty.' }).optional(),
  force: boolean('Recreates objects whose immutable fields changed.').default(false),
  wait: boolean('Waits for every applied object to be healthy; healthChecks are then ignored.').optional(),
  components: array(string(), { description: 'Paths to kustomize components added to the build.' }).optional(),
  ignoreMissingComponents: boolean('Drops components whose path does not exist instead of failing.').optional(),
  buildMetadata: array(string({ enum: ['originAnnotations', 'transformerAnnotations'] }), {
    description: 'Kustomize build metadata to add to the objects: originAnnotations, transformerAnnotations.',
  }).optional(),
  healthCheckExprs: array(CustomHealthCheck, { description: 'CEL health checks for custom resource kinds; used with wait or healthChecks.' }).optional(),
  ignore: array(IgnoreRule, { description: 'Fields drift detection and correction leave alone.' }).optional(),
});
/** Spec of a Kustomization. */
export type KustomizationSpec = Infer<typeof KustomizationSpec>;
