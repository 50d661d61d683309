// SPDX-License-Identifier: Apache-2.0
/**
 * ImageUpdateAutomation (image.toolkit.fluxcd.io/v1): rewrites image references marked with
 * `# {"$imagepolicy": "<ns>:<policy>"}` in a Git repository and pushes a commit.
 */
import { boolean, dateTime, duration, map, object, string } from '../../schema/builders.ts';
import type { Infer } from '../../schema/schema.ts';
import { defineKind } from '../../crd/define-kind.ts';
import { AGE_COLUMN, READY_COLUMN, STATUS_COLUMN, stringColumn } from '../../crd/columns.ts';
import { LabelSelector, LocalObjectReference } from '../../meta/references.ts';
import { STATUS_DEFAULT, observedShape, reconcileRequestStatusShape } from '../../meta/status.ts';
import type { TypedObject } from '../../meta/object-meta.ts';
import { GitRepositoryRef } from '../../source/v1/git-repository.ts';
import { IMAGE_API_VERSION, IMAGE_CONDITION_DOCS, IMAGE_GROUP, ImageAutomationReason, ImageRef } from './common.ts';

/** Commit message used when `messageTemplate` is empty. */
export const DEFAULT_COMMIT_MESSAGE = 'Update from image update automation';

/** The GitRepository to update. */
export const ImageUpdateSourceReference = object(
  {
    apiVersion: string({ description: 'API version of the source.' }).optional(),
    kind: string({ enum: ['GitRepository'], description: 'Kind of the source: GitRepository.' }).default('GitRepository'),
    name: string({ description: 'Name of the GitRepository.' }),
    namespace: string({ description: 'Namespace of the GitRepository; the namespace of the automation when empty.' }).optional(),
  },
  { description: 'The Git repository to update.' },
);

/** How commits are made. */
export const CommitSpec = object(
  {
    author: object(
      {
        name: string({ description: 'Author name.' }).optional(),
        email: string({ description: 'Author email.' }),
      },
      { description: 'Author of the commits.' },
    ),
    signingKey: object(
      {
        secretRef: LocalObjectReference.describe('Secret with the signing key (git.asc for GPG).'),
        type: string({ enum: ['gpg', 'ssh'], description: 'Key type: gpg or ssh.' }).optional(),
      },
      { description: 'Key that signs the commits.' },
    ).optional(),
    messageTemplate: string({ description: 'Go template of the commit message; .Changed holds the changes (.Updated was removed).' }).optional(),
    messageTemplateValues: map(string(), 'Extra values available to the template as .Values.').optional(),
  },
  { description: 'How commits are authored and described.' },
);

/** Where commits are pushed. */
export const PushSpec = object(
  {
    branch: string({ description: 'Branch to push to, created from the checkout branch if missing; the checkout branch when empty.' }).optional(),
    refspec: string({ description: 'Refspec pushed in addition to branch, e.g. HEAD:refs/for/main.' }).optional(),
    options: map(string(), 'Git push options sent to the server.').optional(),
  },
  { description: 'Where and how commits are pushed.' },
);

/** Git settings of an automation. */
export const GitSpec = object(
  {
    checkout: object(
      { ref: GitRepositoryRef.describe('Reference to check out.') },
      { description: 'What to clone; the GitRepository ref when empty.' },
    ).optional(),
    commit: CommitSpec.describe('How to commit.'),
    push: PushSpec.describe('Where to push; the checkout branch when empty.').optional(),
  },
  { description: 'Git checkout, commit and push settings.' },
);

/** Spec of an ImageUpdateAutomation. */
export const ImageUpdateAutomationSpec = object({
  sourceRef: ImageUpdateSourceReference.describe('The Git repository to update.'),
  git: GitSpec.describe('Git settings; required in practice.').optional(),
  interval: duration({ description: 'How often the automation runs at most.' }),
  policySelector: LabelSelector.describe('Selects the ImagePolicies applied; all in the namespace when empty.').optional(),
  update: object(
    {
      strategy: string({ enum: ['Setters'], description: 'Update strategy: Setters.' }).default('Setters'),
      path: string({ description: 'Directory whose manifests are updated; the repository root when empty.' }).optional(),
    },
    { description: 'How files are updated.' },
  ).default({ strategy: 'Setters' }),
  suspend: boolean('Stops the automation while true.').optional(),
});
/** Spec of an ImageUpdateAutomation. */
export type ImageUpdateAutomationSpec = Infer<typeof ImageUpdateAutomationSpec>;

/** Status of an ImageUpdateAutomation. */
export const ImageUpdateAutomationStatus = object({
  ...observedShape,
  ...reconcileRequestStatusShape,
  lastAutomationRunTime: dateTime('When the automation last ran to completion.').optional(),
  lastPushCommit: string({ description: 'SHA of the last commit pushed.' }).optional(),
  lastPushTime: dateTime('When a change was last pushed.').optional(),
  observedPolicies: map(ImageRef, 'The policies and images considered by the last run, by policy name.').optional(),
  observedSourceRevision: string({ description: 'The source revision of the last run.' }).optional(),
});
/** Status of an ImageUpdateAutomation. */
export type ImageUpdateAutomationStatus = Infer<typeof ImageUpdateAutomationStatus>;

/** An ImageUpdateAutomation object. */
export type ImageUpdateAutomation = TypedObject<
  typeof IMAGE_API_VERSION,
  'ImageUpdateAutomation',
  ImageUpdateAutomationSpec,
  ImageUpdateAutomationStatus
>;

/** The ImageUpdateAutomation kind. */
export const ImageUpdateAutomationKind = defineKind({
  group: IMAGE_GROUP,
  version: 'v1',
  apiVersion: IMAGE_API_VERSION,
  kind: 'ImageUpdateAutomation',
  plural: 'imageupdateautomations',
  shortNames: ['iua', 'imgupd', 'imgauto'],
  controller: 'image-automation-controller',
  description: 'Updates image references in a Git repository to the images selected by ImagePolicies.',
  spec: ImageUpdateAutomationSpec,
  status: ImageUpdateAutomationStatus,
  statusDefault: STATUS_DEFAULT,
  printerColumns: [READY_COLUMN, STATUS_COLUMN, stringColumn('Last run', '.status.lastAutomationRunTime', 1), AGE_COLUMN],
  conditions: IMAGE_CONDITION_DOCS,
  reasons: Object.values(ImageAutomationReason),
  docs: {
    example: {
      apiVersion: IMAGE_API_VERSION,
      kind: 'ImageUpdateAutomation',
      metadata: { name: 'flux-system', namespace: 'flux-system' },
      spec: {
        interval: '30m',
        sourceRef: { kind: 'GitRepository', name: 'flux-system' },
        git: {
          checkout: { ref: { branch: 'main' } },
          commit: { author: { email: 'fluxcdbot@users.noreply.github.com', name: 'fluxcdbot' }, messageTemplate: '{{range .Changed.Changes}}{{print .OldValue}} -> {{println .NewValue}}{{end}}' },
          push: { branch: 'main' },
        },
        update: { path: './clusters/my-cluster', strategy: 'Setters' },
      },
    } satisfies ImageUpdateAutomation,
  },
});
