// SPDX-License-Identifier: Apache-2.0
/**
 * Beyond Flux: push each image update to its own branch, so a Git host can open one pull request
 * per bump (Flux users ask for this in image-automation-controller#524 and #120).
 *
 * Opt-in, as a compatible superset of `image.toolkit.fluxcd.io/v1`:
 * - the annotation {@link BRANCH_PER_UPDATE_ANNOTATION} on the ImageUpdateAutomation (survives a
 *   Flux CRD, which prunes unknown spec fields), whose value is the branch prefix (empty = default);
 * - or the optional field `spec.git.push.branchPerUpdate: {prefix?: string}` in Eddy's CRD.
 *
 * When enabled, the controller runs the setters once per ImagePolicy on a fresh checkout of the
 * checkout branch and force-pushes each policy's commit to
 * `<prefix><policy-namespace>/<policy-name>/<tag>`; `spec.git.push.branch` is not used. A new tag
 * gives a new branch (a new PR); a digest change under the same tag updates the same branch.
 * This module is the pure part: enabling, naming and splitting the changes.
 */
import { policyOfSetter } from '../setters/markers.ts';
import type { ImageRef, PolicyLike } from '../setters/markers.ts';
import type { UpdateResult } from '../setters/result.ts';

/** Annotation enabling branch-per-update; its value is the branch prefix. */
export const BRANCH_PER_UPDATE_ANNOTATION = 'image.eddy.dev/branch-per-update';

/** Default branch prefix. */
export const DEFAULT_BRANCH_PREFIX = 'image-updates/';

/** The Eddy extension field in `spec.git.push`. */
export interface BranchPerUpdateSpec {
  /** Prefix of every update branch. @default "image-updates/" */
  prefix?: string;
}

/** The branch name (or prefix) would not be a valid Git ref. */
export class InvalidBranchNameError extends Error {
  override readonly name = 'InvalidBranchNameError';
}

/**
 * Returns the prefix when branch-per-update is enabled by the field or the annotation (the field
 * wins), otherwise `undefined`.
 * @throws InvalidBranchNameError for a prefix that cannot start a Git branch name.
 */
export function branchPerUpdatePrefix(
  push: { branchPerUpdate?: BranchPerUpdateSpec | undefined } | undefined,
  annotations: Record<string, string> | undefined,
): string | undefined {
  const fromSpec = push?.branchPerUpdate;
  const fromAnnotation = annotations?.[BRANCH_PER_UPDATE_ANNOTATION];
  if (!fromSpec && fromAnnotation === undefined) return undefined;
  const prefix = (fromSpec ? fromSpec.prefix : fromAnnotation) || DEFAULT_BRANCH_PREFIX;
  if (!isValidBranchName(`${prefix}x`)) throw new InvalidBranchNameError(`invalid branch prefix '${prefix}'`);
  return prefix;
}

/** `git check-ref-format --branch` rules. */
export function isValidBranchName(name: string): boolean {
  if (name === '' || name.length > 255 || name.startsWith('-') || name.endsWith('/') || name.endsWith('.')) return false;
  if (/\.\.|@\{|\/\/|[ ~^:?*[\\]/.test(name) || hasControl(name) || name === '@') return false;
  return name.split('/').every((c) => c !== '' && !c.startsWith('.') && !c.endsWith('.lock'));
}

const isControl = (c: string): boolean => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f;
const hasControl = (s: string): boolean => [...s].some(isControl);

/** Makes one path component ref-safe: disallowed characters become `-`. */
function component(s: string): string {
  const out = [...s]
    .map((c) => (isControl(c) ? ' ' : c))
    .join('')
    .replace(/[ ~^:?*[\\@{}/]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[.-]+|[.]+$/g, '')
    .replace(/\.lock$/, '-lock');
  return out === '' ? '_' : out;
}

/** The branch of one policy's update: `<prefix><namespace>/<name>/<tag>`. */
export function updateBranchName(prefix: string, policy: { namespace: string; name: string }, ref: ImageRef): string {
  const name = `${prefix}${component(policy.namespace)}/${component(policy.name)}/${component(ref.tag)}`;
  if (!isValidBranchName(name)) throw new InvalidBranchNameError(`invalid update branch name '${name}'`);
  return name;
}

/** One branch to push: the policy, its latest image, and only its changes. */
export interface BranchUpdate {
  branch: string;
  policy: PolicyLike;
  latestRef: ImageRef;
  result: UpdateResult;
}

const keyOf = (p: { namespace: string; name: string }): string => `${p.namespace}/${p.name}`;

/**
 * Splits an update result by the policy of each change's setter and names each branch. Policies
 * with no change get no branch; the order is by policy namespace/name.
 */
export function planBranchUpdates(result: UpdateResult, policies: readonly PolicyLike[], prefix: string): BranchUpdate[] {
  const byKey = new Map(policies.map((p) => [keyOf(p.metadata), p]));
  const keys = new Set<string>();
  for (const c of result.located) {
    const p = policyOfSetter(c.change.Setter);
    if (p) keys.add(keyOf(p));
  }
  const plans: BranchUpdate[] = [];
  for (const key of [...keys].sort()) {
    const policy = byKey.get(key);
    const latestRef = policy?.status?.latestRef;
    if (!policy || !latestRef) continue;
    const part = result.filter((c) => {
      const p = policyOfSetter(c.change.Setter);
      return p !== undefined && keyOf(p) === key;
    });
    plans.push({ branch: updateBranchName(prefix, policy.metadata, latestRef), policy, latestRef, result: part });
  }
  return plans;
}
