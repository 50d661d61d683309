// SPDX-License-Identifier: Apache-2.0
/**
 * What triggers HelmRelease reconciles besides the HelmRelease itself: a chart source whose artifact
 * changed (Flux's `requestsForHelmChartChange` / `requestsForOCIRepositoryChange` /
 * `requestsForExternalArtifactChange`) and a dependency that just became ready. Both map through
 * secondary indexes on the manager's HelmRelease cache, so an event costs an index lookup rather
 * than a list of every HelmRelease from the apiserver.
 */
import type { KubeObject } from '@eddy/runtime/client';
import type { Request } from '@eddy/runtime/reconcile';
import { sourceRefOf } from './source.ts';

/** Index of HelmReleases by chart source, `<kind>/<namespace>/<name>`. */
export const SOURCE_INDEX = 'helmrelease.source';
/** Index of HelmReleases by dependency, `<namespace>/<name>`. */
export const DEPENDS_ON_INDEX = 'helmrelease.dependsOn';

/** The fields the watches read. */
export type WatchedHelmRelease = KubeObject & {
  spec: { chartRef?: { kind: string; name: string; namespace?: string }; dependsOn?: Array<{ name: string; namespace?: string }> };
  status?: { helmChart?: string; lastAttemptedRevision?: string; lastAttemptedRevisionDigest?: string; conditions?: Array<{ type: string; status: string }> };
};

/** Index function of {@link SOURCE_INDEX}. */
export function sourceIndex(hr: KubeObject): string[] {
  const ref = sourceRefOf(hr as WatchedHelmRelease);
  return ref ? [`${ref.kind}/${ref.namespace}/${ref.name}`] : [];
}

/** Index function of {@link DEPENDS_ON_INDEX}. */
export function dependsOnIndex(hr: KubeObject): string[] {
  const ns = hr.metadata.namespace ?? '';
  return ((hr as WatchedHelmRelease).spec?.dependsOn ?? []).map((d) => `${d.namespace || ns}/${d.name}`);
}

const revisionOf = (o: KubeObject): string => (o as { status?: { artifact?: { revision?: string } } }).status?.artifact?.revision ?? '';

const isReady = (o: KubeObject): boolean => ((o as WatchedHelmRelease).status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** Ready and already attempted at this revision (digest for OCIRepository). */
function upToDate(hr: WatchedHelmRelease, kind: string, revision: string): boolean {
  const digest = revision.includes('@') ? revision.split('@')[1] : revision;
  return isReady(hr) && (kind === 'OCIRepository' ? hr.status?.lastAttemptedRevisionDigest === digest : hr.status?.lastAttemptedRevision === revision);
}

const requestOf = (hr: KubeObject): Request => ({ namespace: hr.metadata.namespace ?? '', name: hr.metadata.name ?? '' });

/** Maps a source event to the HelmReleases using it that have not attempted its artifact yet. */
export function requestsForSource(lookup: (key: string) => KubeObject[]): (src: KubeObject) => Request[] {
  return (src) => {
    const revision = revisionOf(src);
    if (!revision) return [];
    return lookup(`${src.kind}/${src.metadata.namespace}/${src.metadata.name}`)
      .filter((hr) => !upToDate(hr as WatchedHelmRelease, src.kind, revision))
      .map(requestOf);
  };
}

/** Maps a HelmRelease event to the HelmReleases depending on it. */
export function requestsForDependents(lookup: (key: string) => KubeObject[]): (dep: KubeObject) => Request[] {
  return (dep) => lookup(`${dep.metadata.namespace}/${dep.metadata.name}`).map(requestOf);
}

/** Predicate: the source's artifact revision changed. */
export const artifactChanged = {
  update: (e: { objectOld: KubeObject; objectNew: KubeObject }): boolean => revisionOf(e.objectOld) !== revisionOf(e.objectNew),
};

/** Predicate: the HelmRelease turned Ready. */
export const becameReady = {
  update: (e: { objectOld: KubeObject; objectNew: KubeObject }): boolean => !isReady(e.objectOld) && isReady(e.objectNew),
};
