// SPDX-License-Identifier: Apache-2.0
/**
 * ImagePolicy side concerns: the index of policies by the ImageRepository they reference, the
 * watch predicate and map function that re-evaluate policies when a repository's scan result
 * changes, the cross-namespace access check (Flux `acl.HasAccessToRef` on `spec.accessFrom`), and
 * the Ready message.
 */
import type { ImagePolicy, ImageRef, ImageRepository } from '@eddy/api/image/v1';
import type { KubeClient, KubeObject } from '@eddy/runtime/client';
import type { Predicate } from '@eddy/runtime/predicates';
import type { Request } from '@eddy/runtime/reconcile';

/** Name of the ImagePolicy index holding `<namespace>/<name>` of the referenced ImageRepository. */
export const IMAGE_REPOSITORY_INDEX = '.spec.imageRepository';

/** The referenced repository of a policy: `spec.imageRepositoryRef`, namespace defaulting to the policy's. */
export function repositoryRefOf(policy: ImagePolicy): { namespace: string; name: string } {
  const ref = policy.spec.imageRepositoryRef;
  return { namespace: ref.namespace || (policy.metadata.namespace ?? ''), name: ref.name };
}

/** Index function: the `<namespace>/<name>` of the referenced repository. */
export function imageRepositoryIndex(obj: KubeObject): string[] {
  const { namespace, name } = repositoryRefOf(obj as unknown as ImagePolicy);
  return [`${namespace}/${name}`];
}

/**
 * Flux's `imageRepositoryPredicate`: a repository update matters when it has a scan result and
 * the previous version had none or a different revision. Creates and deletes pass.
 */
export function scanResultChanged(): Predicate {
  return {
    update: (e) => {
      const next = (e.objectNew as unknown as ImageRepository).status?.lastScanResult;
      if (!next) return false;
      const prev = (e.objectOld as unknown as ImageRepository).status?.lastScanResult;
      return !prev || prev.revision !== next.revision;
    },
  };
}

/** The map function: the policies whose index holds the repository's key. */
export function policiesForRepository(lookup: (key: string) => readonly KubeObject[]): (repo: KubeObject) => Request[] {
  return (repo) =>
    lookup(`${repo.metadata.namespace ?? ''}/${repo.metadata.name ?? ''}`).map((p) => ({
      namespace: p.metadata.namespace ?? '',
      name: p.metadata.name ?? '',
    }));
}

/** Cross-namespace access was refused. */
export class AccessDeniedError extends Error {
  override readonly name = 'AccessDeniedError';
}

/**
 * Flux's ACL check: same-namespace references pass; otherwise the repository's
 * `spec.accessFrom.namespaceSelectors` must match the labels of the policy's namespace.
 * @throws AccessDeniedError when access is refused.
 */
export async function assertAccess(client: KubeClient, policyNamespace: string, repo: ImageRepository): Promise<void> {
  const ns = repo.metadata.namespace ?? '';
  if (ns === '' || ns === policyNamespace) return;
  const acl = repo.spec.accessFrom;
  if (!acl) throw new AccessDeniedError(`'${ns}/${repo.metadata.name}' can't be accessed due to missing ACL labels on 'accessFrom'`);
  const namespace = await client.get({ apiVersion: 'v1', kind: 'Namespace', name: policyNamespace });
  const labels = namespace?.metadata.labels ?? {};
  for (const sel of acl.namespaceSelectors) {
    if (Object.entries(sel.matchLabels ?? {}).every(([k, v]) => labels[k] === v)) return;
  }
  throw new AccessDeniedError(`'${ns}/${repo.metadata.name}' can't be accessed due to ACL labels mismatch on namespace '${policyNamespace}'`);
}

/** True when both refs exist and are equal (digest `''` and absent are the same). */
export function refsEqual(a: ImageRef | undefined, b: ImageRef | undefined): boolean {
  return a !== undefined && b !== undefined && a.name === b.name && a.tag === b.tag && (a.digest ?? '') === (b.digest ?? '');
}

/** Flux's `composeImagePolicyReadyMessage`. */
export function policyReadyMessage(latest: ImageRef, previous: ImageRef | undefined): string {
  let msg = `Latest image tag for ${latest.name} resolved to ${latest.tag}`;
  if (latest.digest) msg += ` with digest ${latest.digest}`;
  if (previous && !refsEqual(latest, previous)) {
    msg += ` (previously ${previous.name}:${previous.tag}`;
    if (previous.digest) msg += `@${previous.digest}`;
    msg += ')';
  }
  return msg;
}
