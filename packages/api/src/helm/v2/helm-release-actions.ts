// SPDX-License-Identifier: Apache-2.0
/**
 * Per-action configuration of a HelmRelease: install, upgrade, test, rollback, uninstall, drift
 * detection and post-renderers.
 */
import { array, boolean, duration, integer, object, string } from '../../schema/builders.ts';
import type { Infer } from '../../schema/schema.ts';
import { IgnoreRule, Image, Patch } from '../../meta/kustomize.ts';

/** CRD policies of install and upgrade. */
export const CRDS_POLICIES = ['Skip', 'Create', 'CreateReplace'] as const;

/** Failure strategies of install and upgrade. */
export const ACTION_STRATEGIES = ['RemediateOnFailure', 'RetryOnFailure'] as const;

/** Server-side apply modes of upgrade and rollback. */
export const SERVER_SIDE_APPLY_MODES = ['enabled', 'disabled', 'auto'] as const;

const timeout = (action: string) =>
  duration({ description: `Timeout of each Kubernetes operation (such as hook Jobs) during ${action}; spec.timeout when empty.` }).optional();

/** What to do when an install or upgrade fails. */
export const ActionStrategy = object(
  {
    name: string({
      enum: ACTION_STRATEGIES,
      description: 'RemediateOnFailure (default) remediates per the remediation settings; RetryOnFailure leaves the release failed and retries at retryInterval.',
    }),
    retryInterval: duration({ description: 'Interval between retries with RetryOnFailure; 5m when empty.' }).optional(),
  },
  { description: 'The failure strategy of the action.' },
).rule("!has(self.retryInterval) || self.name == 'RetryOnFailure'", '.retryInterval can only be set when .name is \'RetryOnFailure\'', {
  fieldPath: '.retryInterval',
});

const commonFlags = {
  disableWait: boolean('Does not wait for resources to be ready after the action.').optional(),
  disableWaitForJobs: boolean('Does not wait for Jobs to complete after the action.').optional(),
  disableHooks: boolean('Skips chart hooks during the action.').optional(),
};

const renderFlags = {
  disableTakeOwnership: boolean('Does not take ownership of existing resources that are not part of a release.').optional(),
  disableOpenAPIValidation: boolean('Does not validate rendered manifests against the Kubernetes OpenAPI schema.').optional(),
  disableSchemaValidation: boolean('Does not validate values against the chart JSON schema.').optional(),
};

/** Remediation of failed installs. */
export const InstallRemediation = object(
  {
    retries: integer({ description: 'Attempts after a failure, uninstalling in between; 0 by default, negative for unlimited.' }).optional(),
    ignoreTestFailures: boolean('Does not remediate when tests after install fail; test.ignoreFailures when empty.').optional(),
    remediateLastFailure: boolean('Remediates the last failure too when no retries remain; false by default.').optional(),
  },
  { description: 'What to do after a failed install.' },
);

/** Remediation of failed upgrades. */
export const UpgradeRemediation = object(
  {
    retries: integer({ description: 'Attempts after a failure, remediating in between; 0 by default, negative for unlimited.' }).optional(),
    ignoreTestFailures: boolean('Does not remediate when tests after upgrade fail; test.ignoreFailures when empty.').optional(),
    remediateLastFailure: boolean('Remediates the last failure too when no retries remain; true when retries > 0.').optional(),
    strategy: string({ enum: ['rollback', 'uninstall'], description: 'Remediation: rollback (default) or uninstall.' }).optional(),
  },
  { description: 'What to do after a failed upgrade.' },
);

/** Install action settings. */
export const Install = object(
  {
    timeout: timeout('install'),
    remediation: InstallRemediation.describe('Remediation of failed installs; none by default.').optional(),
    strategy: ActionStrategy.describe('Failure strategy; RemediateOnFailure when empty.').optional(),
    ...commonFlags,
    ...renderFlags,
    replace: boolean('Reuses the release name if it belongs to a deleted release still in the history.').optional(),
    skipCRDs: boolean('Deprecated: use crds: Skip.').optional(),
    crds: string({
      enum: CRDS_POLICIES,
      description: 'CRDs in the chart crds/ directory: Skip, Create (default: create missing ones) or CreateReplace (also update).',
    }).optional(),
    createNamespace: boolean('Creates the target namespace if missing; it is not deleted on uninstall.').optional(),
    serverSideApply: boolean('Installs with server-side apply.').optional(),
  },
  { description: 'Settings of Helm install actions.' },
);
/** Install action settings. */
export type Install = Infer<typeof Install>;

/** Upgrade action settings. */
export const Upgrade = object(
  {
    timeout: timeout('upgrade'),
    remediation: UpgradeRemediation.describe('Remediation of failed upgrades; none by default.').optional(),
    strategy: ActionStrategy.describe('Failure strategy; RemediateOnFailure when empty.').optional(),
    ...commonFlags,
    ...renderFlags,
    force: boolean('Replaces resources that cannot be updated in place.').optional(),
    preserveValues: boolean("Reuses the last release's values and merges spec values over them (not declarative).").optional(),
    cleanupOnFail: boolean('Deletes resources created by a failed upgrade.').optional(),
    crds: string({
      enum: CRDS_POLICIES,
      description: 'CRDs in the chart crds/ directory: Skip (default), Create or CreateReplace.',
    }).optional(),
    serverSideApply: string({
      enum: SERVER_SIDE_APPLY_MODES,
      description: 'enabled, disabled, or auto (reuse the apply method of the last release; default).',
    }).optional(),
    chartNameChangeStrategy: string({
      enum: ['InPlaceUpdate', 'Reinstall'],
      description: 'What to do when the chart name changes: upgrade in place or uninstall and install.',
    }).optional(),
  },
  { description: 'Settings of Helm upgrade actions.' },
);
/** Upgrade action settings. */
export type Upgrade = Infer<typeof Upgrade>;

/** Test action settings. */
export const Test = object(
  {
    enable: boolean('Runs Helm tests after each install and upgrade.').optional(),
    timeout: timeout('tests'),
    ignoreFailures: boolean('Does not remediate when tests fail.').optional(),
    filters: array(
      object(
        {
          name: string({ minLength: 1, maxLength: 253, description: 'Name of the test.' }),
          exclude: boolean('Excludes the test instead of selecting it.').optional(),
        },
        { description: 'Selects or excludes a test.' },
      ),
      { description: 'Tests to run or skip.' },
    ).optional(),
  },
  { description: 'Settings of Helm test actions.' },
);
/** Test action settings. */
export type Test = Infer<typeof Test>;

/** Rollback action settings. */
export const Rollback = object(
  {
    timeout: timeout('rollback'),
    ...commonFlags,
    recreate: boolean('Restarts pods of the rolled back resources (deprecated in Helm).').optional(),
    force: boolean('Replaces resources that cannot be updated in place.').optional(),
    cleanupOnFail: boolean('Deletes resources created by a failed rollback.').optional(),
    serverSideApply: string({
      enum: SERVER_SIDE_APPLY_MODES,
      description: 'enabled, disabled, or auto (reuse the apply method of the target release; default).',
    }).optional(),
  },
  { description: 'Settings of Helm rollback actions.' },
);
/** Rollback action settings. */
export type Rollback = Infer<typeof Rollback>;

/** Uninstall action settings. */
export const Uninstall = object(
  {
    timeout: timeout('uninstall'),
    disableHooks: boolean('Skips chart hooks during uninstall.').optional(),
    keepHistory: boolean('Keeps the release history, marking the release deleted.').optional(),
    disableWait: boolean('Does not wait for resources to be deleted.').optional(),
    deletionPropagation: string({
      enum: ['background', 'foreground', 'orphan'],
      description: 'Deletion propagation policy of uninstall.',
    }).default('background'),
  },
  { description: 'Settings of Helm uninstall actions.' },
);
/** Uninstall action settings. */
export type Uninstall = Infer<typeof Uninstall>;

/** Drift detection between the release manifest and the cluster. */
export const DriftDetection = object(
  {
    mode: string({
      enum: ['enabled', 'warn', 'disabled'],
      description: 'enabled corrects drift with an upgrade, warn only reports it, disabled (default) skips detection.',
    }).optional(),
    ignore: array(IgnoreRule, { description: 'Fields ignored by drift detection.' }).optional(),
  },
  { description: 'How differences between the release manifest and the cluster are handled.' },
);
/** Drift detection settings. */
export type DriftDetection = Infer<typeof DriftDetection>;

/** A kustomize post-renderer. */
export const PostRenderer = object(
  {
    kustomize: object(
      {
        patches: array(Patch, { description: 'Strategic merge or JSON 6902 patches.' }).optional(),
        images: array(Image, { description: 'Image overrides.' }).optional(),
      },
      { description: 'Kustomize patches and image overrides applied to the rendered manifests.' },
    ).optional(),
  },
  { description: 'A post-renderer applied to the rendered manifests.' },
);
/** A post-renderer. */
export type PostRenderer = Infer<typeof PostRenderer>;
