// SPDX-License-Identifier: Apache-2.0
/**
 * ArtifactGenerator (source.extensions.fluxcd.io/v1beta1, Flux's source-watcher): composes new
 * artifacts from the artifacts of other sources (copy operations with globs) and publishes each
 * as an ExternalArtifact.
 */
import { array, object, string } from '../../schema/builders.ts';
import type { Infer } from '../../schema/schema.ts';
import { defineKind } from '../../crd/define-kind.ts';
import { AGE_COLUMN, READY_COLUMN, STATUS_COLUMN } from '../../crd/columns.ts';
import { observedShape, reconcileRequestStatusShape } from '../../meta/status.ts';
import type { TypedObject } from '../../meta/object-meta.ts';
import { ConditionType, Reason } from '../../conditions/index.ts';

/** API group of ArtifactGenerator. */
export const SOURCE_EXTENSIONS_GROUP = 'source.extensions.fluxcd.io';

/** `source.extensions.fluxcd.io/v1beta1`. */
export const SOURCE_EXTENSIONS_API_VERSION = 'source.extensions.fluxcd.io/v1beta1';

/** Finalizer of ArtifactGenerators (not the generic Flux one). */
export const ARTIFACT_GENERATOR_FINALIZER = 'source.extensions.fluxcd.io/finalizer';

/** Label on generated ExternalArtifacts naming their generator. */
export const ARTIFACT_GENERATOR_LABEL = 'source.extensions.fluxcd.io/generator';

/** Annotation that, set to `disabled`, pauses an ArtifactGenerator. */
export const ARTIFACT_GENERATOR_RECONCILE_ANNOTATION = 'source.extensions.fluxcd.io/reconcile';

/** ArtifactGenerator-specific reasons. */
export const ArtifactGeneratorReason = {
  ReconciliationDisabled: 'ReconciliationDisabled',
  AccessDenied: 'AccessDenied',
  ValidationFailed: 'ValidationFailed',
  SourceFetchFailed: 'SourceFetchFailed',
} as const;

const ALIAS = '[a-z0-9]([a-z0-9_-]*[a-z0-9])?';
const DNS_LABEL = '^[a-z0-9]([a-z0-9-]*[a-z0-9])?$';

/** A source the generator reads from, under an alias. */
export const GeneratorSourceReference = object(
  {
    alias: string({ pattern: `^${ALIAS}$`, maxLength: 63, description: 'Unique alias of the source in this generator: lowercase alphanumerics, _ and -.' }),
    name: string({ pattern: DNS_LABEL, maxLength: 253, description: 'Name of the source.' }),
    namespace: string({
      pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
      minLength: 1,
      maxLength: 63,
      description: 'Namespace of the source; the namespace of the generator when empty.',
    }).optional(),
    kind: string({ enum: ['Bucket', 'GitRepository', 'OCIRepository'], description: 'Kind of the source.' }),
  },
  { description: 'A source whose artifact the generator reads.' },
);
/** A source the generator reads from. */
export type GeneratorSourceReference = Infer<typeof GeneratorSourceReference>;

/** One copy operation from a source into the generated artifact. */
export const CopyOperation = object(
  {
    from: string({ pattern: `^@(${ALIAS})/(.*)$`, maxLength: 1024, description: 'Files to copy: @<alias>/<glob>.' }),
    to: string({ pattern: '^@(artifact)/(.*)$', maxLength: 1024, description: 'Destination in the artifact: @artifact/<path>.' }),
    exclude: array(string(), { maxItems: 100, description: 'Globs excluded from what from matches.' }).optional(),
    strategy: string({
      enum: ['Overwrite', 'Merge'],
      description: 'Overwrite (default) replaces existing files; Merge merges YAML files like Helm values.',
    }).optional(),
  },
  { description: 'Copies files from a source into the generated artifact; later operations win.' },
);
/** One copy operation. */
export type CopyOperation = Infer<typeof CopyOperation>;

/** One artifact to generate. */
export const OutputArtifact = object(
  {
    name: string({ pattern: DNS_LABEL, maxLength: 253, description: 'Name of the ExternalArtifact to generate.' }),
    revision: string({
      pattern: `^@(${ALIAS})$`,
      maxLength: 64,
      description: 'Take the revision from a source: @<alias>. The digest of the content when empty.',
    }).optional(),
    originRevision: string({
      pattern: `^@(${ALIAS})$`,
      maxLength: 64,
      description: 'Source (@<alias>) whose origin revision is recorded as org.opencontainers.image.revision on the artifact.',
    }).optional(),
    copy: array(CopyOperation, { minItems: 1, description: 'Copy operations, applied in order.' }),
  },
  { description: 'An artifact to generate, published as an ExternalArtifact.' },
);
/** One artifact to generate. */
export type OutputArtifact = Infer<typeof OutputArtifact>;

/** Spec of an ArtifactGenerator. */
export const ArtifactGeneratorSpec = object({
  sources: array(GeneratorSourceReference, { minItems: 1, maxItems: 1000, description: 'Sources the artifacts are composed from.' }),
  artifacts: array(OutputArtifact, { minItems: 1, maxItems: 1000, description: 'Artifacts to generate.' }),
});
/** Spec of an ArtifactGenerator. */
export type ArtifactGeneratorSpec = Infer<typeof ArtifactGeneratorSpec>;

/** A generated ExternalArtifact, as recorded in the inventory. */
export const ExternalArtifactReference = object(
  {
    name: string({ description: 'Name of the ExternalArtifact.' }),
    namespace: string({ description: 'Namespace of the ExternalArtifact.' }),
    digest: string({ description: 'Digest of the artifact.' }),
    filename: string({ description: 'File name of the artifact.' }),
  },
  { description: 'An ExternalArtifact the generator produced.' },
);

/** Status of an ArtifactGenerator. */
export const ArtifactGeneratorStatus = object({
  ...reconcileRequestStatusShape,
  conditions: observedShape.conditions,
  inventory: array(ExternalArtifactReference, { description: 'The generated ExternalArtifacts.' }).optional(),
  observedSourcesDigest: string({ description: 'Digest over the state of all sources, to detect changes.' }).optional(),
});
/** Status of an ArtifactGenerator. */
export type ArtifactGeneratorStatus = Infer<typeof ArtifactGeneratorStatus>;

/** An ArtifactGenerator object. */
export type ArtifactGenerator = TypedObject<
  typeof SOURCE_EXTENSIONS_API_VERSION,
  'ArtifactGenerator',
  ArtifactGeneratorSpec,
  ArtifactGeneratorStatus
>;

/** The ArtifactGenerator kind. */
export const ArtifactGeneratorKind = defineKind({
  group: SOURCE_EXTENSIONS_GROUP,
  version: 'v1beta1',
  apiVersion: SOURCE_EXTENSIONS_API_VERSION,
  kind: 'ArtifactGenerator',
  plural: 'artifactgenerators',
  controller: 'source-watcher',
  description: 'Composes artifacts from the artifacts of other sources and publishes them as ExternalArtifacts.',
  spec: ArtifactGeneratorSpec,
  status: ArtifactGeneratorStatus,
  printerColumns: [AGE_COLUMN, READY_COLUMN, STATUS_COLUMN],
  conditions: [
    { type: ConditionType.Ready, description: 'True when every artifact was generated from the current sources.' },
    { type: ConditionType.Reconciling, description: 'Present while a reconciliation is in progress.' },
    { type: ConditionType.Stalled, description: 'Present when the generator cannot proceed without a change.' },
  ],
  reasons: [Reason.Succeeded, Reason.Progressing, ...Object.values(ArtifactGeneratorReason)],
  docs: {
    example: {
      apiVersion: SOURCE_EXTENSIONS_API_VERSION,
      kind: 'ArtifactGenerator',
      metadata: { name: 'flux-system', namespace: 'flux-system' },
      spec: {
        sources: [{ alias: 'monorepo', kind: 'GitRepository', name: 'flux-system' }],
        artifacts: [{ name: 'apps', originRevision: '@monorepo', copy: [{ from: '@monorepo/apps/**', to: '@artifact/' }] }],
      },
    } satisfies ArtifactGenerator,
  },
});
