// SPDX-License-Identifier: Apache-2.0
/** Shared pieces of image.toolkit.fluxcd.io/v1: group constants, reasons and the image reference. */
import { object, string } from '../../schema/builders.ts';
import type { Infer } from '../../schema/schema.ts';
import type { ConditionDoc } from '../../crd/define-kind.ts';
import { ConditionType } from '../../conditions/index.ts';

/** API group of the image kinds. */
export const IMAGE_GROUP = 'image.toolkit.fluxcd.io';

/** `image.toolkit.fluxcd.io/v1`. */
export const IMAGE_API_VERSION = 'image.toolkit.fluxcd.io/v1';

/** image-reflector-controller reasons (ImageRepository, ImagePolicy). */
export const ImageReflectorReason = {
  ImageURLInvalid: 'ImageURLInvalid',
  DependencyNotReady: 'DependencyNotReady',
  AuthenticationFailed: 'AuthenticationFailed',
  ReadOperationFailed: 'ReadOperationFailed',
  IntervalNotConfigured: 'IntervalNotConfigured',
  Succeeded: 'Succeeded',
} as const;

/** image-automation-controller reasons (ImageUpdateAutomation). */
export const ImageAutomationReason = {
  InvalidUpdateStrategy: 'InvalidUpdateStrategy',
  InvalidSourceConfiguration: 'InvalidSourceConfiguration',
  SourceManagerFailed: 'SourceManagerFailed',
  GitOperationFailed: 'GitOperationFailed',
  UpdateFailed: 'UpdateFailed',
  InvalidPolicySelector: 'InvalidPolicySelector',
  RemovedTemplateField: 'RemovedTemplateField',
  Succeeded: 'Succeeded',
} as const;

/** Conditions of the image kinds. */
export const IMAGE_CONDITION_DOCS: readonly ConditionDoc[] = [
  { type: ConditionType.Ready, description: 'True (Succeeded) after a successful run, False with the failure reason.' },
  { type: ConditionType.Reconciling, description: 'Present while a run is in progress.' },
  { type: ConditionType.Stalled, description: 'Present when the object cannot be reconciled without a change.' },
];

/** An image name, tag and optional digest. */
export const ImageRef = object(
  {
    name: string({ description: 'Image name without tag.' }),
    tag: string({ description: 'Image tag.' }),
    digest: string({ description: 'Image digest, when reflected.' }).optional(),
  },
  { description: 'An image reference.' },
);
/** An image name, tag and optional digest. */
export type ImageRef = Infer<typeof ImageRef>;

/** Writes `name:tag[@digest]`. */
export function formatImageRef(ref: ImageRef): string {
  return ref.digest === undefined || ref.digest === '' ? `${ref.name}:${ref.tag}` : `${ref.name}:${ref.tag}@${ref.digest}`;
}
