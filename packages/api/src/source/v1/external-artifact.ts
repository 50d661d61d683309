// SPDX-License-Identifier: Apache-2.0
/**
 * ExternalArtifact (source.toolkit.fluxcd.io/v1): an artifact produced by something other than
 * source-controller (for example an ArtifactGenerator), usable as a Kustomization `sourceRef` or a
 * HelmRelease `chartRef`.
 */
import { object } from '../../schema/builders.ts';
import type { Infer } from '../../schema/schema.ts';
import { defineKind } from '../../crd/define-kind.ts';
import { AGE_COLUMN, READY_COLUMN, STATUS_COLUMN, stringColumn } from '../../crd/columns.ts';
import { NamespacedObjectKindReference } from '../../meta/references.ts';
import { Artifact } from '../../meta/artifact.ts';
import { Conditions } from '../../meta/condition.ts';
import type { TypedObject } from '../../meta/object-meta.ts';
import { KustomizeAnnotation } from '../../annotations/index.ts';
import { ConditionType } from '../../conditions/index.ts';
import { SOURCE_API_VERSION, SOURCE_CATEGORIES, SOURCE_GROUP, SOURCE_VERSION } from './common.ts';

/** Spec of an ExternalArtifact. */
export const ExternalArtifactSpec = object({
  sourceRef: NamespacedObjectKindReference.describe('The object the artifact is generated for.').optional(),
});
/** Spec of an ExternalArtifact. */
export type ExternalArtifactSpec = Infer<typeof ExternalArtifactSpec>;

/** Status of an ExternalArtifact. */
export const ExternalArtifactStatus = object({
  artifact: Artifact.describe('The artifact, written by its producer.').optional(),
  conditions: Conditions.optional(),
});
/** Status of an ExternalArtifact. */
export type ExternalArtifactStatus = Infer<typeof ExternalArtifactStatus>;

/** An ExternalArtifact object. */
export type ExternalArtifact = TypedObject<typeof SOURCE_API_VERSION, 'ExternalArtifact', ExternalArtifactSpec, ExternalArtifactStatus>;

/** The ExternalArtifact kind. */
export const ExternalArtifactKind = defineKind({
  group: SOURCE_GROUP,
  version: SOURCE_VERSION,
  apiVersion: SOURCE_API_VERSION,
  kind: 'ExternalArtifact',
  plural: 'externalartifacts',
  shortNames: ['ea'],
  categories: SOURCE_CATEGORIES,
  controller: 'source-controller',
  description: 'An artifact published by a third-party producer in the source-controller artifact format.',
  spec: ExternalArtifactSpec,
  status: ExternalArtifactStatus,
  printerColumns: [AGE_COLUMN, READY_COLUMN, STATUS_COLUMN, stringColumn('Source', '.spec.sourceRef.name')],
  crdAnnotations: { [KustomizeAnnotation.Substitute]: 'disabled' },
  conditions: [{ type: ConditionType.Ready, description: 'Set by the producer: True when the artifact is available.' }],
  docs: {
    example: {
      apiVersion: SOURCE_API_VERSION,
      kind: 'ExternalArtifact',
      metadata: { name: 'apps', namespace: 'flux-system' },
      spec: { sourceRef: { apiVersion: 'source.extensions.fluxcd.io/v1beta1', kind: 'ArtifactGenerator', name: 'flux-system' } },
    } satisfies ExternalArtifact,
    notes: [
      {
        title: 'Producers',
        body: 'Nothing in Eddy reconciles an ExternalArtifact itself: its producer (an ArtifactGenerator) creates it, writes `status.artifact` and keeps the Ready condition.',
      },
    ],
  },
});
