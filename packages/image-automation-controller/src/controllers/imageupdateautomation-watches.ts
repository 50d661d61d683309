// SPDX-License-Identifier: Apache-2.0
/**
 * What makes an ImageUpdateAutomation run besides its own changes (Flux `SetupWithManager` and
 * `predicate.go`):
 *
 * - a GitRepository it references changes generation, or appears (Flux ignores creations; Eddy
 *   lets one through so an automation waiting for its GitRepository runs as soon as it exists).
 *   Automations are found through an index on `<namespace>/<name>` of `spec.sourceRef`;
 * - an ImagePolicy of its namespace gets a new `status.latestRef` (any automation of the
 *   namespace may carry a marker for it).
 */
import type { ImagePolicy, ImageUpdateAutomation } from '@eddy/api/image/v1';
import type { KubeObject } from '@eddy/runtime/client';
import type { Predicate } from '@eddy/runtime/predicates';
import type { Request } from '@eddy/runtime/reconcile';

/** Name of the ImageUpdateAutomation index holding `<namespace>/<name>` of the GitRepository. */
export const GIT_REPOSITORY_INDEX = '.spec.gitRepository';

/** Index function: the GitRepository an automation references. */
export function gitRepositoryIndex(obj: KubeObject): string[] {
  const a = obj as unknown as ImageUpdateAutomation;
  const ns = a.spec?.sourceRef?.namespace || (a.metadata.namespace ?? '');
  return a.spec?.sourceRef?.name ? [`${ns}/${a.spec.sourceRef.name}`] : [];
}

/** Flux's `sourceConfigChangePredicate` (generation changes), plus creations. */
export function sourceConfigChanged(): Predicate {
  return {
    create: () => true,
    delete: () => false,
    update: (e) => e.objectOld.metadata.generation !== e.objectNew.metadata.generation,
  };
}

/** Flux's `latestImageChangePredicate`: updates that set or change `status.latestRef`. */
export function latestImageChanged(): Predicate {
  return {
    create: () => false,
    delete: () => false,
    update: (e) => {
      const next = (e.objectNew as unknown as ImagePolicy).status?.latestRef;
      if (!next) return false;
      const prev = (e.objectOld as unknown as ImagePolicy).status?.latestRef;
      return !prev || prev.name !== next.name || prev.tag !== next.tag || (prev.digest ?? '') !== (next.digest ?? '');
    },
  };
}

const toRequest = (o: KubeObject): Request => ({ namespace: o.metadata.namespace ?? '', name: o.metadata.name ?? '' });

/** Map function: the automations referencing a GitRepository, through the index. */
export function automationsForGitRepository(lookup: (key: string) => readonly KubeObject[]): (repo: KubeObject) => Request[] {
  return (repo) => lookup(`${repo.metadata.namespace ?? ''}/${repo.metadata.name ?? ''}`).map(toRequest);
}

/** Map function: every automation in the policy's namespace. */
export function automationsForImagePolicy(list: (namespace: string) => readonly KubeObject[]): (policy: KubeObject) => Request[] {
  return (policy) => list(policy.metadata.namespace ?? '').map(toRequest);
}
