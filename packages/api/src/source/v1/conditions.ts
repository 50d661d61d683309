// SPDX-License-Identifier: Apache-2.0
/**
 * Condition types and reasons of the source kinds (source-controller's `condition_types.go` and
 * the per-kind reasons). Negative-polarity conditions are present only while True.
 */
import type { ConditionDoc } from '../../crd/define-kind.ts';
import { ConditionType, Reason } from '../../conditions/index.ts';

/** Source-specific condition types. */
export const SourceCondition = {
  /** The artifact file exists in storage. Present once an artifact was stored. */
  ArtifactInStorage: 'ArtifactInStorage',
  /** The stored artifact is older than the upstream revision. Negative polarity. */
  ArtifactOutdated: 'ArtifactOutdated',
  /** Result of signature verification. Present only when verification is configured. */
  SourceVerified: 'SourceVerified',
  /** Fetching from upstream failed. Negative polarity. */
  FetchFailed: 'FetchFailed',
  /** Building the artifact failed. Negative polarity. */
  BuildFailed: 'BuildFailed',
  /** A storage (filesystem) operation failed. Negative polarity. */
  StorageOperationFailed: 'StorageOperationFailed',
  /** GitRepository: an included repository has no artifact. Negative polarity. */
  IncludeUnavailable: 'IncludeUnavailable',
} as const;

/** Negative-polarity source conditions. */
export const SOURCE_NEGATIVE_POLARITY: readonly string[] = [
  ConditionType.Reconciling,
  ConditionType.Stalled,
  SourceCondition.ArtifactOutdated,
  SourceCondition.FetchFailed,
  SourceCondition.BuildFailed,
  SourceCondition.StorageOperationFailed,
  SourceCondition.IncludeUnavailable,
];

/** Source-specific reasons. */
export const SourceReason = {
  URLInvalid: 'URLInvalid',
  AuthenticationFailed: 'AuthenticationFailed',
  VerificationError: 'VerificationError',
  DirectoryCreationFailed: 'DirectoryCreationFailed',
  StatOperationFailed: 'StatOperationFailed',
  ReadOperationFailed: 'ReadOperationFailed',
  AcquireLockFailed: 'AcquireLockFailed',
  InvalidPath: 'InvalidPath',
  ArchiveOperationFailed: 'ArchiveOperationFailed',
  SymlinkUpdateFailed: 'SymlinkUpdateFailed',
  ArtifactUpToDate: 'ArtifactUpToDate',
  CacheOperationFailed: 'CacheOperationFailed',
  /** ArtifactOutdated reason: upstream moved to a new revision. */
  NewRevision: 'NewRevision',
  GitOperationSucceeded: 'GitOperationSucceeded',
  GitOperationFailed: 'GitOperationFailed',
  OCIArtifactPullFailed: 'OCIArtifactPullFailed',
  OCIArtifactLayerOperationFailed: 'OCIArtifactLayerOperationFailed',
  IndexationFailed: 'IndexationFailed',
  ChartPullSucceeded: 'ChartPullSucceeded',
  ChartPackageSucceeded: 'ChartPackageSucceeded',
  BucketOperationSucceeded: 'BucketOperationSucceeded',
  BucketOperationFailed: 'BucketOperationFailed',
} as const;

/** Condition docs shared by the artifact-producing source kinds. */
export const SOURCE_CONDITION_DOCS: readonly ConditionDoc[] = [
  { type: ConditionType.Ready, description: 'True when the latest artifact is stored; Unknown while moving to a new revision.' },
  { type: ConditionType.Reconciling, description: 'Present while a reconciliation is in progress.' },
  { type: ConditionType.Stalled, description: 'Present when the object cannot be reconciled without a change.' },
  { type: SourceCondition.ArtifactInStorage, description: 'True while the artifact file exists in storage.' },
  { type: SourceCondition.ArtifactOutdated, description: 'Present when upstream has a newer revision than the stored artifact (reason NewRevision).' },
  { type: SourceCondition.FetchFailed, description: 'Present when fetching from upstream failed.' },
  { type: SourceCondition.BuildFailed, description: 'Present when building the artifact failed.' },
  { type: SourceCondition.StorageOperationFailed, description: 'Present when a storage operation failed.' },
  { type: SourceCondition.SourceVerified, description: 'Result of signature verification, only when verification is configured.' },
];

/** Generic reasons the source kinds use too. */
export const SOURCE_COMMON_REASONS: readonly string[] = [
  Reason.Succeeded,
  Reason.Failed,
  Reason.Progressing,
  Reason.ProgressingWithRetry,
  Reason.Suspended,
  SourceReason.NewRevision,
  SourceReason.ArtifactUpToDate,
  SourceReason.URLInvalid,
  SourceReason.AuthenticationFailed,
  SourceReason.VerificationError,
  SourceReason.DirectoryCreationFailed,
  SourceReason.StatOperationFailed,
  SourceReason.ReadOperationFailed,
  SourceReason.AcquireLockFailed,
  SourceReason.InvalidPath,
  SourceReason.ArchiveOperationFailed,
  SourceReason.SymlinkUpdateFailed,
  SourceReason.CacheOperationFailed,
];
