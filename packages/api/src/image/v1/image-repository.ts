// SPDX-License-Identifier: Apache-2.0
/** ImageRepository (image.toolkit.fluxcd.io/v1): scans the tags of a container image repository. */
import { array, boolean, dateTime, duration, integer, object, string } from '../../schema/builders.ts';
import type { Infer } from '../../schema/schema.ts';
import { defineKind } from '../../crd/define-kind.ts';
import { AGE_COLUMN, READY_COLUMN, STATUS_COLUMN, stringColumn } from '../../crd/columns.ts';
import { AccessFrom, LocalObjectReference } from '../../meta/references.ts';
import { STATUS_DEFAULT, observedShape, reconcileRequestStatusShape } from '../../meta/status.ts';
import type { TypedObject } from '../../meta/object-meta.ts';
import { IMAGE_API_VERSION, IMAGE_CONDITION_DOCS, IMAGE_GROUP, ImageReflectorReason } from './common.ts';

/** Tags excluded when `spec.exclusionList` is empty (cosign signature tags). */
export const DEFAULT_EXCLUSION_LIST = ['^.*\\.sig$'] as const;

/** Spec of an ImageRepository. */
export const ImageRepositorySpec = object({
  image: string({ description: 'Image repository to scan, e.g. ghcr.io/stefanprodan/podinfo.' }),
  interval: duration({ description: 'How often the tags are scanned.' }),
  timeout: duration({ hours: false, description: 'Timeout of a scan; interval when empty.' }).optional(),
  secretRef: LocalObjectReference.describe('Secret of type kubernetes.io/dockerconfigjson with registry credentials.').optional(),
  proxySecretRef: LocalObjectReference.describe('Secret with the proxy used to reach the registry.').optional(),
  serviceAccountName: string({ maxLength: 253, description: 'ServiceAccount whose image pull secrets authenticate the scan.' }).optional(),
  certSecretRef: LocalObjectReference.describe(
    'Secret (Opaque or kubernetes.io/tls) with a client certificate (tls.crt, tls.key) and/or a CA (ca.crt) for the registry.',
  ).optional(),
  suspend: boolean('Stops scanning while true.').optional(),
  accessFrom: AccessFrom.describe('Namespaces allowed to reference this ImageRepository from ImagePolicies.').optional(),
  exclusionList: array(string(), { maxItems: 25, description: 'Regular expressions of tags not to store.' }).default([...DEFAULT_EXCLUSION_LIST]),
  provider: string({
    enum: ['generic', 'aws', 'azure', 'gcp'],
    description: 'Authentication provider: generic (secretRef), aws, azure or gcp.',
  }).default('generic'),
  insecure: boolean('Allows plain HTTP registries.').optional(),
});
/** Spec of an ImageRepository. */
export type ImageRepositorySpec = Infer<typeof ImageRepositorySpec>;

/** Summary of the last scan. */
export const ScanResult = object(
  {
    revision: string({ description: 'Stable hash of the scanned tags.' }).optional(),
    tagCount: integer({ description: 'Number of tags found.' }),
    scanTime: dateTime('When the scan ran.').optional(),
    latestTags: array(string(), { description: 'Up to 10 tags, highest first in descending alphabetical order.' }).optional(),
  },
  { description: 'Result of the last scan.' },
);

/** Status of an ImageRepository. */
export const ImageRepositoryStatus = object({
  ...observedShape,
  ...reconcileRequestStatusShape,
  canonicalImageName: string({ description: 'The image name with implied parts explicit, e.g. docker.io/library/alpine.' }).optional(),
  lastScanResult: ScanResult.describe('Result of the last scan.').optional(),
  observedExclusionList: array(string(), { description: 'The exclusion list used for the last scan.' }).optional(),
});
/** Status of an ImageRepository. */
export type ImageRepositoryStatus = Infer<typeof ImageRepositoryStatus>;

/** An ImageRepository object. */
export type ImageRepository = TypedObject<typeof IMAGE_API_VERSION, 'ImageRepository', ImageRepositorySpec, ImageRepositoryStatus>;

/** The ImageRepository kind. */
export const ImageRepositoryKind = defineKind({
  group: IMAGE_GROUP,
  version: 'v1',
  apiVersion: IMAGE_API_VERSION,
  kind: 'ImageRepository',
  plural: 'imagerepositories',
  shortNames: ['imgrepo', 'imagerepo'],
  controller: 'image-reflector-controller',
  description: 'A container image repository whose tags are scanned periodically.',
  spec: ImageRepositorySpec,
  status: ImageRepositoryStatus,
  statusDefault: STATUS_DEFAULT,
  printerColumns: [
    stringColumn('Image', '.spec.image'),
    stringColumn('Tags', '.status.lastScanResult.tagCount'),
    READY_COLUMN,
    STATUS_COLUMN,
    stringColumn('Last scan', '.status.lastScanResult.scanTime', 1),
    AGE_COLUMN,
  ],
  conditions: IMAGE_CONDITION_DOCS,
  reasons: Object.values(ImageReflectorReason),
  docs: {
    example: {
      apiVersion: IMAGE_API_VERSION,
      kind: 'ImageRepository',
      metadata: { name: 'podinfo', namespace: 'default' },
      spec: { image: 'ghcr.io/stefanprodan/podinfo', interval: '5m' },
    } satisfies ImageRepository,
  },
});
