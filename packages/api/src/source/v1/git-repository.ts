// SPDX-License-Identifier: Apache-2.0
/**
 * GitRepository (source.toolkit.fluxcd.io/v1): a Git repository checked out at a reference and
 * published as a tarball artifact with revision `<ref>@sha1:<commit>`.
 */
import { array, boolean, duration, object, string } from '../../schema/builders.ts';
import type { Infer } from '../../schema/schema.ts';
import { defineKind } from '../../crd/define-kind.ts';
import { AGE_COLUMN, READY_COLUMN, STATUS_COLUMN, stringColumn } from '../../crd/columns.ts';
import { LocalObjectReference } from '../../meta/references.ts';
import { Artifact } from '../../meta/artifact.ts';
import { STATUS_DEFAULT } from '../../meta/status.ts';
import type { TypedObject } from '../../meta/object-meta.ts';
import { KustomizeAnnotation } from '../../annotations/index.ts';
import {
  DEFAULT_SOURCE_TIMEOUT,
  SOURCE_API_VERSION,
  SOURCE_CATEGORIES,
  SOURCE_GROUP,
  SOURCE_VERSION,
  sourceStatusShape,
} from './common.ts';
import { SOURCE_COMMON_REASONS, SOURCE_CONDITION_DOCS, SourceCondition, SourceReason } from './conditions.ts';

/** Branch checked out when `spec.ref` is empty. */
export const DEFAULT_GIT_BRANCH = 'master';

/** The Git reference to check out. Precedence: commit > name > semver > tag > branch. */
export const GitRepositoryRef = object(
  {
    branch: string({ description: "Branch to check out; 'master' when no other field is set." }).optional(),
    tag: string({ description: 'Tag to check out; wins over branch.' }).optional(),
    semver: string({ description: 'Semantic version range; the highest matching tag is checked out. Wins over tag.' }).optional(),
    name: string({
      description: 'Full reference name, e.g. refs/heads/main, refs/tags/v1.0.0 or refs/pull/42/head. Wins over branch, tag and semver.',
    }).optional(),
    commit: string({
      description: 'Commit SHA to check out; wins over everything. With branch, the branch is cloned shallowly and must contain the commit.',
    }).optional(),
  },
  { description: 'The Git reference to resolve and check out.' },
);
/** The Git reference to check out. */
export type GitRepositoryRef = Infer<typeof GitRepositoryRef>;

/** Commit signature verification. */
export const GitRepositoryVerification = object(
  {
    mode: string({
      enum: ['head', 'HEAD', 'Tag', 'TagAndHEAD'],
      description: "What to verify: HEAD (the checked-out commit), Tag (the tag object) or TagAndHEAD. 'head' is an old spelling of HEAD.",
    }).default('HEAD'),
    secretRef: LocalObjectReference.describe('Secret with trusted author keys: PGP keys under *.asc keys, SSH keys under *.sshpub keys.'),
  },
  { description: 'Verification of commit and tag signatures.' },
);
/** Commit signature verification. */
export type GitRepositoryVerification = Infer<typeof GitRepositoryVerification>;

/** Another GitRepository whose artifact is embedded. */
export const GitRepositoryInclude = object(
  {
    repository: LocalObjectReference.describe('The GitRepository to include.'),
    fromPath: string({ description: 'Path inside the included artifact to copy; the root when empty.' }).optional(),
    toPath: string({ description: 'Path to copy to; the name of the included GitRepository when empty.' }).optional(),
  },
  { description: 'Embeds (part of) the artifact of another GitRepository.' },
);
/** Another GitRepository whose artifact is embedded. */
export type GitRepositoryInclude = Infer<typeof GitRepositoryInclude>;

/** Spec of a GitRepository. */
export const GitRepositorySpec = object({
  url: string({ pattern: '^(http|https|ssh)://.*$', description: 'Repository URL: http, https or ssh.' }),
  secretRef: LocalObjectReference.describe(
    'Secret with credentials: username and password or bearerToken for HTTPS, identity and known_hosts for SSH, and optionally TLS material.',
  ).optional(),
  provider: string({
    enum: ['generic', 'aws', 'azure', 'github'],
    description: 'Authentication provider: generic (secretRef), aws, azure or github. generic when empty.',
  }).optional(),
  serviceAccountName: string({
    description: 'ServiceAccount whose workload identity authenticates to the provider; only for the azure and aws providers.',
  }).optional(),
  interval: duration({ description: 'How often the remote is checked for a new revision (jittered).' }),
  timeout: duration({ hours: false, description: 'Timeout of Git operations such as clone.' }).default(DEFAULT_SOURCE_TIMEOUT),
  ref: GitRepositoryRef.describe("The reference to check out; the 'master' branch when empty.").optional(),
  verify: GitRepositoryVerification.describe('Signature verification of the checked-out commit or tag.').optional(),
  proxySecretRef: LocalObjectReference.describe('Secret with the proxy (address, username, password) used to reach the Git server.').optional(),
  ignore: string({ description: 'Exclusion patterns in .sourceignore (gitignore) format, replacing the default set.' }).optional(),
  suspend: boolean('Stops reconciliation while true.').optional(),
  recurseSubmodules: boolean('Clones submodules too, with their default settings.').optional(),
  include: array(GitRepositoryInclude, { description: 'Other GitRepositories whose artifacts are embedded in this one.' }).optional(),
  sparseCheckout: array(string(), { description: 'Directories to check out; only these are in the artifact.' }).optional(),
}).rule(
  "!has(self.serviceAccountName) || (has(self.provider) && (self.provider == 'azure' || self.provider == 'aws'))",
  "serviceAccountName can only be set when provider is 'azure' or 'aws'",
);
/** Spec of a GitRepository. */
export type GitRepositorySpec = Infer<typeof GitRepositorySpec>;

/** Status of a GitRepository. */
export const GitRepositoryStatus = object({
  ...sourceStatusShape,
  includedArtifacts: array(Artifact, { description: 'Artifacts of the included repositories, as last embedded.' }).optional(),
  observedIgnore: string({ description: 'The exclusion patterns used for the current artifact.' }).optional(),
  observedRecurseSubmodules: boolean('Whether submodules were cloned for the current artifact.').optional(),
  observedInclude: array(GitRepositoryInclude, { description: 'The includes used for the current artifact.' }).optional(),
  observedSparseCheckout: array(string(), { description: 'The sparse checkout directories used for the current artifact.' }).optional(),
  sourceVerificationMode: string({ description: 'The verification mode last used: which Git objects were verified.' }).optional(),
});
/** Status of a GitRepository. */
export type GitRepositoryStatus = Infer<typeof GitRepositoryStatus>;

/** A GitRepository object. */
export type GitRepository = TypedObject<typeof SOURCE_API_VERSION, 'GitRepository', GitRepositorySpec, GitRepositoryStatus>;

/** The GitRepository kind. */
export const GitRepositoryKind = defineKind({
  group: SOURCE_GROUP,
  version: SOURCE_VERSION,
  apiVersion: SOURCE_API_VERSION,
  kind: 'GitRepository',
  plural: 'gitrepositories',
  shortNames: ['gitrepo'],
  categories: SOURCE_CATEGORIES,
  controller: 'source-controller',
  description: 'A Git repository checked out at a reference and published as an artifact.',
  spec: GitRepositorySpec,
  status: GitRepositoryStatus,
  statusDefault: STATUS_DEFAULT,
  printerColumns: [stringColumn('URL', '.spec.url'), AGE_COLUMN, READY_COLUMN, STATUS_COLUMN],
  crdAnnotations: { [KustomizeAnnotation.Substitute]: 'disabled' },
  conditions: [
    ...SOURCE_CONDITION_DOCS,
    { type: SourceCondition.IncludeUnavailable, description: 'Present when an included GitRepository has no artifact.' },
  ],
  reasons: [...SOURCE_COMMON_REASONS, SourceReason.GitOperationSucceeded, SourceReason.GitOperationFailed],
  docs: {
    example: {
      apiVersion: SOURCE_API_VERSION,
      kind: 'GitRepository',
      metadata: { name: 'podinfo', namespace: 'default' },
      spec: { interval: '5m0s', url: 'https://github.com/stefanprodan/podinfo', ref: { branch: 'master' } },
    } satisfies GitRepository,
    notes: [
      {
        title: 'Revisions',
        body: 'The artifact revision is `<branch>@sha1:<commit>` for a branch or tag, `<ref>@sha1:<commit>` for `ref.name`, and `sha1:<commit>` for a bare `ref.commit`.',
      },
      {
        title: 'Excluded files',
        body: 'Without `spec.ignore`, `.git/`, CI configuration, `.sops.yaml` and common image and archive files are left out of the artifact. A `.sourceignore` file in the repository adds patterns.',
      },
    ],
  },
});
