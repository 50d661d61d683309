// SPDX-License-Identifier: Apache-2.0
/**
 * The Kustomization reconciler, following kustomize-controller's `kustomization_controller.go`:
 * get → deletion (prune per `deletionPolicy`) / finalizer / suspend → CEL check → source →
 * dependencies → fetch → generate/build/decrypt/substitute → apply (SSA, staged) → prune →
 * health checks → `finalizeStatus`, with status patched at Flux's checkpoints and once at the end.
 *
 * Conditions: Ready (ReconciliationSucceeded; ArtifactFailed, BuildFailed, ReconciliationFailed,
 * PruneFailed, HealthCheckFailed, HealthCheckCanceled, DependencyNotReady; Unknown/Progressing
 * during a run), Reconciling (abnormal-true; ProgressingWithRetry after a failure), Stalled
 * (InvalidCELExpression, AccessDenied), Healthy (when health checks are configured).
 * Requeues: interval (jittered) on success, retryInterval on failure, the dependency interval
 * while waiting for sources or dependencies.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatDuration, kustomizationDeletionPolicy, type Artifact, kustomizationRetryIntervalMs, kustomizationTimeoutMs, parseDuration, type Kustomization } from '@eddy/api';
import type { KubeClient } from '@eddy/runtime/client';
import { realClock, type Clock } from '@eddy/runtime/clock';
import { ConditionType, Reason, isTrue, remove as removeCondition, settersFor } from '@eddy/runtime/conditions';
import type { EventRecorder } from '@eddy/runtime/events';
import { FLUX_FINALIZER, addFinalizer, hasFinalizer, removeFinalizer } from '@eddy/runtime/finalizers';
import { OwnWritesClient, SerialPatcher } from '@eddy/runtime/patch';
import type { ReconcileContext, Reconciler, Request, Result } from '@eddy/runtime/reconcile';
import { StallingError, TransientError } from '@eddy/runtime/reconcile';
import { finalizeStatus } from '@eddy/runtime/summarize';
import { CelStatusEvaluators, InvalidCELExpressionError } from '@eddy/runtime/cel';
import { listInventory, type ResourceInventory } from '../inventory/inventory.ts';
import { deleteAll, waitForTermination } from '../apply/prune.ts';
import { runPipeline, type RunOutcome } from './kustomization-run.ts';
import { AccessDeniedError, DependencyNotReadyError, SourceNotFoundError, checkDependencies, getSource, originRevision } from './source.ts';
import type { ArtifactCache } from '../artifact/cache.ts';
import type { DecryptionOptions } from './decryption.ts';
import { Impersonator } from './impersonation.ts';
import { StepTimer } from './step-timer.ts';

/** Options of {@link KustomizationReconciler}. */
export interface KustomizationReconcilerOptions {
  client: KubeClient;
  events?: EventRecorder;
  clock?: Clock;
  /** Field manager of applied objects. @default 'kustomize-controller' */
  fieldManager?: string;
  /** Field owner of status patches. @default 'gotk-kustomize-controller' */
  statusManager?: string;
  /** The kustomize binary. */
  kustomizePath?: string;
  noRemoteBases?: boolean;
  noCrossNamespaceRefs?: boolean;
  allowExternalArtifact?: boolean;
  strictSubstitutions?: boolean;
  additiveCELDependencyCheck?: boolean;
  failFast?: boolean;
  customStageKinds?: string[];
  disallowedFieldManagers?: string[];
  /** Requeue while the source or dependencies are not ready (`--requeue-dependency`). @default 30000 */
  dependencyRequeueMs?: number;
  /** Artifact download retries (`--artifact-fetch-retries`). @default 9 */
  artifactFetchRetries?: number;
  /** Artifact host override (`SOURCE_CONTROLLER_LOCALHOST`). */
  sourceHostOverride?: string;
  /** Health check poll interval. @default 5000 */
  healthIntervalMs?: number;
  decryption?: DecryptionOptions;
  /** `--default-service-account`: impersonated when a Kustomization names none. */
  defaultServiceAccount?: string;
  /** `--insecure-kubeconfig-exec` and `--insecure-kubeconfig-tls` for `spec.kubeConfig` Secrets. */
  insecureKubeconfig?: { exec?: boolean; tls?: boolean };
  /** Jitter of the success requeue, as a fraction. @default 0.05 */
  intervalJitter?: number;
  /** Extracted artifacts shared by Kustomizations building the same digest. @default none: every run downloads */
  artifactCache?: ArtifactCache;
}

type Obj = Kustomization & { status: NonNullable<Kustomization['status']> & Record<string, unknown> };

const OWNED = [ConditionType.Healthy, ConditionType.Ready, ConditionType.Reconciling, ConditionType.Stalled];

/** Reconciles Kustomization objects. */
export class KustomizationReconciler implements Reconciler {
  readonly clock: Clock;
  /** Condition setters bound to the reconciler's clock. */
  readonly c: ReturnType<typeof settersFor>;
  /** Clients impersonating `spec.serviceAccountName`. */
  readonly impersonator: Impersonator;
  private readonly inflight = new Map<string, { revision: string; health: AbortController; checking: boolean }>();

  constructor(readonly opts: KustomizationReconcilerOptions) {
    this.clock = opts.clock ?? realClock;
    this.c = settersFor(this.clock);
    this.impersonator = new Impersonator(opts.client, {
      ...(opts.defaultServiceAccount ? { defaultServiceAccount: opts.defaultServiceAccount } : {}),
      insecureKubeconfigExec: opts.insecureKubeconfig?.exec ?? false,
      insecureKubeconfigTls: opts.insecureKubeconfig?.tls ?? false,
    });
  }

  /**
   * Cancels the health checks `ns/name` is running when its source moved to another revision (the
   * other steps of a run always finish; the new revision is reconciled next).
   * @returns whether health checks were running and got cancelled.
   */
  cancelHealthChecks(namespace: string, name: string, revision: string): boolean {
    const run = this.inflight.get(`${namespace}/${name}`);
    if (!run || run.revision === revision || !run.checking) return false;
    run.health.abort(new Error(`new revision ${revision}`));
    return true;
  }

  /** Emits a Flux-style event with revision metadata. */
  event(obj: Obj, type: 'Normal' | 'Warning', message: string, meta: { revision?: string; origin?: string; extra?: Record<string, string> } = {}): void {
    const ann: Record<string, string> = { ...meta.extra };
    if (meta.revision) ann['kustomize.toolkit.fluxcd.io/revision'] = meta.revision;
    if (meta.origin) ann['kustomize.toolkit.fluxcd.io/originRevision'] = meta.origin;
    const reason = (obj.status.conditions ?? []).find((c) => c.type === 'Ready')?.reason ?? (type === 'Warning' ? 'error' : 'info');
    this.opts.events?.annotatedEvent(obj as never, ann, type, reason, message);
  }

  /** One reconcile of one Kustomization (see the module doc). */
  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const timer = new StepTimer(this.clock);
    const ref = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', namespace: req.namespace, name: req.name };
    const obj = await timer.time('get', () => this.opts.client.get<Obj>(ref));
    if (!obj) return {};
    obj.status ??= {} as Obj['status'];
    // The patcher reads before each conditions patch; answer with our own last write (see OwnWritesClient).
    const patcher = new SerialPatcher<Obj>(obj, new OwnWritesClient(this.opts.client, obj as never), { fieldOwner: this.opts.statusManager ?? 'gotk-kustomize-controller', clock: this.clock });
    const start = this.clock.now();
    if (obj.metadata.deletionTimestamp) return this.finalize(obj, patcher, ctx);
    if (!hasFinalizer(obj)) {
      addFinalizer(obj, FLUX_FINALIZER);
      await timer.time('patch', () => patcher.patch(obj, { ownedConditions: OWNED }));
    }
    let result: Result = {};
    let thrown: unknown;
    try {
      result = await this.run(obj, patcher, ctx, timer);
    } catch (err) {
      thrown = err;
    }
    finalizeStatus(obj as never, this.clock);
    await timer.time('patch', () => patcher.patch(obj, { ownedConditions: OWNED, forceOverwriteConditions: true }));
    ctx.log.debug('reconcile steps', timer.fields());
    if (!obj.spec.suspend && isTrue(obj as never, ConditionType.Ready)) {
      const interval = parseDuration(obj.spec.interval);
      const msg = `Reconciliation finished in ${formatDuration(this.clock.now() - start)}, next run in ${interval.ok ? formatDuration(interval.value) : obj.spec.interval}`;
      ctx.log.info(msg, { revision: obj.status.lastAttemptedRevision });
      this.event(obj, 'Normal', msg, {
        revision: obj.status.lastAppliedRevision ?? '',
        origin: obj.status.lastAppliedOriginRevision ?? '',
        extra: { 'kustomize.toolkit.fluxcd.io/commit_status': 'update' },
      });
    }
    if (thrown !== undefined) throw thrown;
    return result;
  }

  private retryMs(obj: Obj): number {
    const r = kustomizationRetryIntervalMs(obj.spec);
    return r.ok ? r.value : 60_000;
  }

  private successMs(obj: Obj): number {
    const r = parseDuration(obj.spec.interval);
    const base = r.ok ? r.value : 600_000;
    const j = this.opts.intervalJitter ?? 0.05;
    return Math.round(base * (1 - j + Math.random() * 2 * j));
  }

  private stall(obj: Obj, reason: string, message: string): never {
    this.c.markFalse(obj as never, ConditionType.Ready, reason, message);
    this.c.markStalled(obj as never, reason, message);
    obj.status.observedGeneration = obj.metadata.generation ?? 0;
    this.event(obj, 'Warning', message);
    throw new StallingError(message, { reason });
  }

  private async run(obj: Obj, patcher: SerialPatcher<Obj>, ctx: ReconcileContext, timer: StepTimer): Promise<Result> {
    if (obj.spec.suspend) {
      ctx.log.info('Reconciliation is suspended for this object');
      return {};
    }
    let cel: CelStatusEvaluators;
    try {
      cel = CelStatusEvaluators.compile(obj.spec.healthCheckExprs ?? []);
    } catch (err) {
      return this.stall(obj, Reason.InvalidCELExpression, `Reconciliation failed terminally due to configuration error: ${(err as Error).message}`);
    }
    if ((obj.spec.decryption as { serviceAccountName?: string } | undefined)?.serviceAccountName) {
      // Object-level workload identity (cloud KMS) is not implemented: Flux's answer with the gate off.
      const msg = 'to use spec.decryption.serviceAccountName for decryption authentication please enable the ObjectLevelWorkloadIdentity feature gate in the controller';
      this.c.markFalse(obj as never, ConditionType.Ready, Reason.FeatureGateDisabled, msg);
      this.c.markStalled(obj as never, Reason.FeatureGateDisabled, msg);
      ctx.log.error(msg);
      this.event(obj, 'Warning', msg);
      return {};
    }
    const depMs = this.opts.dependencyRequeueMs ?? 30_000;
    const artifact = await timer.time('source', () => this.resolveArtifact(obj, ctx, depMs));
    if (!('revision' in artifact)) return artifact;
    const waiting = await this.waitForDependencies(obj, artifact, ctx, depMs);
    if (waiting) return waiting;
    const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
    const run = { revision: artifact.revision, health: new AbortController(), checking: false };
    this.inflight.set(key, run);
    let outcome: RunOutcome;
    try {
      outcome = await runPipeline(this, obj, patcher, artifact, {
        cel,
        signal: ctx.signal,
        healthSignal: AbortSignal.any([ctx.signal, run.health.signal]),
        onHealthChecks: (active) => (run.checking = active),
        log: ctx.log,
        timer,
      });
    } finally {
      this.inflight.delete(key);
    }
    return this.outcomeResult(obj, outcome, { revision: artifact.revision, origin: originRevision(artifact), depMs }, ctx);
  }

  /** The source's artifact, or the result to return while there is none. */
  private async resolveArtifact(obj: Obj, ctx: ReconcileContext, depMs: number): Promise<Artifact | Result> {
    let src;
    try {
      src = await getSource(this.opts.client, obj, this.opts);
    } catch (err) {
      const msg = (err as Error).message;
      this.c.markFalse(obj as never, ConditionType.Ready, Reason.ArtifactFailed, msg);
      if (err instanceof SourceNotFoundError) {
        const ref = obj.spec.sourceRef;
        ctx.log.info(`Source '${ref.kind}/${ref.namespace ?? obj.metadata.namespace}/${ref.name}' not found`);
        return { requeueAfterMs: this.retryMs(obj) };
      }
      if (err instanceof AccessDeniedError) return this.stall(obj, 'AccessDenied', msg);
      throw new TransientError(msg, { reason: Reason.ArtifactFailed, cause: err });
    }
    const artifact = src.status?.artifact;
    if (artifact) return artifact;
    const msg = `Source artifact not found, retrying in ${formatDuration(depMs)}`;
    this.c.markFalse(obj as never, ConditionType.Ready, Reason.ArtifactFailed, msg);
    ctx.log.info(msg);
    return { requeueAfterMs: depMs };
  }

  /** `undefined` when every dependency is ready, else the result to return. */
  private async waitForDependencies(obj: Obj, artifact: Artifact, ctx: ReconcileContext, depMs: number): Promise<Result | undefined> {
    if ((obj.spec.dependsOn ?? []).length === 0) return undefined;
    try {
      await checkDependencies(this.opts.client, obj, artifact, { additiveCEL: this.opts.additiveCELDependencyCheck ?? false });
    } catch (err) {
      if (err instanceof InvalidCELExpressionError) {
        return this.stall(obj, Reason.InvalidCELExpression, `Reconciliation failed terminally due to configuration error: ${err.message}`);
      }
      const reason = err instanceof DependencyNotReadyError ? err.message : String(err);
      this.c.markFalse(obj as never, ConditionType.Ready, Reason.DependencyNotReady, reason);
      const msg = `Dependencies do not meet ready condition, retrying in ${formatDuration(depMs)}`;
      ctx.log.info(msg);
      this.event(obj, 'Normal', msg, { revision: artifact.revision, origin: originRevision(artifact) });
      return { requeueAfterMs: depMs };
    }
    ctx.log.info('All dependencies are ready, proceeding with reconciliation');
    return undefined;
  }

  private outcomeResult(obj: Obj, outcome: RunOutcome, at: { revision: string; origin: string; depMs: number }, ctx: ReconcileContext): Result {
    const rev = { revision: at.revision, origin: at.origin };
    const depMs = at.depMs;
    switch (outcome.kind) {
      case 'ok':
        return { requeueAfterMs: this.successMs(obj) };
      case 'artifact-missing': {
        const msg = `Source is not ready, artifact not found, retrying in ${formatDuration(depMs)}`;
        this.c.markFalse(obj as never, ConditionType.Ready, Reason.ArtifactFailed, msg);
        ctx.log.info(msg);
        return { requeueAfterMs: depMs };
      }
      case 'canceled': {
        this.c.markFalse(obj as never, ConditionType.Ready, Reason.HealthCheckCanceled, `New reconciliation triggered by ${outcome.trigger}`);
        this.event(obj, 'Normal', `Health checks canceled due to new reconciliation triggered by ${outcome.trigger}`, rev);
        return { requeueAfterMs: 1 };
      }
      case 'failed': {
        const retry = this.retryMs(obj);
        ctx.log.error(`Reconciliation failed after ${formatDuration(outcome.durationMs)}, next try in ${formatDuration(retry)}`, { revision: at.revision, error: outcome.message });
        this.event(obj, 'Warning', outcome.message, rev);
        return { requeueAfterMs: retry };
      }
    }
  }

  /** Deletion: prune the inventory per `deletionPolicy`, then drop the finalizer. */
  private async finalize(obj: Obj, patcher: SerialPatcher<Obj>, ctx: ReconcileContext): Promise<Result> {
    const inv = obj.status.inventory as ResourceInventory | undefined;
    const policy = kustomizationDeletionPolicy(obj.spec);
    const prune = policy === 'Delete' || policy === 'WaitForTermination' || (policy === 'MirrorPrune' && obj.spec.prune === true);
    if (prune && !obj.spec.suspend && (inv?.entries?.length ?? 0) > 0) await this.pruneOnDeletion(obj, inv, policy, ctx);
    if (removeFinalizer(obj, FLUX_FINALIZER)) {
      removeCondition(obj as never, ConditionType.Reconciling);
      await patcher.patch(obj, { ownedConditions: OWNED, ignoreNotFoundWhenDeleting: true });
    }
    return {};
  }

  /** Deletes the inventory of a deleted Kustomization as its service account. */
  private async pruneOnDeletion(obj: Obj, inv: ResourceInventory | undefined, policy: string, ctx: ReconcileContext): Promise<void> {
    let objects: ReturnType<typeof listInventory>;
    try {
      objects = listInventory(inv);
    } catch {
      objects = [];
    }
    const rev = { revision: obj.status.lastAppliedRevision ?? '', origin: obj.status.lastAppliedOriginRevision ?? '' };
    if (!(await this.impersonator.canImpersonate(obj))) {
      // The account is gone: report the objects left behind and let the deletion finish.
      const msg = `unable to prune objects: \n${objects.map((o) => `${o.kind}/${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`).join('\n')}`;
      ctx.log.error('skipping pruning, failed to find account to impersonate', { objects: msg });
      this.event(obj, 'Warning', msg, rev);
      return;
    }
    const client = await this.impersonator.clientFor(obj);
    const res = await deleteAll(client, objects, { name: obj.metadata.name ?? '', namespace: obj.metadata.namespace ?? '' });
    if (res.error) {
      this.event(obj, 'Warning', 'pruning for deleted resource failed', rev);
      throw new TransientError(res.error.message, { reason: Reason.PruneFailed });
    }
    if (res.changeSet.entries.length === 0) return;
    this.event(obj, 'Normal', res.changeSet.toString(), rev);
    if (policy !== 'WaitForTermination') return;
    const t = kustomizationTimeoutMs(obj.spec);
    try {
      await waitForTermination(client, res.changeSet, { timeoutMs: t.ok ? t.value : 60_000, clock: this.clock, signal: ctx.signal });
    } catch (err) {
      ctx.log.error('failed to wait for resources termination', { error: (err as Error).message });
      this.event(obj, 'Warning', 'failed to wait for resources termination', { revision: rev.revision });
    }
  }

  /** A scratch directory for one run. */
  async tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
    const dir = await mkdtemp(join(tmpdir(), 'kustomization-'));
    return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
  }
}
