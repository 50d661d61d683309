// SPDX-License-Identifier: Apache-2.0
/**
 * Bucket (source.toolkit.fluxcd.io/v1): objects of an S3-compatible, GCS or Azure Blob bucket
 * published as a tarball artifact with revision `sha256:<digest of the object index>`.
 */
import { boolean, duration, object, string } from '../../schema/builders.ts';
import type { Infer } from '../../schema/schema.ts';
import { defineKind } from '../../crd/define-kind.ts';
import { AGE_COLUMN, READY_COLUMN, STATUS_COLUMN, stringColumn } from '../../crd/columns.ts';
import { LocalObjectReference } from '../../meta/references.ts';
import { STATUS_DEFAULT } from '../../meta/status.ts';
import type { TypedObject } from '../../meta/object-meta.ts';
import {
  DEFAULT_SOURCE_TIMEOUT,
  SOURCE_API_VERSION,
  SOURCE_CATEGORIES,
  SOURCE_GROUP,
  SOURCE_VERSION,
  sourceStatusShape,
  statusUrl,
} from './common.ts';
import { SOURCE_COMMON_REASONS, SOURCE_CONDITION_DOCS, SourceReason } from './conditions.ts';

/** Bucket providers. */
export const BUCKET_PROVIDERS = ['generic', 'aws', 'gcp', 'azure'] as const;

/** Security Token Service used to get temporary credentials. */
export const BucketSTSSpec = object(
  {
    provider: string({ enum: ['aws', 'ldap'], description: 'STS flavour: aws or ldap.' }),
    endpoint: string({ pattern: '^(http|https)://.*$', description: 'HTTP(S) address of the STS.' }),
    secretRef: LocalObjectReference.describe('Secret with username and password for the STS; ldap only.').optional(),
    certSecretRef: LocalObjectReference.describe('Secret with TLS material (tls.crt, tls.key, ca.crt) for the STS; ldap only.').optional(),
  },
  { description: 'A Security Token Service that issues temporary bucket credentials.' },
);
/** Security Token Service settings. */
export type BucketSTSSpec = Infer<typeof BucketSTSSpec>;

/** Spec of a Bucket. */
export const BucketSpec = object({
  provider: string({ enum: BUCKET_PROVIDERS, description: 'Storage provider: generic (any S3 API), aws, gcp or azure.' }).default('generic'),
  bucketName: string({ description: 'Name of the bucket.' }),
  endpoint: string({ description: 'Address of the object storage service.' }),
  sts: BucketSTSSpec.describe('Temporary credentials from an STS; aws and generic providers only.').optional(),
  insecure: boolean('Allows a plain HTTP endpoint.').optional(),
  region: string({ description: 'Region of the bucket.' }).optional(),
  prefix: string({ description: 'Only objects under this prefix are fetched (server-side filter).' }).optional(),
  secretRef: LocalObjectReference.describe('Secret with credentials for the bucket.').optional(),
  serviceAccountName: string({ description: 'ServiceAccount whose workload identity authenticates; gcp and aws providers only.' }).optional(),
  certSecretRef: LocalObjectReference.describe(
    'Secret (Opaque or kubernetes.io/tls) with a client certificate (tls.crt, tls.key) and/or a CA (ca.crt); generic provider only.',
  ).optional(),
  proxySecretRef: LocalObjectReference.describe('Secret with the proxy used to reach the endpoint.').optional(),
  interval: duration({ description: 'How often the bucket is checked for changes (jittered).' }),
  timeout: duration({ hours: false, description: 'Timeout of fetch operations.' }).default(DEFAULT_SOURCE_TIMEOUT),
  ignore: string({ description: 'Exclusion patterns in .sourceignore format, replacing the default set.' }).optional(),
  suspend: boolean('Stops reconciliation while true.').optional(),
})
  .rule("self.provider == 'aws' || self.provider == 'generic' || !has(self.sts)", "STS configuration is only supported for the 'aws' and 'generic' Bucket providers")
  .rule("self.provider != 'aws' || !has(self.sts) || self.sts.provider == 'aws'", "'aws' is the only supported STS provider for the 'aws' Bucket provider")
  .rule("self.provider != 'generic' || !has(self.sts) || self.sts.provider == 'ldap'", "'ldap' is the only supported STS provider for the 'generic' Bucket provider")
  .rule("!has(self.sts) || self.sts.provider != 'aws' || !has(self.sts.secretRef)", "spec.sts.secretRef is not required for the 'aws' STS provider")
  .rule("!has(self.sts) || self.sts.provider != 'aws' || !has(self.sts.certSecretRef)", "spec.sts.certSecretRef is not required for the 'aws' STS provider")
  .rule("self.provider != 'generic' || !has(self.serviceAccountName)", "ServiceAccountName is not supported for the 'generic' Bucket provider")
  .rule('!has(self.secretRef) || !has(self.serviceAccountName)', 'cannot set both .spec.secretRef and .spec.serviceAccountName');
/** Spec of a Bucket. */
export type BucketSpec = Infer<typeof BucketSpec>;

/** Status of a Bucket. */
export const BucketStatus = object({
  ...sourceStatusShape,
  url: statusUrl,
  observedIgnore: string({ description: 'The exclusion patterns used for the current artifact.' }).optional(),
});
/** Status of a Bucket. */
export type BucketStatus = Infer<typeof BucketStatus>;

/** A Bucket object. */
export type Bucket = TypedObject<typeof SOURCE_API_VERSION, 'Bucket', BucketSpec, BucketStatus>;

/** The Bucket kind. */
export const BucketKind = defineKind({
  group: SOURCE_GROUP,
  version: SOURCE_VERSION,
  apiVersion: SOURCE_API_VERSION,
  kind: 'Bucket',
  plural: 'buckets',
  categories: SOURCE_CATEGORIES,
  controller: 'source-controller',
  description: 'The objects of a storage bucket, published as an artifact.',
  spec: BucketSpec,
  status: BucketStatus,
  statusDefault: STATUS_DEFAULT,
  printerColumns: [stringColumn('Endpoint', '.spec.endpoint'), AGE_COLUMN, READY_COLUMN, STATUS_COLUMN],
  conditions: SOURCE_CONDITION_DOCS,
  reasons: [...SOURCE_COMMON_REASONS, SourceReason.BucketOperationSucceeded, SourceReason.BucketOperationFailed],
  docs: {
    example: {
      apiVersion: SOURCE_API_VERSION,
      kind: 'Bucket',
      metadata: { name: 'manifests', namespace: 'default' },
      spec: { interval: '5m0s', endpoint: 'minio.example.com', bucketName: 'manifests', insecure: true, secretRef: { name: 'minio-credentials' } },
    } satisfies Bucket,
  },
});
