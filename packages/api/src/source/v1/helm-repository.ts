// SPDX-License-Identifier: Apache-2.0
/**
 * HelmRepository (source.toolkit.fluxcd.io/v1): a Helm chart repository. For `type: default` the
 * index is fetched and published as an artifact with revision `sha256:<digest>`; for `type: oci`
 * the object only holds connection settings for HelmCharts.
 */
import { boolean, duration, object, string } from '../../schema/builders.ts';
import type { Infer } from '../../schema/schema.ts';
import { defineKind } from '../../crd/define-kind.ts';
import { AGE_COLUMN, READY_COLUMN, STATUS_COLUMN, stringColumn } from '../../crd/columns.ts';
import { AccessFrom, LocalObjectReference } from '../../meta/references.ts';
import { STATUS_DEFAULT } from '../../meta/status.ts';
import type { TypedObject } from '../../meta/object-meta.ts';
import { KustomizeAnnotation } from '../../annotations/index.ts';
import { SOURCE_API_VERSION, SOURCE_CATEGORIES, SOURCE_GROUP, SOURCE_VERSION, sourceStatusShape, statusUrl } from './common.ts';
import { SOURCE_COMMON_REASONS, SOURCE_CONDITION_DOCS, SourceReason } from './conditions.ts';

/** Repository types. */
export const HELM_REPOSITORY_TYPES = ['default', 'oci'] as const;

/** Interval used when `spec.interval` is empty. */
export const DEFAULT_HELM_REPOSITORY_INTERVAL = '1m0s';

/** Timeout used when `spec.timeout` is empty. */
export const DEFAULT_HELM_REPOSITORY_TIMEOUT = '1m0s';

/** Spec of a HelmRepository. */
export const HelmRepositorySpec = object({
  url: string({ pattern: '^(http|https|oci)://.*$', description: 'Repository URL: http(s) for an index, oci:// for a registry.' }),
  secretRef: LocalObjectReference.describe(
    'Secret with credentials: username and password. TLS keys in this Secret are deprecated; use certSecretRef.',
  ).optional(),
  certSecretRef: LocalObjectReference.describe(
    'Secret (Opaque or kubernetes.io/tls) with a client certificate (tls.crt, tls.key) and/or a CA (ca.crt); wins over TLS keys in secretRef.',
  ).optional(),
  passCredentials: boolean(
    'Sends the credentials to chart URLs on other hosts than the repository URL too. Can leak credentials; use with care.',
  ).optional(),
  interval: duration({ description: 'How often the index is fetched (jittered); 1m when empty.' }).optional(),
  insecure: boolean('Allows plain HTTP registries; only for type oci.').optional(),
  timeout: duration({
    hours: false,
    description: 'Timeout of index downloads, and of chart pulls for type oci; 60s when empty.',
  }).optional(),
  suspend: boolean('Stops reconciliation while true.').optional(),
  accessFrom: AccessFrom.describe('Cross-namespace access list (accepted, not enforced).').optional(),
  type: string({ enum: HELM_REPOSITORY_TYPES, description: 'default for an index-based repository, oci for a registry (url must start with oci://).' }).optional(),
  provider: string({
    enum: ['generic', 'aws', 'azure', 'gcp'],
    description: 'Authentication provider for type oci: generic (secretRef), aws, azure or gcp.',
  }).default('generic'),
});
/** Spec of a HelmRepository. */
export type HelmRepositorySpec = Infer<typeof HelmRepositorySpec>;

/** Status of a HelmRepository. */
export const HelmRepositoryStatus = object({ ...sourceStatusShape, url: statusUrl });
/** Status of a HelmRepository. */
export type HelmRepositoryStatus = Infer<typeof HelmRepositoryStatus>;

/** A HelmRepository object. */
export type HelmRepository = TypedObject<typeof SOURCE_API_VERSION, 'HelmRepository', HelmRepositorySpec, HelmRepositoryStatus>;

/** The HelmRepository kind. */
export const HelmRepositoryKind = defineKind({
  group: SOURCE_GROUP,
  version: SOURCE_VERSION,
  apiVersion: SOURCE_API_VERSION,
  kind: 'HelmRepository',
  plural: 'helmrepositories',
  shortNames: ['helmrepo'],
  categories: SOURCE_CATEGORIES,
  controller: 'source-controller',
  description: 'A Helm chart repository: an HTTP index or an OCI registry.',
  spec: HelmRepositorySpec,
  status: HelmRepositoryStatus,
  statusDefault: STATUS_DEFAULT,
  printerColumns: [stringColumn('URL', '.spec.url'), AGE_COLUMN, READY_COLUMN, STATUS_COLUMN],
  crdAnnotations: { [KustomizeAnnotation.Substitute]: 'disabled' },
  conditions: SOURCE_CONDITION_DOCS,
  reasons: [...SOURCE_COMMON_REASONS, SourceReason.IndexationFailed],
  docs: {
    example: {
      apiVersion: SOURCE_API_VERSION,
      kind: 'HelmRepository',
      metadata: { name: 'podinfo', namespace: 'default' },
      spec: { interval: '5m0s', url: 'https://stefanprodan.github.io/podinfo' },
    } satisfies HelmRepository,
    notes: [
      {
        title: 'OCI repositories',
        body: 'With `type: oci` there is no index to fetch: the object is Ready without an artifact and HelmCharts pull charts from the registry directly.',
      },
    ],
  },
});
