// SPDX-License-Identifier: Apache-2.0
/**
 * Registers the Kustomization controller with a manager, with kustomize-controller's watches:
 * Kustomization spec changes and reconcile requests; source artifact revision changes (running
 * health checks of the previous revision are cancelled); Kustomizations and HelmReleases becoming
 * ready (their dependents are requeued).
 */
import type { Kustomization } from '@eddy/api';
import type { KubeObject } from '@eddy/runtime/client';
import { controllerManagedBy, type Manager } from '@eddy/runtime/manager';
import { generationChanged, or, reconcileRequested } from '@eddy/runtime/predicates';
import type { Request } from '@eddy/runtime/reconcile';
import type { KustomizationReconciler } from './kustomization-reconciler.ts';
import { SOURCE_KINDS } from './source.ts';

const KS_GVK = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' } as const;
const HR_GVK = { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease' } as const;

type KsObject = Kustomization & KubeObject;
type WithStatus = { status?: { artifact?: { revision?: string }; conditions?: Array<{ type: string; status: string }> } };

/** Options of {@link setupKustomizationController}. */
export interface SetupOptions {
  /** Watch ExternalArtifact sources (the ExternalArtifact feature gate). @default false */
  externalArtifact?: boolean;
  /** Watch HelmReleases for `dependsOn[].kind: HelmRelease` (Eddy's extension). @default true */
  helmReleaseDependencies?: boolean;
  /** Concurrent reconciles (`--concurrent`). @default 4 */
  concurrent?: number;
}

function artifactRevision(o: KubeObject): string {
  return (o as WithStatus).status?.artifact?.revision ?? '';
}

function isReady(o: KubeObject): boolean {
  return ((o as WithStatus).status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/**
 * Requests for the Kustomizations referencing `src` unless Ready at its revision already (Flux
 * `requestsForRevisionChangeOf`); running health checks of theirs are cancelled.
 */
export function requestsForSource(items: KsObject[], r: Pick<KustomizationReconciler, 'cancelHealthChecks'>, src: KubeObject): Request[] {
  const revision = artifactRevision(src);
  const out: Request[] = [];
  for (const k of items) {
    if (!referencesSource(k, src) || attempted(k, revision)) continue;
    r.cancelHealthChecks(k.metadata.namespace ?? '', k.metadata.name ?? '', revision);
    out.push({ namespace: k.metadata.namespace ?? '', name: k.metadata.name ?? '' });
  }
  return out;
}

function referencesSource(k: KsObject, src: KubeObject): boolean {
  const ref = k.spec?.sourceRef;
  return !!ref && ref.kind === src.kind && ref.name === src.metadata.name && (ref.namespace || k.metadata.namespace) === src.metadata.namespace;
}

/** Ready at `revision` already (Flux skips those). */
function attempted(k: KsObject, revision: string): boolean {
  return k.status?.lastAttemptedRevision === revision && isReady(k);
}

/** Requests for the Kustomizations whose `dependsOn` names `dep`. */
export function requestsForDependents(items: KsObject[], dep: KubeObject): Request[] {
  return items
    .filter((k) =>
      (k.spec?.dependsOn ?? []).some(
        (d) => ((d as { kind?: string }).kind ?? 'Kustomization') === dep.kind && d.name === dep.metadata.name && (d.namespace || k.metadata.namespace) === dep.metadata.namespace,
      ),
    )
    .map((k) => ({ namespace: k.metadata.namespace ?? '', name: k.metadata.name ?? '' }));
}

const artifactChanged = {
  update: (e: { objectOld: KubeObject; objectNew: KubeObject }): boolean => artifactRevision(e.objectOld) !== artifactRevision(e.objectNew),
};

const becameReady = {
  update: (e: { objectOld: KubeObject; objectNew: KubeObject }): boolean => !isReady(e.objectOld) && isReady(e.objectNew),
};

/** Registers the controller; call before `mgr.start()`. */
export function setupKustomizationController(mgr: Manager, reconciler: KustomizationReconciler, opts: SetupOptions = {}): void {
  const kustomizations = (): KsObject[] => mgr.getCache<KsObject>(KS_GVK).list();
  const builder = controllerManagedBy(mgr)
    .named('kustomization')
    .for(KS_GVK, { predicates: [or(generationChanged(), reconcileRequested())] })
    .watches(KS_GVK, (o) => requestsForDependents(kustomizations(), o), { predicates: [becameReady] })
    .withOptions({ maxConcurrentReconciles: opts.concurrent ?? 4 });
  if (opts.helmReleaseDependencies ?? true) {
    builder.watches(HR_GVK, (o) => requestsForDependents(kustomizations(), o), { predicates: [becameReady] });
  }
  for (const [kind, apiVersion] of Object.entries(SOURCE_KINDS)) {
    if (kind === 'ExternalArtifact' && !opts.externalArtifact) continue;
    builder.watches({ apiVersion, kind }, (o) => requestsForSource(kustomizations(), reconciler, o), { predicates: [artifactChanged] });
  }
  builder.complete(reconciler);
}
