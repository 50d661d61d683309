// SPDX-License-Identifier: Apache-2.0
/**
 * Watching sources from their consumers (Flux's `SourceRevisionChangePredicate` and the
 * `requestsFor<Kind>Change` map functions): a consumer is indexed by the source it references
 * (`<Kind>/<name>` in its namespace), and an update of a source whose artifact revision changed
 * enqueues every consumer that has not observed that revision yet.
 */
import type { KubeObject } from '@eddy/runtime/client';
import type { SharedInformer } from '@eddy/runtime/informer';
import type { MapFunc } from '@eddy/runtime/manager';
import type { Predicate } from '@eddy/runtime/predicates';
import type { Request } from '@eddy/runtime/reconcile';

/** The index of consumers by source: `<Kind>/<name>` (Flux's `SourceIndexKey`). */
export const SOURCE_INDEX = 'spec.sourceRef';

type WithArtifact = KubeObject & { status?: { artifact?: { revision?: string; digest?: string } } };

/** Flux's `SourceRevisionChangePredicate`: updates pass when the artifact revision appeared or changed. */
export function sourceRevisionChanged<T extends KubeObject = KubeObject>(): Predicate<T> {
  return {
    update: (e) => {
      const o = (e.objectOld as WithArtifact).status?.artifact;
      const n = (e.objectNew as WithArtifact).status?.artifact;
      if (!n) return false;
      return !o || o.revision !== n.revision;
    },
  };
}

/**
 * The map function of a source kind: the consumers (from `consumers`, indexed by
 * {@link SOURCE_INDEX}) in the source's namespace whose `observed(consumer)` revision differs.
 */
export function requestsForSourceChange<C extends KubeObject>(
  kind: string,
  consumers: () => SharedInformer<C>,
  observed: (consumer: C) => string | undefined,
): MapFunc {
  return (source) => {
    const art = (source as WithArtifact).status?.artifact;
    if (!art) return [];
    const out: Request[] = [];
    for (const c of consumers().byIndex(SOURCE_INDEX, `${kind}/${source.metadata.name ?? ''}`)) {
      if (c.metadata.namespace !== source.metadata.namespace) continue;
      if (observed(c) !== art.revision) out.push({ namespace: c.metadata.namespace ?? '', name: c.metadata.name ?? '' });
    }
    return out;
  };
}
