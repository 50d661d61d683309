// SPDX-License-Identifier: Apache-2.0
/**
 * The ArtifactGenerator reconciler (source.extensions.fluxcd.io/v1beta1), following Flux's
 * source-watcher `artifactgenerator_controller.go`: get → finalize on deletion → finalizer → the
 * `source.extensions.fluxcd.io/reconcile: disabled` pause → spec validation (Stalled
 * ValidationFailed) → observe the sources (Ready=False SourceFetchFailed while one has no artifact,
 * retried after `--requeue-dependency`) → drift detection (sources digest, generation, inventory,
 * stored files, in-cluster ExternalArtifacts) → fetch, build each output artifact, and publish it as
 * an ExternalArtifact whose `status.artifact` points at our storage → garbage-collect orphans →
 * Ready "reconciliation succeeded, generated N artifact(s)", requeue after an hour.
 *
 * Sources live in this process's storage, so they are extracted from disk (digest verified)
 * instead of being downloaded over HTTP.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArtifactGenerator } from '@eddy/api/source-extensions/v1beta1';
import { ARTIFACT_GENERATOR_FINALIZER, ARTIFACT_GENERATOR_LABEL, ARTIFACT_GENERATOR_RECONCILE_ANNOTATION, SOURCE_EXTENSIONS_API_VERSION } from '@eddy/api/source-extensions/v1beta1';
import type { KubeClient } from '@eddy/runtime/client';
import type { Clock } from '@eddy/runtime/clock';
import { realClock } from '@eddy/runtime/clock';
import { get, isFalse, isTrue, settersFor } from '@eddy/runtime/conditions';
import type { EventRecorder } from '@eddy/runtime/events';
import { addFinalizer, hasFinalizer, removeFinalizer } from '@eddy/runtime/finalizers';
import { SerialPatcher } from '@eddy/runtime/patch';
import type { ReconcileContext, Reconciler, Request, Result } from '@eddy/runtime/reconcile';
import { buildExternalArtifact } from '../generator/builder.ts';
import type { Storage } from '../storage/storage.ts';
import { extractArchive } from '../storage/extract.ts';
import type { ObservedSource } from './artifactgenerator-helpers.ts';
import { findDrift, hashObservedSources, observeSources, validateGenerator } from './artifactgenerator-helpers.ts';

const API_VERSION = SOURCE_EXTENSIONS_API_VERSION;
const KIND = 'ArtifactGenerator';
const EA = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'ExternalArtifact' } as const;
const ORIGIN_REVISION = 'org.opencontainers.image.revision';
const IN_PROGRESS = 'Reconciliation in progress';

/** Options of {@link ArtifactGeneratorReconciler}. */
export interface ArtifactGeneratorReconcilerOptions {
  client: KubeClient;
  storage: Storage;
  events?: EventRecorder;
  clock?: Clock;
  /** Field manager of applies and patches. @default 'source-watcher' */
  controllerName?: string;
  /** Retry while a source has no artifact (`--requeue-dependency`). @default 30000 */
  dependencyRequeueMs?: number;
  /** Requeue after success (source-watcher: one hour, jittered by the queue). @default 3600000 */
  intervalMs?: number;
}

type Obj = ArtifactGenerator & { status: NonNullable<ArtifactGenerator['status']> };
type InventoryEntry = NonNullable<NonNullable<ArtifactGenerator['status']>['inventory']>[number];

/** Reconciles ArtifactGenerators into ExternalArtifacts. */
export class ArtifactGeneratorReconciler implements Reconciler {
  private readonly clock: Clock;
  private readonly c: ReturnType<typeof settersFor>;
  private readonly manager: string;

  constructor(private readonly opts: ArtifactGeneratorReconcilerOptions) {
    this.clock = opts.clock ?? realClock;
    this.c = settersFor(this.clock);
    this.manager = opts.controllerName ?? 'source-watcher';
  }

  /** One reconcile (see the module doc); the status is patched once at the end. */
  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const obj = await this.opts.client.get<Obj>({ apiVersion: API_VERSION, kind: KIND, namespace: req.namespace, name: req.name });
    if (!obj) return {};
    obj.status ??= {};
    const patcher = new SerialPatcher<Obj>(obj, this.opts.client, { fieldOwner: this.manager, clock: this.clock });
    let result: Result = {};
    let error: unknown;
    try {
      result = await this.run(obj, patcher, ctx);
    } catch (err) {
      error = err;
    }
    try {
      await this.summarize(obj, patcher);
    } catch (err) {
      error = error === undefined ? err : new AggregateError([error, err], `${String(error)}; ${String(err)}`);
    }
    if (error !== undefined) throw error;
    return result;
  }

  private async run(obj: Obj, patcher: SerialPatcher<Obj>, ctx: ReconcileContext): Promise<Result> {
    if (obj.metadata.deletionTimestamp) {
      await this.finalizeExternalArtifacts(obj.status.inventory ?? []);
      removeFinalizer(obj, ARTIFACT_GENERATOR_FINALIZER);
      return {};
    }
    if (!hasFinalizer(obj, ARTIFACT_GENERATOR_FINALIZER)) {
      addFinalizer(obj, ARTIFACT_GENERATOR_FINALIZER);
      return { requeue: true };
    }
    if ((obj.metadata.annotations?.[ARTIFACT_GENERATOR_RECONCILE_ANNOTATION] ?? '').toLowerCase() === 'disabled') {
      this.opts.events?.warning(obj, 'ReconciliationDisabled', 'Reconciliation is disabled');
      return {};
    }
    const invalid = validateGenerator(obj);
    if (invalid) {
      this.c.markFalse(obj, 'Ready', 'ValidationFailed', invalid);
      this.c.markStalled(obj, 'ValidationFailed', invalid);
      this.opts.events?.warning(obj, 'ValidationFailed', invalid);
      return {};
    }
    this.c.remove(obj, 'Stalled');
    return this.generate(obj, patcher, ctx);
  }

  /** Marks Ready=False with `reason`, records a warning event. */
  private failReady(obj: Obj, reason: string, message: string): void {
    this.c.markFalse(obj, 'Ready', reason, message);
    this.opts.events?.warning(obj, reason, message);
  }

  /** Observes the sources, detects drift, and rebuilds every artifact when needed. */
  private async generate(obj: Obj, patcher: SerialPatcher<Obj>, ctx: ReconcileContext): Promise<Result> {
    const dependencyMs = this.opts.dependencyRequeueMs ?? 30_000;
    const intervalMs = this.opts.intervalMs ?? 3_600_000;
    let observed: Map<string, ObservedSource>;
    try {
      observed = await observeSources(this.opts.client, obj);
    } catch (err) {
      this.failReady(obj, 'SourceFetchFailed', `get sources failed: ${(err as Error).message}`);
      return { requeueAfterMs: dependencyMs };
    }
    const digest = hashObservedSources(observed);
    if (!(await findDrift(this.opts.client, this.opts.storage, obj, digest))) {
      ctx.log.debug(`No drift detected, ${obj.status.inventory?.length ?? 0} artifact(s) up to date`);
      return { requeueAfterMs: intervalMs };
    }
    this.c.markReconciling(obj, 'Progressing', IN_PROGRESS);
    this.c.markUnknown(obj, 'Ready', 'Progressing', IN_PROGRESS);
    await patcher.patch(obj, { ownedConditions: ['Ready', 'Reconciling', 'Stalled'], forceOverwriteConditions: true });
    const tmp = await mkdtemp(join(tmpdir(), `ag-${obj.metadata.namespace}-${obj.metadata.name}-`));
    try {
      let local: Map<string, string>;
      try {
        local = await this.fetchSources(observed, tmp);
      } catch (err) {
        this.failReady(obj, 'SourceFetchFailed', `fetch sources failed: ${(err as Error).message}`);
        return { requeueAfterMs: dependencyMs };
      }
      const refs: InventoryEntry[] = [];
      for (const oa of obj.spec.artifacts) refs.push(await this.buildOne(obj, oa, observed, local, tmp));
      const keep = new Set(refs.map((r) => `${r.namespace}/${r.name}`));
      await this.finalizeExternalArtifacts((obj.status.inventory ?? []).filter((r) => !keep.has(`${r.namespace}/${r.name}`)));
      for (const r of refs) {
        await this.opts.storage.garbageCollect(this.opts.storage.newArtifactFor('ExternalArtifact', r.namespace, r.name, '', r.filename)).catch(() => []);
      }
      obj.status.inventory = refs;
      obj.status.observedSourcesDigest = digest;
      const msg = `reconciliation succeeded, generated ${refs.length} artifact(s)`;
      this.c.markTrue(obj, 'Ready', 'Succeeded', msg);
      this.opts.events?.normal(obj, 'Ready', msg);
      return { requeueAfterMs: intervalMs };
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /** Builds one output artifact, sets its revisions, and publishes its ExternalArtifact. */
  private async buildOne(obj: Obj, oa: Obj['spec']['artifacts'][number], observed: Map<string, ObservedSource>, local: Map<string, string>, tmp: string): Promise<InventoryEntry> {
    let artifact;
    try {
      artifact = await buildExternalArtifact(this.opts.storage, oa, local, obj.metadata.namespace!, tmp);
    } catch (err) {
      this.failReady(obj, 'BuildFailed', `${oa.name} build failed: ${(err as Error).message}`);
      throw err;
    }
    if (oa.revision) artifact.revision = observed.get(oa.revision.slice(1))?.revision ?? artifact.revision;
    const origin = oa.originRevision ? observed.get(oa.originRevision.slice(1)) : undefined;
    if (origin) artifact.metadata = { ...artifact.metadata, [ORIGIN_REVISION]: origin.originRevision ?? origin.revision };
    try {
      return await this.publish(obj, oa.name, artifact);
    } catch (err) {
      this.failReady(obj, 'ReconciliationFailed', `${oa.name} reconcile failed: ${(err as Error).message}`);
      throw err;
    }
  }

  /** Extracts each source's stored artifact (digest verified) into `<tmp>/<alias>`. */
  private async fetchSources(observed: Map<string, ObservedSource>, tmp: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const [alias, src] of observed) {
      const artifact = { path: src.path, digest: src.digest };
      if (!(await this.opts.storage.exists(artifact))) throw new Error(`artifact of source '${alias}' not found in storage: ${src.url}`);
      await this.opts.storage.verify(artifact);
      const dir = join(tmp, alias);
      await extractArchive(this.opts.storage.localPath(artifact), dir);
      out.set(alias, dir);
    }
    return out;
  }

  /** Applies the ExternalArtifact and its status (Ready "Artifact is ready"). */
  private async publish(obj: Obj, name: string, artifact: { path: string; url: string; revision: string; digest?: string; lastUpdateTime: string; size?: number; metadata?: Record<string, string> }): Promise<InventoryEntry> {
    const ns = obj.metadata.namespace!;
    const ea = {
      ...EA,
      metadata: { name, namespace: ns, labels: { 'app.kubernetes.io/managed-by': this.manager, [ARTIFACT_GENERATOR_LABEL]: obj.metadata.uid ?? '' } },
      spec: { sourceRef: { apiVersion: API_VERSION, kind: KIND, name: obj.metadata.name!, namespace: ns } },
    };
    const applied = await this.opts.client.apply(ea, { fieldManager: this.manager, force: true });
    const inInventory = (obj.status.inventory ?? []).some((r) => r.name === name && r.namespace === ns && r.digest === artifact.digest);
    const now = new Date(Math.floor(this.clock.now() / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');
    const status = {
      ...EA,
      metadata: { name, namespace: ns },
      status: {
        artifact: { ...artifact, digest: artifact.digest ?? '' },
        conditions: [{ type: 'Ready', status: 'True', reason: 'Succeeded', message: 'Artifact is ready', observedGeneration: applied.metadata.generation ?? 1, lastTransitionTime: now }],
      },
    };
    await this.opts.client.apply(status, { fieldManager: this.manager, force: true, subresource: 'status' });
    if (!inInventory) this.opts.events?.normal(obj, 'Ready', `ExternalArtifact/${ns}/${name} reconciled with revision ${artifact.revision}`);
    return { name, namespace: ns, digest: artifact.digest ?? '', filename: artifact.path.slice(artifact.path.lastIndexOf('/') + 1) };
  }

  /** Deletes ExternalArtifacts and their stored files. */
  private async finalizeExternalArtifacts(refs: readonly InventoryEntry[]): Promise<void> {
    for (const r of refs) {
      await this.opts.client.delete({ ...EA, namespace: r.namespace, name: r.name }).catch(() => false);
      await this.opts.storage.removeAll(this.opts.storage.newArtifactFor('ExternalArtifact', r.namespace, r.name, '', 'probe'));
    }
  }

  /** source-watcher's `summarizeStatus`: handled request, Reconciling clean-up, one patch. */
  private async summarize(obj: Obj, patcher: SerialPatcher<Obj>): Promise<void> {
    const requested = obj.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'];
    if (requested !== undefined) obj.status.lastHandledReconcileAt = requested;
    const rc = get(obj, 'Reconciling');
    if (isFalse(obj, 'Ready') && rc) this.c.set(obj, { ...rc, reason: 'ProgressingWithRetry' });
    if (isTrue(obj, 'Ready') || isTrue(obj, 'Stalled')) this.c.remove(obj, 'Reconciling');
    await patcher.patch(obj, { ownedConditions: ['Ready', 'Reconciling', 'Stalled'], forceOverwriteConditions: true, ignoreNotFoundWhenDeleting: true });
  }
}
