// SPDX-License-Identifier: Apache-2.0
/**
 * One run of the Kustomization pipeline for a source revision (kustomize-controller `reconcile`):
 * progress conditions and patches at Flux's checkpoints, fetch, build, apply, prune, health, and
 * the final Ready condition and history snapshot.
 */
import { formatDuration, kustomizationTimeoutMs, type Artifact, type Kustomization } from '@eddy/api';
import { ConditionType, Reason, isTrue, remove as removeCondition } from '@eddy/runtime/conditions';
import type { KubeClient } from '@eddy/runtime/client';
import type { SerialPatcher } from '@eddy/runtime/patch';
import type { ReconcileContext } from '@eddy/runtime/reconcile';
import type { ChangeSet } from '../apply/change-set.ts';
import { ArtifactError, ArtifactNotFoundError } from '../artifact/errors.ts';
import { fetchArtifact } from '../artifact/fetch.ts';
import type { KubeObject } from '../build/manifests.ts';
import { buildKustomization, resolveBuildPath, type BuildResult } from '../build/pipeline.ts';
import type { CelStatusEvaluators } from '@eddy/runtime/cel';
import { HealthCheckCanceledError, jobsWithTTL } from '../health/wait.ts';
import { addChangeSet, diffInventory, mergeInventory, newInventory, type ResourceInventory } from '../inventory/inventory.ts';
import { loadVariables, type VariableSourceReader } from '../postbuild/varsub.ts';
import { loadDecryptor } from './decryption.ts';
import { upsertHistory } from './history.ts';
import type { KustomizationReconciler } from './kustomization-reconciler.ts';
import { StepFailure, applyObjects, checkHealth, healthCheckTargets, pruneObjects } from './kustomization-steps.ts';
import { originRevision } from './source.ts';
import { StepTimer } from './step-timer.ts';

/** How a run ended. */
export type RunOutcome =
  | { kind: 'ok' }
  | { kind: 'artifact-missing' }
  | { kind: 'canceled'; trigger: string }
  | { kind: 'failed'; reason: string; message: string; durationMs: number };

type Obj = Kustomization & { status: NonNullable<Kustomization['status']> & Record<string, unknown> };

/** Options of {@link runPipeline}. */
export interface RunOptions {
  cel: CelStatusEvaluators;
  /** Shutdown: aborts every step. */
  signal: AbortSignal;
  /** Aborts the health checks only (shutdown or a new source revision). */
  healthSignal?: AbortSignal;
  /** Told when health checks start and end. */
  onHealthChecks?: (active: boolean) => void;
  log: ReconcileContext['log'];
  /** Adds the run's steps to the reconcile's timings. @default a timer of its own */
  timer?: StepTimer;
}

const OWNED = [ConditionType.Healthy, ConditionType.Ready, ConditionType.Reconciling, ConditionType.Stalled];

/** Thrown inside a run to end it with an outcome. */
class EndRun {
  constructor(readonly outcome: RunOutcome) {}
}

/** The state of one run; each step either returns its result or throws {@link EndRun}. */
class PipelineRun {
  private readonly start: number;
  private readonly revision: string;
  private readonly origin: string;
  private readonly timeoutMs: number;
  private digest = '';
  private kube: KubeClient;
  private readonly timer: StepTimer;

  constructor(
    private readonly r: KustomizationReconciler,
    private readonly obj: Obj,
    private readonly patcher: SerialPatcher<Obj>,
    private readonly artifact: Artifact,
    private readonly opts: RunOptions,
  ) {
    this.start = r.clock.now();
    this.revision = artifact.revision;
    this.origin = originRevision(artifact);
    const t = kustomizationTimeoutMs(obj.spec);
    this.timeoutMs = t.ok ? t.value : 300_000;
    this.kube = r.opts.client;
    this.timer = opts.timer ?? new StepTimer(r.clock);
  }

  private get o(): never {
    return this.obj as never;
  }

  private elapsed(): number {
    return this.r.clock.now() - this.start;
  }

  private with(step: string): string {
    return `${step} for revision ${this.revision} with a timeout of ${formatDuration(this.timeoutMs)}`;
  }

  private async progress(msg: string): Promise<void> {
    this.r.c.markReconciling(this.o, Reason.Progressing, msg);
    await this.timer.time('patch', () => this.patcher.patch(this.obj, { ownedConditions: OWNED }));
  }

  private snapshot(reason: string): void {
    if (!this.digest) return;
    const meta = { revision: this.revision, ...(this.origin ? { originRevision: this.origin } : {}) };
    const now = this.r.clock.now();
    this.obj.status.history = upsertHistory(this.obj.status.history, { digest: this.digest, nowMs: now, durationMs: this.elapsed(), status: reason, metadata: meta });
  }

  private fail(reason: string, message: string, withHistory: boolean): EndRun {
    if (withHistory) this.snapshot(reason);
    this.r.c.markFalse(this.o, ConditionType.Ready, reason, message);
    return new EndRun({ kind: 'failed', reason, message, durationMs: this.elapsed() });
  }

  /** Downloads and extracts the artifact; returns the build directory. */
  async fetch(root: string): Promise<void> {
    await this.progress(this.with('Fetching manifests'));
    try {
      const fetchOpts = {
        retries: this.r.opts.artifactFetchRetries ?? 9,
        clock: this.r.clock,
        signal: this.opts.signal,
        ...(this.r.opts.sourceHostOverride ? { hostnameOverride: this.r.opts.sourceHostOverride } : {}),
      };
      const cache = this.r.opts.artifactCache;
      await this.timer.time('fetch', async () => {
        if (cache) await cache.fetch(this.artifact.url, this.artifact.digest, root, fetchOpts);
        else await fetchArtifact(this.artifact.url, this.artifact.digest, root, fetchOpts);
      });
    } catch (err) {
      if (err instanceof ArtifactNotFoundError) throw new EndRun({ kind: 'artifact-missing' });
      throw this.fail(Reason.ArtifactFailed, ArtifactError.is(err) ? err.message : String((err as Error).message), false);
    }
    const dir = await resolveBuildPath(root, this.obj.spec.path ?? '');
    if (!dir) throw this.fail(Reason.ArtifactFailed, `kustomization path not found: stat ${this.obj.spec.path ?? ''}: no such file or directory`, false);
    this.obj.status.lastAttemptedRevision = this.revision;
  }

  /** Generates, decrypts, builds and substitutes. */
  async build(root: string): Promise<BuildResult> {
    await this.progress(this.with('Building manifests'));
    try {
      this.kube = await this.r.impersonator.clientFor(this.obj);
    } catch (err) {
      throw this.fail(Reason.ReconciliationFailed, (err as Error).message, false);
    }
    const { client } = this.r.opts;
    const reader: VariableSourceReader = {
      getConfigMap: (namespace, name) => client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name }) as never,
      getSecret: (namespace, name) => client.get({ apiVersion: 'v1', kind: 'Secret', namespace, name }) as never,
    };
    try {
      const decryptor = await loadDecryptor(client, this.obj, this.r.opts.decryption);
      const pb = this.obj.spec.postBuild;
      const vars = pb ? await loadVariables(reader, this.obj.metadata.namespace ?? '', pb as never) : undefined;
      const built = await this.timer.time('build', () => buildKustomization({
        root,
        path: this.obj.spec.path ?? '',
        spec: this.obj.spec as never,
        ...(decryptor ? { decryptor } : {}),
        ...(pb && vars ? { postBuild: { vars, strict: this.r.opts.strictSubstitutions ?? false, always: pb.substituteStrategy === 'Always' } } : {}),
        kustomize: {
          noRemoteBases: this.r.opts.noRemoteBases ?? false,
          timeoutMs: this.timeoutMs,
          clock: this.r.clock,
          signal: this.opts.signal,
          ...(this.r.opts.kustomizePath ? { kustomizePath: this.r.opts.kustomizePath } : {}),
        },
      }));
      this.digest = built.digest;
      return built;
    } catch (err) {
      throw this.fail(Reason.BuildFailed, (err as Error).message, false);
    }
  }

  /** Applies in stages; records the new inventory and emits the change event. */
  async apply(objects: KubeObject[]): Promise<{ changeSet: ChangeSet; changed: string }> {
    await this.progress(this.with('Detecting drift'));
    const { opts } = this.r;
    try {
      const applied = await this.timer.time('apply', () =>
        applyObjects(this.kube, this.obj, objects, {
          fieldManager: opts.fieldManager ?? 'kustomize-controller',
          clock: this.r.clock,
          signal: this.opts.signal,
          ...(opts.customStageKinds ? { customStageKinds: opts.customStageKinds } : {}),
          ...(opts.disallowedFieldManagers ? { disallowedFieldManagers: opts.disallowedFieldManagers } : {}),
        }),
      );
      if (applied.changed) {
        this.opts.log.info('server-side apply completed', { output: applied.changeSet.toMap(), revision: this.revision });
        this.r.event(this.obj, 'Normal', applied.changed, { revision: this.revision, origin: this.origin });
      }
      return applied;
    } catch (err) {
      throw this.fail(err instanceof StepFailure ? err.reason : Reason.ReconciliationFailed, (err as Error).message, true);
    }
  }

  /** Replaces the inventory and garbage-collects what left it. */
  async prune(oldInventory: ResourceInventory | undefined, changeSet: ChangeSet): Promise<void> {
    const inventory = addChangeSet(newInventory(), changeSet);
    this.obj.status.inventory = inventory as never;
    let stale: KubeObject[];
    try {
      stale = diffInventory(oldInventory, inventory);
    } catch (err) {
      throw this.fail(Reason.ReconciliationFailed, (err as Error).message, true);
    }
    const pruned = await this.timer.time('prune', () => pruneObjects(this.kube, this.obj, stale));
    if (pruned.error) {
      mergeInventory(inventory, pruned.survivors);
      throw this.fail(Reason.PruneFailed, pruned.error.message, true);
    }
    if (pruned.log) {
      this.opts.log.info(`garbage collection completed: ${pruned.log}`);
      this.r.event(this.obj, 'Normal', pruned.log, { revision: this.revision, origin: this.origin });
    }
  }

  /** Runs the health checks, setting or removing the Healthy condition. */
  async health(objects: KubeObject[], applied: { changeSet: ChangeSet; changed: string }): Promise<void> {
    const targets = healthCheckTargets(this.obj, applied.changeSet);
    if (targets.length === 0) {
      removeCondition(this.o, ConditionType.Healthy);
      return;
    }
    const wasHealthy = isTrue(this.o, ConditionType.Healthy);
    const isNewRevision = this.obj.status.lastAppliedRevision !== this.revision;
    const msg = this.with('Running health checks');
    this.r.c.markUnknown(this.o, ConditionType.Healthy, Reason.Progressing, msg);
    await this.progress(msg);
    const checkStart = this.r.clock.now();
    this.opts.onHealthChecks?.(true);
    try {
      await this.timer.time('health', () =>
        checkHealth(this.kube, targets, {
          timeoutMs: this.timeoutMs,
          intervalMs: this.r.opts.healthIntervalMs ?? 5000,
          failFast: this.r.opts.failFast ?? false,
          cel: this.opts.cel,
          jobsWithTTL: jobsWithTTL(objects),
          clock: this.r.clock,
          signal: this.opts.healthSignal ?? this.opts.signal,
        }),
      );
    } catch (err) {
      if (err instanceof HealthCheckCanceledError) {
        const ref = this.obj.spec.sourceRef;
        throw new EndRun({ kind: 'canceled', trigger: `${ref.kind}/${ref.namespace ?? this.obj.metadata.namespace}/${ref.name}` });
      }
      const message = `health check failed after ${formatDuration(this.r.clock.now() - checkStart)}: ${(err as Error).message}`;
      this.r.c.markFalse(this.o, ConditionType.Healthy, Reason.HealthCheckFailed, (err as Error).message);
      throw this.fail(Reason.HealthCheckFailed, message, true);
    } finally {
      this.opts.onHealthChecks?.(false);
    }
    const passed = `Health check passed in ${formatDuration(this.r.clock.now() - checkStart)}`;
    if (!wasHealthy || (isNewRevision && applied.changed !== '')) this.r.event(this.obj, 'Normal', passed, { revision: this.revision, origin: this.origin });
    this.r.c.markTrue(this.o, ConditionType.Healthy, Reason.Succeeded, passed);
    await this.timer.time('patch', () => this.patcher.patch(this.obj, { ownedConditions: OWNED }));
  }

  /** Records the applied revision, Ready=True and the history snapshot. */
  succeed(): RunOutcome {
    this.obj.status.lastAppliedRevision = this.revision;
    if (this.origin) this.obj.status.lastAppliedOriginRevision = this.origin;
    else delete this.obj.status.lastAppliedOriginRevision;
    this.r.c.markTrue(this.o, ConditionType.Ready, Reason.ReconciliationSucceeded, `Applied revision: ${this.revision}`);
    this.snapshot(Reason.ReconciliationSucceeded);
    return { kind: 'ok' };
  }

  /** The whole pipeline in a scratch directory. */
  async run(): Promise<RunOutcome> {
    this.r.c.markUnknown(this.o, ConditionType.Ready, Reason.Progressing, 'Reconciliation in progress');
    const oldInventory = structuredClone(this.obj.status.inventory) as ResourceInventory | undefined;
    const tmp = await this.r.tempDir();
    try {
      const root = `${tmp.dir}/src`;
      await this.fetch(root);
      const built = await this.build(root);
      const objects = built.manifests.map((m) => structuredClone(m.object));
      const applied = await this.apply(objects);
      await this.prune(oldInventory, applied.changeSet);
      await this.health(objects, applied);
      return this.succeed();
    } catch (err) {
      if (err instanceof EndRun) return err.outcome;
      throw err;
    } finally {
      await tmp.cleanup();
    }
  }
}

/** Runs the pipeline; never throws for expected failures (they become the outcome). */
export function runPipeline(r: KustomizationReconciler, obj: Obj, patcher: SerialPatcher<Obj>, artifact: Artifact, opts: RunOptions): Promise<RunOutcome> {
  return new PipelineRun(r, obj, patcher, artifact, opts).run();
}
