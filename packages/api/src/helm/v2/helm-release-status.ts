// SPDX-License-Identifier: Apache-2.0
/** The status of a HelmRelease, including the release history snapshots. */
import { array, dateTime, integer, map, object, string } from '../../schema/builders.ts';
import type { Infer } from '../../schema/schema.ts';
import { ResourceInventory, observedShape, reconcileRequestStatusShape } from '../../meta/status.ts';

/** Observed state of one Helm test hook. */
export const TestHookStatus = object(
  {
    lastStarted: dateTime('When the test last started.').optional(),
    lastCompleted: dateTime('When the test last completed.').optional(),
    phase: string({ description: 'Phase the test was last observed in.' }).optional(),
  },
  { description: 'A Helm test hook as last observed.' },
);

/** A point-in-time copy of one Helm release revision. */
export const Snapshot = object(
  {
    apiVersion: string({ description: 'Version of the snapshot format (how digest is computed).' }).optional(),
    digest: string({ description: 'Digest, <algo>:<hex>, of the release object in storage.' }),
    name: string({ description: 'Release name.' }),
    namespace: string({ description: 'Namespace the release is installed in.' }),
    version: integer({ description: 'Release revision number in storage.' }),
    status: string({ description: 'Release status, such as deployed, superseded or failed.' }),
    action: string({ description: 'The action that produced the revision.' }).optional(),
    chartName: string({ description: 'Chart name of the release.' }),
    chartVersion: string({ description: 'Chart version of the release.' }),
    appVersion: string({ description: 'App version of the chart of the release.' }).optional(),
    configDigest: string({ description: 'Digest, <algo>:<hex>, of the values of the release.' }),
    firstDeployed: dateTime('When the release was first deployed.'),
    lastDeployed: dateTime('When the release was last deployed.'),
    deleted: dateTime('When the release was deleted.').optional(),
    testHooks: map(TestHookStatus, 'Test hooks the controller observed running, by name.').optional(),
    ociDigest: string({ description: 'Digest of the OCI artifact of the chart.' }).optional(),
  },
  { description: 'A snapshot of a Helm release revision managed by the controller.' },
);
/** A point-in-time copy of one Helm release revision. */
export type Snapshot = Infer<typeof Snapshot>;

/** Status of a HelmRelease. */
export const HelmReleaseStatus = object({
  ...observedShape,
  ...reconcileRequestStatusShape,
  observedPostRenderersDigest: string({ description: 'Digest of the post-renderers of the last successful attempt.' }).optional(),
  observedCommonMetadataDigest: string({ description: 'Digest of the common metadata of the last successful attempt.' }).optional(),
  lastAttemptedGeneration: integer({ format: 'int64', description: 'The last generation the controller attempted.' }).optional(),
  helmChart: string({ description: 'namespace/name of the HelmChart created for spec.chart.' }).optional(),
  storageNamespace: string({ minLength: 1, maxLength: 63, description: 'Namespace of the Helm storage of the current release.' }).optional(),
  history: array(Snapshot, { description: 'Release revisions, newest first, up to the last successful one.' }).optional(),
  inventory: ResourceInventory.describe('The objects of the current release.').optional(),
  lastAttemptedReleaseAction: string({
    enum: ['install', 'upgrade'],
    description: 'The last release action attempted; selects the active remediation.',
  }).optional(),
  lastAttemptedReleaseActionDuration: string({ description: 'How long the last release action took, as a Go duration.' }).optional(),
  failures: integer({ format: 'int64', description: 'Failed reconciliations against the current desired state.' }).optional(),
  installFailures: integer({ format: 'int64', description: 'Failed installs against the current desired state.' }).optional(),
  upgradeFailures: integer({ format: 'int64', description: 'Failed upgrades against the current desired state.' }).optional(),
  lastAttemptedRevision: string({
    description: 'Chart revision of the last attempt; for OCI sources the version plus the first 12 characters of the digest.',
  }).optional(),
  lastAttemptedRevisionDigest: string({ description: 'Digest of the chart of the last attempt (OCI sources).' }).optional(),
  lastAttemptedValuesChecksum: string({ description: 'Deprecated: SHA1 of the values of the last attempt.' }).optional(),
  lastReleaseRevision: integer({ description: 'Deprecated: revision of the last successful release.' }).optional(),
  lastAttemptedConfigDigest: string({ description: 'Digest of the values of the last attempt.' }).optional(),
  lastHandledForceAt: string({ description: 'The reconcile.fluxcd.io/forceAt value last acted on.' }).optional(),
  lastHandledResetAt: string({ description: 'The reconcile.fluxcd.io/resetAt value last acted on.' }).optional(),
});
/** Status of a HelmRelease. */
export type HelmReleaseStatus = Infer<typeof HelmReleaseStatus>;
