// SPDX-License-Identifier: Apache-2.0
/**
 * `eddy create image repository|policy|update`: ImageRepository, ImagePolicy and
 * ImageUpdateAutomation from Flux's flags (`--image`, `--image-ref`, `--select-semver`,
 * `--git-repo-ref`, `--checkout-branch`, …).
 */
import { CliError } from '../context.ts';
import { compact, flagTrue, localRef, meta, str, type Builder, type CreateFlags } from './create-flags.ts';

const IMAGE_V1 = 'image.toolkit.fluxcd.io/v1';

function policyOf(f: CreateFlags): Record<string, unknown> {
  const semver = str(f, 'selectSemver');
  const numeric = str(f, 'selectNumeric');
  const alpha = str(f, 'selectAlpha');
  const chosen = [semver, numeric, alpha].filter((x) => x !== undefined);
  if (chosen.length !== 1) throw new CliError('exactly one policy strategy is required: --select-semver, --select-numeric or --select-alpha');
  if (numeric && numeric !== 'asc' && numeric !== 'desc') throw new CliError(`--select-numeric must be 'asc' or 'desc', got '${numeric}'`);
  if (alpha && alpha !== 'asc' && alpha !== 'desc') throw new CliError(`--select-alpha must be 'asc' or 'desc', got '${alpha}'`);
  if (semver) return { semver: { range: semver } };
  return numeric ? { numerical: { order: numeric } } : { alphabetical: { order: alpha } };
}

function filterTagsOf(f: CreateFlags): Record<string, unknown> | undefined {
  const pattern = str(f, 'filterRegex');
  const extract = str(f, 'filterExtract');
  if (extract && !pattern) throw new CliError('--filter-extract needs --filter-regex');
  if (pattern) {
    try {
      new RegExp(pattern.replace(/\(\?P</g, '(?<'));
    } catch (err) {
      throw new CliError(`--filter-regex is not a valid regular expression: ${(err as Error).message}`);
    }
  }
  return pattern ? compact({ pattern, extract }) : undefined;
}

/** The image builders, keyed by Kind. */
export const IMAGE_BUILDERS: Record<string, Builder> = {
  ImageRepository: (name, ns, f) => {
    const image = str(f, 'image');
    if (!image) throw new CliError('an image repository (--image) is required');
    if (image.includes('://')) throw new CliError(`--image must be a repository name without a scheme, e.g. ghcr.io/org/app, got '${image}'`);
    const last = image.slice(image.lastIndexOf('/') + 1);
    if (last.includes(':') || last.includes('@')) throw new CliError(`--image must not include a tag or digest, got '${image}'`);
    return {
      apiVersion: IMAGE_V1,
      kind: 'ImageRepository',
      metadata: meta(name, ns, f),
      spec: compact({
        image,
        interval: str(f, 'interval') ?? '1m0s',
        timeout: str(f, 'scanTimeout'),
        secretRef: localRef(f, 'secretRef'),
        certSecretRef: localRef(f, 'certRef'),
        provider: str(f, 'provider'),
        insecure: flagTrue(f, 'insecure'),
      }),
    };
  },
  ImagePolicy: (name, ns, f) => {
    const repo = str(f, 'imageRef');
    if (!repo) throw new CliError('the name of an ImageRepository in the namespace is required (--image-ref)');
    const [repoName, repoNs] = repo.includes('.') ? (repo.split('.', 2) as [string, string]) : [repo, undefined];
    const reflect = str(f, 'reflectDigest');
    if (reflect && !['Never', 'IfNotPresent', 'Always'].includes(reflect)) {
      throw new CliError(`--reflect-digest must be one of Never, IfNotPresent, Always, got '${reflect}'`);
    }
    return {
      apiVersion: IMAGE_V1,
      kind: 'ImagePolicy',
      metadata: meta(name, ns, f),
      spec: compact({
        imageRepositoryRef: compact({ name: repoName, namespace: repoNs }),
        policy: policyOf(f),
        filterTags: filterTagsOf(f),
        digestReflectionPolicy: reflect,
        interval: reflect === 'Always' ? (str(f, 'interval') ?? '1m0s') : undefined,
      }),
    };
  },
  ImageUpdateAutomation: (name, ns, f) => {
    const gitRepo = str(f, 'gitRepoRef');
    if (!gitRepo) throw new CliError('a reference to a GitRepository is required (--git-repo-ref)');
    const checkout = str(f, 'checkoutBranch');
    const authorName = str(f, 'authorName');
    const authorEmail = str(f, 'authorEmail');
    if (!authorName) throw new CliError('the author name is required (--author-name)');
    if (!authorEmail) throw new CliError('the author email is required (--author-email)');
    const push = str(f, 'pushBranch');
    const path = str(f, 'gitRepoPath');
    return {
      apiVersion: IMAGE_V1,
      kind: 'ImageUpdateAutomation',
      metadata: meta(name, ns, f),
      spec: compact({
        interval: str(f, 'interval') ?? '1m0s',
        sourceRef: compact({ kind: 'GitRepository', name: gitRepo, namespace: str(f, 'gitRepoNamespace') }),
        git: compact({
          checkout: checkout ? { ref: { branch: checkout } } : undefined,
          commit: compact({ author: { name: authorName, email: authorEmail }, messageTemplate: str(f, 'commitTemplate') }),
          push: push ? { branch: push } : undefined,
        }),
        update: path ? { path, strategy: 'Setters' } : undefined,
      }),
    };
  },
};
