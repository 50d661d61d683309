// SPDX-License-Identifier: Apache-2.0
/**
 * `setupSourceController(mgr, opts)`: registers every source controller with a manager — the
 * standalone binary (`main.ts`) and the CLI's one-process mode compose controllers through it.
 *
 * Watches as Flux sets them up: each kind on `GenerationChanged OR ReconcileRequested`
 * (HelmRepository additionally lets through OCI repositories that still need the static
 * migration); HelmCharts are indexed by their source and re-reconciled when the artifact revision
 * of a HelmRepository, GitRepository or Bucket they use changes; ArtifactGenerators likewise for
 * their GitRepository/OCIRepository/Bucket sources, and when one of their ExternalArtifacts goes.
 */
import type { ArtifactGenerator } from '@eddy/api/source-extensions/v1beta1';
import type { HelmChart, HelmRepository } from '@eddy/api/source/v1';
import type { KubeObject } from '@eddy/runtime/client';
import type { EventRecorder } from '@eddy/runtime/events';
import type { Controller, Manager } from '@eddy/runtime/manager';
import { controllerManagedBy } from '@eddy/runtime/manager';
import type { Predicate } from '@eddy/runtime/predicates';
import { and, filter, generationChanged, or, reconcileRequested } from '@eddy/runtime/predicates';
import type { Reconciler, Request } from '@eddy/runtime/reconcile';
import { generatorSourceKeys } from './controllers/artifactgenerator-helpers.ts';
import { ArtifactGeneratorReconciler } from './controllers/artifactgenerator-reconciler.ts';
import { BucketReconciler } from './controllers/bucket-reconciler.ts';
import { GitRepositoryReconciler } from './controllers/gitrepository-reconciler.ts';
import { helmChartSourceKey } from './controllers/helmchart-helpers.ts';
import { HelmChartReconciler } from './controllers/helmchart-reconciler.ts';
import { HelmRepositoryReconciler, ociRequiresMigration } from './controllers/helmrepository-reconciler.ts';
import { OCIRepositoryReconciler } from './controllers/ocirepository-reconciler.ts';
import { requestsForSourceChange, SOURCE_INDEX, sourceRevisionChanged } from './controllers/source-watch.ts';
import type { Storage } from './storage/storage.ts';

const SOURCE = 'source.toolkit.fluxcd.io/v1';
/** The GVKs this controller reconciles. */
export const SourceKinds = {
  GitRepository: { apiVersion: SOURCE, kind: 'GitRepository' },
  HelmRepository: { apiVersion: SOURCE, kind: 'HelmRepository' },
  HelmChart: { apiVersion: SOURCE, kind: 'HelmChart' },
  OCIRepository: { apiVersion: SOURCE, kind: 'OCIRepository' },
  Bucket: { apiVersion: SOURCE, kind: 'Bucket' },
  ExternalArtifact: { apiVersion: SOURCE, kind: 'ExternalArtifact' },
  ArtifactGenerator: { apiVersion: 'source.extensions.fluxcd.io/v1beta1', kind: 'ArtifactGenerator' },
} as const;

/** A reconciled kind. */
export type SourceKind = Exclude<keyof typeof SourceKinds, 'ExternalArtifact'>;

/** The index of ArtifactGenerators by `<Kind>/<namespace>/<name>` of their sources. */
export const GENERATOR_SOURCE_INDEX = 'spec.sources';

/** Options of {@link setupSourceController}. */
export interface SourceControllerOptions {
  storage: Storage;
  events?: EventRecorder;
  /** Workers per controller (`--concurrent`). @default 2 */
  concurrent?: number;
  /** Retry of missing dependencies (`--requeue-dependency`). @default 30000 */
  dependencyRequeueMs?: number;
  /** `--helm-index-max-size`. @default 50 MiB */
  maxIndexSize?: number;
  /** `--helm-chart-max-size`. @default 10 MiB */
  maxChartSize?: number;
  /** Only these kinds. @default all */
  kinds?: readonly SourceKind[];
  /** Field owner of status patches. @default 'gotk-source-controller' */
  controllerName?: string;
}

const specOrRequest = <T extends KubeObject>(): Predicate<T> => or<T>(generationChanged<T>(), reconcileRequested<T>());

/** Registers the source controllers with `mgr`; returns them by kind. */
export function setupSourceController(mgr: Manager, opts: SourceControllerOptions): Partial<Record<SourceKind, Controller>> {
  const want = new Set<SourceKind>(opts.kinds ?? (Object.keys(SourceKinds).filter((k) => k !== 'ExternalArtifact') as SourceKind[]));
  const base = { client: mgr.client, storage: opts.storage, clock: mgr.clock, ...(opts.events ? { events: opts.events } : {}), ...(opts.controllerName ? { controllerName: opts.controllerName } : {}) };
  const options = { maxConcurrentReconciles: opts.concurrent ?? 2 };
  const out: Partial<Record<SourceKind, Controller>> = {};
  const simple = (kind: SourceKind, reconciler: Reconciler, predicates: Predicate[] = [specOrRequest()]): void => {
    out[kind] = controllerManagedBy(mgr).named(kind.toLowerCase()).for(SourceKinds[kind], { predicates }).withOptions(options).complete(reconciler);
  };
  if (want.has('GitRepository')) simple('GitRepository', new GitRepositoryReconciler({ ...base, ...(opts.dependencyRequeueMs ? { dependencyRequeueMs: opts.dependencyRequeueMs } : {}) }));
  if (want.has('HelmRepository')) {
    const migration = filter<HelmRepository>((o) => o.spec.type !== 'oci' || ociRequiresMigration(o));
    simple('HelmRepository', new HelmRepositoryReconciler({ ...base, ...(opts.maxIndexSize ? { maxIndexSize: opts.maxIndexSize } : {}) }), [and(migration as Predicate, specOrRequest())]);
  }
  if (want.has('OCIRepository')) simple('OCIRepository', new OCIRepositoryReconciler(base));
  if (want.has('Bucket')) simple('Bucket', new BucketReconciler(base));
  if (want.has('HelmChart')) out.HelmChart = setupHelmChart(mgr, new HelmChartReconciler({ ...base, ...(opts.maxChartSize ? { maxChartSize: opts.maxChartSize } : {}) }), options);
  if (want.has('ArtifactGenerator')) {
    const reconciler = new ArtifactGeneratorReconciler({ ...base, controllerName: 'source-watcher', ...(opts.dependencyRequeueMs ? { dependencyRequeueMs: opts.dependencyRequeueMs } : {}) });
    out.ArtifactGenerator = setupArtifactGenerator(mgr, reconciler, options);
  }
  return out;
}

/** The HelmChart controller: indexed by source, re-run when a source's artifact revision moves. */
function setupHelmChart(mgr: Manager, reconciler: Reconciler, options: { maxConcurrentReconciles: number }): Controller {
  const charts = mgr.getCache<HelmChart>(SourceKinds.HelmChart);
  charts.addIndexer(SOURCE_INDEX, helmChartSourceKey);
  const observed = (hc: HelmChart): string | undefined => hc.status?.observedSourceArtifactRevision;
  let b = controllerManagedBy(mgr).named('helmchart').for(SourceKinds.HelmChart, { predicates: [specOrRequest()] });
  for (const kind of ['HelmRepository', 'GitRepository', 'Bucket'] as const) {
    b = b.watches(SourceKinds[kind], requestsForSourceChange(kind, () => charts, observed), { predicates: [sourceRevisionChanged()] });
  }
  return b.withOptions(options).complete(reconciler);
}

/** The ArtifactGenerator controller: indexed by sources, re-run on their new revisions and on lost ExternalArtifacts. */
function setupArtifactGenerator(mgr: Manager, reconciler: Reconciler, options: { maxConcurrentReconciles: number }): Controller {
  const gens = mgr.getCache<ArtifactGenerator>(SourceKinds.ArtifactGenerator);
  gens.addIndexer(GENERATOR_SOURCE_INDEX, generatorSourceKeys);
  const bySource = (kind: string) => (o: KubeObject): Request[] =>
    gens.byIndex(GENERATOR_SOURCE_INDEX, `${kind}/${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`).map((g) => ({ namespace: g.metadata.namespace ?? '', name: g.metadata.name ?? '' }));
  const disabledToggled: Predicate = {
    update: (e) => e.objectOld.metadata.annotations?.['source.extensions.fluxcd.io/reconcile'] !== e.objectNew.metadata.annotations?.['source.extensions.fluxcd.io/reconcile'],
  };
  let b = controllerManagedBy(mgr).named('artifactgenerator').for(SourceKinds.ArtifactGenerator, { predicates: [or(specOrRequest(), disabledToggled)] });
  for (const kind of ['GitRepository', 'OCIRepository', 'Bucket'] as const) {
    b = b.watches(SourceKinds[kind], bySource(kind), { predicates: [sourceRevisionChanged()] });
  }
  const owner = (ea: KubeObject & { spec?: { sourceRef?: { kind?: string; name?: string; namespace?: string } } }): Request[] => {
    const ref = ea.spec?.sourceRef;
    return ref?.kind === 'ArtifactGenerator' && ref.name ? [{ namespace: ref.namespace ?? ea.metadata.namespace ?? '', name: ref.name }] : [];
  };
  b = b.watches(SourceKinds.ExternalArtifact, owner, { predicates: [{ create: () => false, update: () => false }] });
  return b.withOptions(options).complete(reconciler);
}
