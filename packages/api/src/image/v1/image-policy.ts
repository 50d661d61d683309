// SPDX-License-Identifier: Apache-2.0
/** ImagePolicy (image.toolkit.fluxcd.io/v1): selects the latest image of an ImageRepository. */
import { boolean, duration, object, string } from '../../schema/builders.ts';
import type { Infer } from '../../schema/schema.ts';
import { defineKind } from '../../crd/define-kind.ts';
import { AGE_COLUMN, READY_COLUMN, STATUS_COLUMN, stringColumn } from '../../crd/columns.ts';
import { NamespacedObjectReference } from '../../meta/references.ts';
import { STATUS_DEFAULT, observedShape, reconcileRequestStatusShape } from '../../meta/status.ts';
import type { TypedObject } from '../../meta/object-meta.ts';
import { IMAGE_API_VERSION, IMAGE_CONDITION_DOCS, IMAGE_GROUP, ImageRef, ImageReflectorReason } from './common.ts';

/** When the digest of the latest image is written to status. */
export const DIGEST_REFLECTION_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;

/** Refresh interval of digests with `digestReflectionPolicy: Always` when `interval` is empty. */
export const DEFAULT_DIGEST_REFRESH_INTERVAL = '10m0s';

const order = string({ enum: ['asc', 'desc'], description: 'Sort order; the last tag after sorting is selected.' }).default('asc');

/** How the latest tag is selected; set exactly one field. */
export const ImagePolicyChoice = object(
  {
    semver: object(
      { range: string({ description: 'Semantic version range; the highest matching tag wins.' }) },
      { description: 'Semantic version ordering.' },
    ).optional(),
    alphabetical: object({ order }, { description: 'Alphabetical ordering.' }).optional(),
    numerical: object({ order }, { description: 'Numerical ordering.' }).optional(),
  },
  { description: 'The ordering that selects the latest tag.' },
);

/** Tag filtering before the policy runs. */
export const TagFilter = object(
  {
    pattern: string({ description: 'Regular expression tags must match.' }).optional(),
    extract: string({ description: 'Replacement (e.g. $ts) extracting the value the policy orders by from a matching tag.' }).optional(),
  },
  { description: 'Filters tags, and optionally extracts the part to order by.' },
);

/** Spec of an ImagePolicy. */
export const ImagePolicySpec = object({
  imageRepositoryRef: NamespacedObjectReference.describe('The ImageRepository whose tags are considered.'),
  policy: ImagePolicyChoice.describe('How the latest tag is selected.'),
  filterTags: TagFilter.describe('Tag filter applied before the policy; all tags when empty.').optional(),
  digestReflectionPolicy: string({
    enum: DIGEST_REFLECTION_POLICIES,
    description: 'Never (no digest), IfNotPresent (set once for a tag) or Always (refresh every interval).',
  }).default('Never'),
  interval: duration({ description: 'Digest refresh interval; only with digestReflectionPolicy Always, 10m when empty.' }).optional(),
  suspend: boolean('Stops reconciliation while true.').optional(),
})
  .rule(
    "!has(self.interval) || (has(self.digestReflectionPolicy) && self.digestReflectionPolicy == 'Always')",
    "spec.interval is only accepted when spec.digestReflectionPolicy is set to 'Always'",
  )
  .rule(
    "has(self.interval) || !has(self.digestReflectionPolicy) || self.digestReflectionPolicy != 'Always'",
    "spec.interval must be set when spec.digestReflectionPolicy is set to 'Always'",
  );
/** Spec of an ImagePolicy. */
export type ImagePolicySpec = Infer<typeof ImagePolicySpec>;

/** Status of an ImagePolicy. */
export const ImagePolicyStatus = object({
  ...observedShape,
  ...reconcileRequestStatusShape,
  latestRef: ImageRef.describe('The selected image.').optional(),
  observedPreviousRef: ImageRef.describe('The image selected before the current one.').optional(),
});
/** Status of an ImagePolicy. */
export type ImagePolicyStatus = Infer<typeof ImagePolicyStatus>;

/** An ImagePolicy object. */
export type ImagePolicy = TypedObject<typeof IMAGE_API_VERSION, 'ImagePolicy', ImagePolicySpec, ImagePolicyStatus>;

/** The ImagePolicy kind. */
export const ImagePolicyKind = defineKind({
  group: IMAGE_GROUP,
  version: 'v1',
  apiVersion: IMAGE_API_VERSION,
  kind: 'ImagePolicy',
  plural: 'imagepolicies',
  shortNames: ['imgpol', 'imagepol'],
  controller: 'image-reflector-controller',
  description: 'Selects the latest image of an ImageRepository by a semver, alphabetical or numerical policy.',
  spec: ImagePolicySpec,
  status: ImagePolicyStatus,
  statusDefault: STATUS_DEFAULT,
  printerColumns: [
    stringColumn('Image', '.status.latestRef.name'),
    stringColumn('Tag', '.status.latestRef.tag'),
    READY_COLUMN,
    STATUS_COLUMN,
    AGE_COLUMN,
  ],
  conditions: IMAGE_CONDITION_DOCS,
  reasons: Object.values(ImageReflectorReason),
  docs: {
    example: {
      apiVersion: IMAGE_API_VERSION,
      kind: 'ImagePolicy',
      metadata: { name: 'podinfo', namespace: 'default' },
      spec: { imageRepositoryRef: { name: 'podinfo' }, policy: { semver: { range: '5.1.x' } } },
    } satisfies ImagePolicy,
  },
});
