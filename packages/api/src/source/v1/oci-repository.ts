// SPDX-License-Identifier: Apache-2.0
/**
 * OCIRepository (source.toolkit.fluxcd.io/v1): an OCI artifact pulled from a container registry,
 * with revision `<tag>@sha256:<digest>` (or `sha256:<digest>` when pinned by digest).
 */
import { boolean, duration, object, string } from '../../schema/builders.ts';
import type { Infer } from '../../schema/schema.ts';
import { defineKind } from '../../crd/define-kind.ts';
import { AGE_COLUMN, READY_COLUMN, STATUS_COLUMN, stringColumn } from '../../crd/columns.ts';
import { LocalObjectReference } from '../../meta/references.ts';
import { STATUS_DEFAULT } from '../../meta/status.ts';
import type { TypedObject } from '../../meta/object-meta.ts';
import { KustomizeAnnotation } from '../../annotations/index.ts';
import {
  DEFAULT_SOURCE_TIMEOUT,
  OCIRepositoryVerification,
  SOURCE_API_VERSION,
  SOURCE_CATEGORIES,
  SOURCE_GROUP,
  SOURCE_VERSION,
  sourceStatusShape,
  statusUrl,
} from './common.ts';
import { SOURCE_COMMON_REASONS, SOURCE_CONDITION_DOCS, SourceReason } from './conditions.ts';

/** Layer operations: unpack the tarball, or store the compressed layer as is. */
export const OCI_LAYER_OPERATIONS = ['extract', 'copy'] as const;

/** The reference to pull. Precedence: digest > semver > tag; `latest` when empty. */
export const OCIRepositoryRef = object(
  {
    digest: string({ description: 'Digest to pull, sha256:<hex>; wins over semver and tag.' }).optional(),
    semver: string({ description: 'Semantic version range; the highest matching tag is pulled. Wins over tag.' }).optional(),
    semverFilter: string({ description: 'Regular expression the tags considered by semver must match.' }).optional(),
    tag: string({ description: "Tag to pull; 'latest' when nothing is set." }).optional(),
  },
  { description: 'The OCI reference to pull and watch.' },
);
/** The OCI reference to pull. */
export type OCIRepositoryRef = Infer<typeof OCIRepositoryRef>;

/** Which layer to take from the artifact and what to do with it. */
export const OCILayerSelector = object(
  {
    mediaType: string({ description: 'Media type of the layer to take; the first matching layer is used.' }).optional(),
    operation: string({
      enum: OCI_LAYER_OPERATIONS,
      description: 'extract (default) unpacks the layer into the artifact; copy stores the compressed layer unchanged.',
    }).optional(),
  },
  { description: 'Selects the layer of the OCI artifact; the first layer when empty.' },
);
/** Which layer to take from the artifact. */
export type OCILayerSelector = Infer<typeof OCILayerSelector>;

/** Spec of an OCIRepository. */
export const OCIRepositorySpec = object({
  url: string({ pattern: '^oci://.*$', description: 'Repository address, oci://<registry>/<repository>.' }),
  ref: OCIRepositoryRef.describe('The reference to pull; the latest tag when empty.').optional(),
  layerSelector: OCILayerSelector.describe('The layer to use; the first layer when empty.').optional(),
  provider: string({
    enum: ['generic', 'aws', 'azure', 'gcp'],
    description: 'Authentication provider: generic (secretRef), aws, azure or gcp.',
  }).default('generic'),
  secretRef: LocalObjectReference.describe('Secret of type kubernetes.io/dockerconfigjson with registry credentials.').optional(),
  verify: OCIRepositoryVerification.describe('Signature verification of the artifact.').optional(),
  serviceAccountName: string({ description: 'ServiceAccount whose image pull secrets authenticate the pull.' }).optional(),
  certSecretRef: LocalObjectReference.describe(
    'Secret (Opaque or kubernetes.io/tls) with a client certificate (tls.crt, tls.key) and/or a CA (ca.crt) for the registry.',
  ).optional(),
  proxySecretRef: LocalObjectReference.describe('Secret with the proxy used to reach the registry.').optional(),
  interval: duration({ description: 'How often the registry is checked for a new artifact (jittered).' }),
  timeout: duration({ hours: false, description: 'Timeout of registry operations such as pulls.' }).default(DEFAULT_SOURCE_TIMEOUT),
  ignore: string({ description: 'Exclusion patterns in .sourceignore format, replacing the default set.' }).optional(),
  insecure: boolean('Allows plain HTTP registries.').optional(),
  suspend: boolean('Stops reconciliation while true.').optional(),
});
/** Spec of an OCIRepository. */
export type OCIRepositorySpec = Infer<typeof OCIRepositorySpec>;

/** Status of an OCIRepository. */
export const OCIRepositoryStatus = object({
  ...sourceStatusShape,
  url: statusUrl,
  observedIgnore: string({ description: 'The exclusion patterns used for the current artifact.' }).optional(),
  observedLayerSelector: OCILayerSelector.describe('The layer selector used for the current artifact.').optional(),
});
/** Status of an OCIRepository. */
export type OCIRepositoryStatus = Infer<typeof OCIRepositoryStatus>;

/** An OCIRepository object. */
export type OCIRepository = TypedObject<typeof SOURCE_API_VERSION, 'OCIRepository', OCIRepositorySpec, OCIRepositoryStatus>;

/** The OCIRepository kind. */
export const OCIRepositoryKind = defineKind({
  group: SOURCE_GROUP,
  version: SOURCE_VERSION,
  apiVersion: SOURCE_API_VERSION,
  kind: 'OCIRepository',
  plural: 'ocirepositories',
  shortNames: ['ocirepo'],
  categories: SOURCE_CATEGORIES,
  controller: 'source-controller',
  description: 'An OCI artifact in a container registry, pulled and published as an artifact.',
  spec: OCIRepositorySpec,
  status: OCIRepositoryStatus,
  statusDefault: STATUS_DEFAULT,
  printerColumns: [stringColumn('URL', '.spec.url'), READY_COLUMN, STATUS_COLUMN, AGE_COLUMN],
  crdAnnotations: { [KustomizeAnnotation.Substitute]: 'disabled' },
  conditions: SOURCE_CONDITION_DOCS,
  reasons: [...SOURCE_COMMON_REASONS, SourceReason.OCIArtifactPullFailed, SourceReason.OCIArtifactLayerOperationFailed],
  docs: {
    example: {
      apiVersion: SOURCE_API_VERSION,
      kind: 'OCIRepository',
      metadata: { name: 'podinfo', namespace: 'default' },
      spec: { interval: '5m0s', url: 'oci://ghcr.io/stefanprodan/manifests/podinfo', ref: { tag: 'latest' } },
    } satisfies OCIRepository,
    notes: [
      {
        title: 'Helm charts in OCI registries',
        body: 'With `layerSelector: {mediaType: application/vnd.cncf.helm.chart.content.v1.tar+gzip, operation: copy}` the chart tarball is stored unchanged and a HelmRelease can use the OCIRepository as `chartRef`.',
      },
    ],
  },
});
