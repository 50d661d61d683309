// SPDX-License-Identifier: Apache-2.0
/**
 * Registers `eddy create source git|helm|oci|bucket`, `create kustomization`, `create helmrelease`
 * and `create image repository|policy|update`, with Flux's flag names.
 */
import type { Command } from 'commander';
import { examples, type CommandKit } from '../command-kit.ts';
import { create, type CreateFlags } from './create.ts';

type Flags = (c: Command) => Command;

const common: Flags = (c) =>
  c
    .option('--export', 'export in YAML format to stdout')
    .option('--interval <duration>', 'source sync interval', '1m0s')
    .option('--label <key=value...>', 'set labels on the resource (can specify multiple labels with commas: label1=value1,label2=value2)');

const credentials: Flags = (c) =>
  c
    .option('-u, --username <user>', 'basic authentication username (a Secret named like the source is created)')
    .option('-p, --password <password>', 'basic authentication password')
    .option('--secret-ref <name>', 'the name of an existing secret containing credentials');

interface Sub {
  words: string[];
  describe: string;
  flags: Flags;
  examples: string[];
}

const SUBCOMMANDS: Sub[] = [
  {
    words: ['source', 'git'],
    describe: 'Create or update a GitRepository source',
    flags: (c) =>
      credentials(c)
        .requiredOption('--url <url>', 'git address, e.g. ssh://git@host/org/repository')
        .option('--branch <branch>', 'git branch')
        .option('--tag <tag>', 'git tag')
        .option('--tag-semver <range>', 'git tag semver range')
        .option('--commit <sha>', 'git commit')
        .option('--ref-name <ref>', 'git reference name, e.g. refs/heads/main')
        .option('--bearer-token <token>', 'bearer token for HTTPS authentication')
        .option('--ignore-paths <paths>', 'set paths to ignore in git resource (can specify multiple paths with commas: path1,path2)')
        .option('--recurse-submodules', 'when enabled, configures the GitRepository source to initialize and include Git submodules'),
    examples: [
      '# Create a source for a public repository and sync the main branch',
      'eddy create source git podinfo --url=https://github.com/stefanprodan/podinfo --branch=main',
      '# Export it as YAML instead',
      'eddy create source git podinfo --url=https://github.com/stefanprodan/podinfo --tag-semver=">=6.0.0" --export',
    ],
  },
  {
    words: ['source', 'helm'],
    describe: 'Create or update a HelmRepository source',
    flags: (c) => credentials(c).requiredOption('--url <url>', 'Helm repository address (http(s):// or oci://)').option('--pass-credentials', 'pass credentials to all domains'),
    examples: ['eddy create source helm podinfo --url=https://stefanprodan.github.io/podinfo'],
  },
  {
    words: ['source', 'oci'],
    describe: 'Create or update an OCIRepository',
    flags: (c) =>
      c
        .requiredOption('--url <url>', 'the OCI repository address, e.g. oci://ghcr.io/org/manifests')
        .option('--tag <tag>', 'the OCI artifact tag')
        .option('--tag-semver <range>', 'the OCI artifact tag semver range')
        .option('--digest <digest>', 'the OCI artifact digest')
        .option('--secret-ref <name>', 'the name of the Kubernetes image pull secret')
        .option('--insecure', 'allow connecting to an insecure (HTTP) container registry'),
    examples: ['eddy create source oci podinfo --url=oci://ghcr.io/stefanprodan/manifests/podinfo --tag=6.6.0'],
  },
  {
    words: ['source', 'bucket'],
    describe: 'Create or update a Bucket source',
    flags: (c) =>
      c
        .requiredOption('--bucket-name <name>', 'the bucket name')
        .requiredOption('--endpoint <host>', 'the bucket endpoint address')
        .option('--provider <provider>', 'the S3 compatible storage provider name: generic, aws, gcp, azure', 'generic')
        .option('--region <region>', 'the bucket region')
        .option('--secret-ref <name>', 'the name of an existing secret containing credentials')
        .option('--insecure', 'for when connecting to a non-TLS S3 HTTP endpoint'),
    examples: ['eddy create source bucket podinfo --bucket-name=podinfo --endpoint=minio.minio.svc.cluster.local:9000 --insecure'],
  },
  {
    words: ['kustomization'],
    describe: 'Create or update a Kustomization resource',
    flags: (c) =>
      c
        .option('--source <Kind/name.namespace>', 'source reference, e.g. GitRepository/podinfo.flux-system')
        .option('--path <path>', 'path to the directory containing a kustomization.yaml file', './')
        .option('--prune', 'enable garbage collection')
        .option('--wait', 'enable health checking of all the applied resources')
        .option('--health-check <Kind/name.namespace...>', 'workload to be included in the health assessment')
        .option('--health-check-timeout <duration>', 'timeout of health checking operations')
        .option('--retry-interval <duration>', 'the interval at which to retry a previously failed reconciliation')
        .option('--target-namespace <ns>', 'overrides the namespace of all Kustomization objects reconciled by this Kustomization')
        .option('--depends-on <namespace/name...>', 'Kustomization that must be ready before this Kustomization can be applied')
        .option('--service-account <name>', 'the name of the service account to impersonate when reconciling this Kustomization')
        .option('--decryption-provider <provider>', "decryption provider, available options are: 'sops'")
        .option('--decryption-secret <name>', 'set the Kubernetes secret name that contains the OpenPGP or age keys'),
    examples: [
      '# Create a Kustomization from a source at a given path',
      'eddy create kustomization kyverno --source=GitRepository/kyverno --path=./config/release --prune --interval=60m --wait',
    ],
  },
  {
    words: ['helmrelease'],
    describe: 'Create or update a HelmRelease resource',
    flags: (c) =>
      c
        .option('--source <Kind/name.namespace>', 'source that contains the chart, e.g. HelmRepository/podinfo')
        .option('--chart <name>', 'Helm chart name or path')
        .option('--chart-version <semver>', 'Helm chart version, accepts a semver range (ignored for charts from GitRepository sources)')
        .option('--chart-ref <Kind/name.namespace>', 'Helm chart reference, e.g. OCIRepository/podinfo')
        .option('--release-name <name>', 'name used for the Helm release, defaults to a composition of \'[<target-namespace>-]<HelmRelease-name>\'')
        .option('--target-namespace <ns>', 'namespace to install this release, defaults to the HelmRelease namespace')
        .option('--storage-namespace <ns>', 'namespace to store the Helm release, defaults to the target namespace')
        .option('--create-target-namespace', 'create the target namespace if it does not exist')
        .option('--depends-on <namespace/name...>', 'HelmReleases that must be ready before this release can be installed')
        .option('--service-account <name>', 'the name of the service account to impersonate when reconciling this HelmRelease'),
    examples: ['eddy create hr podinfo --source=HelmRepository/podinfo --chart=podinfo --chart-version=">4.0.0"'],
  },
  {
    words: ['image', 'repository'],
    describe: 'Create or update an ImageRepository object',
    flags: (c) =>
      c
        .option('--image <repository>', 'the image repository to scan; e.g., library/alpine')
        .option('--secret-ref <name>', 'the name of a docker-registry secret to use for credentials')
        .option('--cert-ref <name>', 'the name of a secret to use for TLS certificates')
        .option('--scan-timeout <duration>', 'a timeout for scanning; this defaults to the interval if not set')
        .option('--provider <provider>', 'the auth provider: generic, aws, azure, gcp')
        .option('--insecure', 'allow plain HTTP registries'),
    examples: ['eddy create image repository podinfo --image=ghcr.io/stefanprodan/podinfo --interval=5m'],
  },
  {
    words: ['image', 'policy'],
    describe: 'Create or update an ImagePolicy object',
    flags: (c) =>
      c
        .option('--image-ref <name[.namespace]>', 'the name of an image repository object')
        .option('--select-semver <range>', "a semver range to apply to tags; e.g., '1.x'")
        .option('--select-numeric <order>', "use numeric sorting to select image; either 'asc' meaning select the last, or 'desc' meaning select the first")
        .option('--select-alpha <order>', "use alphabetical sorting to select image; either 'asc' meaning select the last, or 'desc' meaning select the first")
        .option('--filter-regex <regex>', 'a regular expression pattern used to filter the image tags')
        .option('--filter-extract <template>', "replacement pattern (using capture groups from --filter-regex) to use for sorting, e.g. '$timestamp'")
        .option('--reflect-digest <policy>', 'the digest reflection policy: Never, IfNotPresent or Always'),
    examples: [
      "eddy create image policy podinfo --image-ref=podinfo --select-semver='>=1.0.0'",
      "eddy create image policy main --image-ref=app --select-numeric=asc --filter-regex='^main-[a-f0-9]+-(?P<ts>[0-9]+)' --filter-extract='$ts'",
    ],
  },
  {
    words: ['image', 'update'],
    describe: 'Create or update an ImageUpdateAutomation object',
    flags: (c) =>
      c
        .option('--git-repo-ref <name>', 'the name of a GitRepository resource with details of the upstream Git repository')
        .option('--git-repo-namespace <ns>', 'the namespace of the GitRepository resource, defaults to the ImageUpdateAutomation namespace')
        .option('--git-repo-path <path>', 'path to the directory containing the manifests to be updated, defaults to the repository root')
        .option('--checkout-branch <branch>', 'the branch to checkout')
        .option('--push-branch <branch>', 'the branch to push commits to, defaults to the checkout branch if not specified')
        .option('--commit-template <template>', 'a template for commit messages')
        .option('--author-name <name>', 'the name to use for commit author')
        .option('--author-email <email>', 'the email to use for commit author'),
    examples: ['eddy create image update flux-system --git-repo-ref=flux-system --git-repo-path=./clusters/my-cluster --checkout-branch=main --author-name=flux --author-email=flux@example.com'],
  },
];

/** Registers `create` and its subcommands. */
export function registerCreate(program: Command, kit: CommandKit): void {
  const createCmd = program.command('create').description('Create or update sources and resources (--export prints YAML instead)');
  for (const sub of SUBCOMMANDS) {
    const parentWord = sub.words.length > 1 ? sub.words[0]! : undefined;
    const parent = parentWord
      ? (createCmd.commands.find((c) => c.name() === parentWord) ??
        createCmd.command(parentWord).description(parentWord === 'source' ? 'Create or update sources' : 'Create or update image automation objects'))
      : createCmd;
    const leaf = sub.words[sub.words.length - 1]!;
    const cmd = parent.command(leaf).description(sub.describe).argument('<name>', 'the object name');
    if (leaf === 'kustomization') cmd.alias('ks');
    if (leaf === 'helmrelease') cmd.alias('hr');
    sub.flags(common(cmd)).action(async (name: string, o: CreateFlags, c: Command) => create(kit.ctxOf(c), sub.words, name, o));
    examples(cmd, sub.examples);
  }
}
