// SPDX-License-Identifier: Apache-2.0
/**
 * Reference types shared across kinds (Flux's `fluxcd/pkg/apis/meta` and `apis/acl`):
 * LocalObjectReference, NamespacedObjectReference, NamespacedObjectKindReference,
 * SecretKeyReference, KubeConfigReference, ValuesReference and AccessFrom.
 */
import { boolean, map, object, string, array } from '../schema/builders.ts';
import type { Infer } from '../schema/schema.ts';

/** A reference to an object in the same namespace. */
export const LocalObjectReference = object(
  { name: string({ description: 'Name of the referenced object.' }) },
  { description: 'Points at an object in the namespace of the referring object.' },
);
/** A reference to an object in the same namespace. */
export type LocalObjectReference = Infer<typeof LocalObjectReference>;

/** A reference to an object in any namespace. */
export const NamespacedObjectReference = object(
  {
    name: string({ description: 'Name of the referenced object.' }),
    namespace: string({
      description: 'Namespace of the referenced object; the namespace of the referring object when empty.',
    }).optional(),
  },
  { description: 'Points at an object by name, in any namespace.' },
);
/** A reference to an object in any namespace. */
export type NamespacedObjectReference = Infer<typeof NamespacedObjectReference>;

/** A typed reference to an object in any namespace. */
export const NamespacedObjectKindReference = object(
  {
    apiVersion: string({
      description: "API version of the referenced object; the server's preferred version when empty.",
    }).optional(),
    kind: string({ description: 'Kind of the referenced object.' }),
    name: string({ description: 'Name of the referenced object.' }),
    namespace: string({
      description: 'Namespace of the referenced object; the namespace of the referring object when empty.',
    }).optional(),
  },
  { description: 'Points at an object by kind and name, in any namespace.' },
);
/** A typed reference to an object in any namespace. */
export type NamespacedObjectKindReference = Infer<typeof NamespacedObjectKindReference>;

/** A Secret in the same namespace and, optionally, one key of it. */
export const SecretKeyReference = object(
  {
    name: string({ description: 'Name of the Secret.' }),
    key: string({ description: 'Key in the Secret; each user of the reference documents its default.' }).optional(),
  },
  { description: 'SecretKeyReference names a Secret in the same namespace and, optionally, a key in it.' },
);
/** A Secret in the same namespace and, optionally, one key of it. */
export type SecretKeyReference = Infer<typeof SecretKeyReference>;

/** How to reach a remote cluster: a kubeconfig Secret, or a cloud provider identity. */
export const KubeConfigReference = object(
  {
    provider: string({
      enum: ['aws', 'azure', 'gcp', 'generic'],
      description:
        'Provider is the cloud provider used to authenticate to the remote API server: aws, azure, gcp or generic (a kubeconfig Secret). Defaults to generic.',
    }).default('generic'),
    cluster: string({
      description:
        'Cluster is the fully qualified resource name of the cluster at the cloud provider. Required for cloud providers, not supported for generic.',
    }).optional(),
    address: string({
      pattern: '^https://.*',
      description:
        'Address of the API server, used to pick one endpoint of the cloud cluster resource. Must be an HTTPS URL. Not supported for generic.',
    }).optional(),
    serviceAccountName: string({
      description:
        'ServiceAccountName is the ServiceAccount in the same namespace whose identity authenticates to the cloud provider. Not supported for generic.',
    }).optional(),
    secretRef: SecretKeyReference.describe(
      "SecretRef names a Secret holding a kubeconfig; the key defaults to 'value'. Supported only for the generic provider. The kubeconfig should be self-contained: exec and cmd-path helpers do not work.",
    ).optional(),
  },
  { description: 'KubeConfigReference tells the controller how to build a client for a remote cluster.' },
)
  .rule("has(self.secretRef) || (has(self.provider) && self.provider != 'generic')", ".secretRef is required for the 'generic' .provider")
  .rule("!has(self.secretRef) || !has(self.provider) || self.provider == 'generic'", '.secretRef is not supported for the specified .provider')
  .rule(
    "!has(self.serviceAccountName) || (has(self.provider) && self.provider != 'generic')",
    ".serviceAccountName is not supported when .provider is empty or 'generic'",
  )
  .rule("!has(self.cluster) || (has(self.provider) && self.provider != 'generic')", ".cluster is not supported when .provider is empty or 'generic'")
  .rule("!has(self.address) || (has(self.provider) && self.provider != 'generic')", ".address is not supported when .provider is empty or 'generic'");
/** How to reach a remote cluster. */
export type KubeConfigReference = Infer<typeof KubeConfigReference>;

/** A Secret or ConfigMap holding Helm values (HelmRelease `valuesFrom`). */
export const ValuesReference = object(
  {
    kind: string({ enum: ['Secret', 'ConfigMap'], description: 'Kind of the object holding the values: Secret or ConfigMap.' }),
    name: string({
      minLength: 1,
      maxLength: 253,
      description: 'Name of the object holding the values, in the namespace of the HelmRelease.',
    }),
    valuesKey: string({
      maxLength: 253,
      pattern: '^[\\-._a-zA-Z0-9]+$',
      description: 'Data key holding a values document or a single value. Defaults to values.yaml.',
    }).optional(),
    targetPath: string({
      maxLength: 250,
      pattern: '^([a-zA-Z0-9_\\-.\\\\\\/]|\\[[0-9]{1,5}\\])+$',
      description:
        'TargetPath is the YAML dot notation path the value is merged at. When set, ValuesKey must hold a single flat value. When empty the values are merged at the root.',
    }).optional(),
    optional: boolean(
      'Optional marks the reference optional: a missing object is ignored, but a missing key, a bad target path or a transient error still fail the reconciliation.',
    ).optional(),
  },
  { description: 'ValuesReference points at a Secret or ConfigMap with Helm values, and optionally the key they are at.' },
);
/** A Secret or ConfigMap holding Helm values. */
export type ValuesReference = Infer<typeof ValuesReference>;

/** Namespace label selectors allowed to reference an object across namespaces. */
export const AccessFrom = object(
  {
    namespaceSelectors: array(
      object(
        {
          matchLabels: map(string(), 'Labels a namespace must all carry to match.').optional(),
        },
        { description: 'Selects namespaces by label.' },
      ),
      { description: 'Namespace selectors; a namespace matching any of them is allowed.' },
    ),
  },
  { description: 'AccessFrom is an access control list for cross-namespace references (not enforced).' },
);
/** Namespace label selectors allowed to reference an object across namespaces. */
export type AccessFrom = Infer<typeof AccessFrom>;

/** A Kubernetes label selector (`metav1.LabelSelector`). */
export const LabelSelector = object(
  {
    matchLabels: map(string(), 'Labels an object must all carry.').optional(),
    matchExpressions: array(
      object(
        {
          key: string({ description: 'Label key.' }),
          operator: string({ description: 'In, NotIn, Exists or DoesNotExist.' }),
          values: array(string(), { listType: 'atomic', description: 'Values for In and NotIn; empty for Exists and DoesNotExist.' }).optional(),
        },
        { description: 'A label requirement.' },
      ),
      { listType: 'atomic', description: 'Label requirements, ANDed with matchLabels.' },
    ).optional(),
  },
  { description: 'Selects objects by label; an empty selector matches everything.' },
).with({ 'x-kubernetes-map-type': 'atomic' });
/** A Kubernetes label selector. */
export type LabelSelector = Infer<typeof LabelSelector>;

/** Fields of a dependency reference, spread into kind-specific dependency types. */
export const dependencyReferenceShape = {
  name: string({ description: 'Name of the dependency.' }),
  namespace: string({ description: 'Namespace of the dependency; the namespace of the depending object when empty.' }).optional(),
  readyExpr: string({
    description:
      'CEL expression over dep (the dependency) and self (this object) deciding readiness; replaces the built-in check unless the AdditiveCELDependencyCheck feature gate is on.',
  }).optional(),
};

/** An object of the same kind that must be ready before the depending object is reconciled. */
export const DependencyReference = object(dependencyReferenceShape, {
  description: 'An object of the same kind that must be ready before this one is reconciled.',
});
/** A dependency on another object of the same kind. */
export type DependencyReference = Infer<typeof DependencyReference>;
