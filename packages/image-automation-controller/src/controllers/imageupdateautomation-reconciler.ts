// SPDX-License-Identifier: Apache-2.0
/**
 * The ImageUpdateAutomation reconciler, following image-automation-controller's
 * `imageupdateautomation_controller.go`: get → deletion / finalizer / suspend → ordered steps
 * `reconcilePolicies`, `reconcileSource`, `reconcileUpdate`, `reconcilePush` → Ready and status
 * patched once.
 *
 * A run lists the selected ImagePolicies, resolves the GitRepository and clones the checkout
 * reference (skipping the whole run when neither the remote nor the policies moved), runs the
 * setters over `spec.update.path`, and when something changed commits once with the templated
 * message and pushes to the push branch and refspec. Nothing changed: no commit. Status:
 * `lastAutomationRunTime`, `lastPushCommit`, `lastPushTime`, `observedPolicies`,
 * `observedSourceRevision`.
 *
 * Conditions: `Ready` (True `Succeeded` "repository up-to-date"; False `SourceManagerFailed`,
 * `GitOperationFailed`, `UpdateFailed`), `Reconciling` while in progress or retrying, `Stalled`
 * (`InvalidPolicySelector`, `InvalidSourceConfiguration`, `AccessDenied`, `InvalidUpdateStrategy`,
 * `RemovedTemplateField`). A failure before the push leaves the remote untouched: the commit only
 * ever exists in the run's temporary workspace.
 */
import { join, posix } from 'node:path';
import type { ImagePolicy, ImageRef, ImageUpdateAutomation, ImageUpdateAutomationStatus } from '@eddy/api/image/v1';
import { ImageAutomationReason } from '@eddy/api/image/v1';
import type { KubeClient } from '@eddy/runtime/client';
import type { Clock } from '@eddy/runtime/clock';
import { realClock } from '@eddy/runtime/clock';
import type { ConditionSetters } from '@eddy/runtime/conditions';
import { get, isReady, settersFor } from '@eddy/runtime/conditions';
import type { EventRecorder } from '@eddy/runtime/events';
import { FLUX_FINALIZER, addFinalizer, hasFinalizer, removeFinalizer } from '@eddy/runtime/finalizers';
import { parseDuration } from '@eddy/runtime/flags';
import type { CloneResult } from '@eddy/runtime/git';
import type { MetricsRecorder } from '@eddy/runtime/metrics';
import { SerialPatcher } from '@eddy/runtime/patch';
import type { ReconcileContext, Reconciler, Request, Result } from '@eddy/runtime/reconcile';
import { StallingError, TransientError } from '@eddy/runtime/reconcile';
import type { StepResult } from '@eddy/runtime/summarize';
import { lowestRequeuingResult, summarizeAndPatch } from '@eddy/runtime/summarize';
import { branchPerUpdatePrefix, planBranchUpdates } from '../branches/branch-per-update.ts';
import type { BranchPerUpdateSpec } from '../branches/branch-per-update.ts';
import { RemovedTemplateFieldError } from '../commit/message.ts';
import type { PolicyLike } from '../setters/markers.ts';
import type { UpdateResult } from '../setters/result.ts';
import { updateWithSetters } from '../setters/update-files.ts';
import type { PushOutcome } from './commit-push.ts';
import { commitAndPush, pushBranchPerUpdate } from './commit-push.ts';
import { GitWorkspace } from './git-workspace.ts';
import type { WorkspaceFeatures } from './git-workspace.ts';
import { PolicySelectorError, observedPoliciesChanged, observedPoliciesOf, selectPolicies } from './policy-selection.ts';
import type { ConditionedObject } from './reconcile-support.ts';
import { AUTOMATION_READY_CONDITIONS, READY_MESSAGE, beginRun, durationMs, intervalResultBuilder, metaTime } from './reconcile-support.ts';
import type { GitSourceConfig } from './source-config.ts';
import { InvalidSourceConfigError, SourceAccessDeniedError, buildSourceConfig } from './source-config.ts';

/** `image.toolkit.fluxcd.io/v1` ImageUpdateAutomation. */
export const IMAGE_UPDATE_AUTOMATION_GVK = { apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImageUpdateAutomation' } as const;

/** Options of {@link ImageUpdateAutomationReconciler}. */
export interface ImageUpdateAutomationReconcilerOptions {
  client: KubeClient;
  events?: EventRecorder;
  metrics?: MetricsRecorder;
  clock?: Clock;
  /** Refuse GitRepositories in other namespaces (`--no-cross-namespace-refs`). @default false */
  noCrossNamespaceRefs?: boolean;
  /** Feature gate `GitForcePushBranch`: force-push a push branch that differs from the checkout. @default true */
  forcePushBranch?: boolean;
  /** Feature gates `GitShallowClone` and `GitAllBranchReferences`. @default both true */
  features?: WorkspaceFeatures;
  /** Field owner of status patches. @default 'gotk-image-automation-controller' */
  controllerName?: string;
}

type Obj = ImageUpdateAutomation & ConditionedObject & { status: ImageUpdateAutomationStatus };

interface RunState {
  started: number;
  policies: ImagePolicy[];
  observed: Record<string, ImageRef>;
  syncNeeded: boolean;
  cfg?: GitSourceConfig;
  ws?: GitWorkspace;
  checkout?: CloneResult;
  /** The run stopped early: nothing moved since the last run. */
  upToDate: boolean;
  result?: UpdateResult;
  pushes: PushOutcome[];
}

type Step = (obj: Obj, st: RunState, ctx: ReconcileContext) => Promise<StepResult>;

/** Reconciles ImageUpdateAutomation objects: commits image updates back to Git. */
export class ImageUpdateAutomationReconciler implements Reconciler {
  private readonly clock: Clock;
  private readonly c: ConditionSetters;
  private readonly fieldOwner: string;

  constructor(private readonly opts: ImageUpdateAutomationReconcilerOptions) {
    this.clock = opts.clock ?? realClock;
    this.c = settersFor(this.clock);
    this.fieldOwner = opts.controllerName ?? 'gotk-image-automation-controller';
  }

  /** One reconcile of one ImageUpdateAutomation (see the module doc). */
  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const obj = await this.opts.client.get<Obj>({ ...IMAGE_UPDATE_AUTOMATION_GVK, namespace: req.namespace, name: req.name });
    if (!obj) return {};
    obj.status ??= {};
    const patcher = new SerialPatcher<Obj>(obj, this.opts.client, { fieldOwner: this.fieldOwner, clock: this.clock });
    const intervalMs = durationMs(obj.spec.interval, 600_000);
    const st: RunState = { started: this.clock.now(), policies: [], observed: {}, syncNeeded: false, upToDate: false, pushes: [] };
    let result: StepResult = 'empty';
    let error: unknown;
    try {
      if (obj.metadata.deletionTimestamp) {
        if (removeFinalizer(obj)) await patcher.patch(obj, { ignoreNotFoundWhenDeleting: true });
        this.opts.metrics?.deleteFor(obj);
        return {};
      }
      if (!hasFinalizer(obj)) {
        addFinalizer(obj, FLUX_FINALIZER);
        result = 'requeue';
      } else if (obj.spec.suspend) {
        ctx.log.info('reconciliation is suspended for this object');
      } else {
        ({ result, error } = await this.run(obj, patcher, st, ctx));
      }
    } catch (err) {
      error = err;
    }
    const out = await summarizeAndPatch(patcher, obj, AUTOMATION_READY_CONDITIONS, {
      result,
      reconcileError: error,
      resultBuilder: intervalResultBuilder(intervalMs),
      clock: this.clock,
      fieldOwner: this.fieldOwner,
    });
    this.recordMetrics(obj, st.started);
    if (out.error !== undefined) throw out.error;
    return out.result;
  }

  private async run(obj: Obj, patcher: SerialPatcher<Obj>, st: RunState, ctx: ReconcileContext): Promise<{ result: StepResult; error: unknown }> {
    const before = structuredClone(obj);
    let result: StepResult = 'empty';
    let error: unknown;
    obj.status.lastAutomationRunTime = metaTime(st.started);
    try {
      await beginRun(this.c, obj, patcher);
      const steps: Step[] = [this.reconcilePolicies, this.reconcileSource, this.reconcileUpdate, this.reconcilePush];
      for (const step of steps) {
        const r = await step.call(this, obj, st, ctx);
        if (r === 'requeue') return { result: r, error: undefined };
        result = lowestRequeuingResult(result, r);
      }
      this.c.markTrue(obj, 'Ready', 'Succeeded', READY_MESSAGE);
    } catch (err) {
      error = err;
      result = 'empty';
      if (get(obj, 'Ready')?.status !== 'False') this.c.markFalse(obj, 'Ready', 'Failed', (err as Error).message);
    } finally {
      await st.ws?.dispose();
    }
    this.notify(before, obj, st);
    return { result, error };
  }

  private stall(obj: Obj, reason: string, message: string): never {
    this.c.markFalse(obj, 'Ready', reason, message);
    throw new StallingError(message, { reason });
  }

  private fail(obj: Obj, reason: string, message: string, cause?: unknown): never {
    this.c.markFalse(obj, 'Ready', reason, message);
    throw new TransientError(message, { reason, cause });
  }

  /** reconcilePolicies: lists the selected ImagePolicies with a latest image; a bad selector stalls. */
  private async reconcilePolicies(obj: Obj, st: RunState): Promise<StepResult> {
    try {
      st.policies = await selectPolicies(this.opts.client, obj.metadata.namespace ?? '', obj.spec.policySelector);
    } catch (err) {
      if (err instanceof PolicySelectorError) this.stall(obj, ImageAutomationReason.InvalidPolicySelector, err.message);
      throw err;
    }
    st.observed = observedPoliciesOf(st.policies);
    st.syncNeeded = observedPoliciesChanged(obj.status.observedPolicies, st.observed);
    return 'success';
  }

  /**
   * reconcileSource: resolves the GitRepository (SourceManagerFailed; stalls on an invalid
   * configuration or a refused cross-namespace reference) and checks out the reference
   * (GitOperationFailed). When neither the remote nor the policies moved, the run ends here.
   */
  private async reconcileSource(obj: Obj, st: RunState, ctx: ReconcileContext): Promise<StepResult> {
    try {
      st.cfg = await buildSourceConfig(this.opts.client, obj, { noCrossNamespaceRefs: this.opts.noCrossNamespaceRefs ?? false, parseDuration });
    } catch (err) {
      if (err instanceof InvalidSourceConfigError) this.stall(obj, ImageAutomationReason.InvalidSourceConfiguration, err.message);
      if (err instanceof SourceAccessDeniedError) this.stall(obj, 'AccessDenied', err.message);
      this.fail(obj, ImageAutomationReason.SourceManagerFailed, `failed configuring source manager: ${(err as Error).message}`, err);
    }
    const cfg = st.cfg;
    const perBranch = this.branchPrefix(obj) !== undefined;
    if ((cfg.switchBranch && !perBranch) || cfg.refspec) st.syncNeeded = true;
    st.ws = await GitWorkspace.create(cfg, this.opts.features ?? {});
    try {
      await this.checkout(obj, st, perBranch, ctx.signal);
    } catch (err) {
      this.fail(obj, ImageAutomationReason.GitOperationFailed, `failed to checkout source: ${(err as Error).message}`, err);
    }
    return 'success';
  }

  /** Clones (skipping when the remote did not move), then switches to the push branch. */
  private async checkout(obj: Obj, st: RunState, perBranch: boolean, signal: AbortSignal): Promise<void> {
    const ws = st.ws!;
    const last = !st.syncNeeded ? obj.status.observedSourceRevision : undefined;
    st.checkout = await ws.checkout({ ...(last ? { lastObservedRevision: last } : {}), signal });
    if (st.checkout.skipped) {
      if (!st.syncNeeded) {
        st.upToDate = true;
        return;
      }
      st.checkout = await ws.checkout({ signal });
    }
    if (!st.checkout.commit) throw new Error('git repository is empty');
    if (st.cfg!.switchBranch && !perBranch) await ws.switchToPushBranch(signal);
  }

  /** reconcileUpdate: runs the setters over `spec.update.path` (UpdateFailed on error). */
  private async reconcileUpdate(obj: Obj, st: RunState): Promise<StepResult> {
    if (st.upToDate) return 'success';
    const strategy = obj.spec.update?.strategy ?? 'Setters';
    if (strategy !== 'Setters') this.stall(obj, ImageAutomationReason.InvalidUpdateStrategy, `update strategy '${strategy}' not supported`);
    try {
      const outcome = await updateWithSetters(this.updatePath(obj, st.ws!.dir), st.policies as PolicyLike[]);
      st.result = outcome.result;
    } catch (err) {
      this.fail(obj, ImageAutomationReason.UpdateFailed, `failed to apply policies: ${(err as Error).message}`, err);
    }
    if (st.result.empty) this.recordObservations(obj, st);
    return 'success';
  }

  /**
   * reconcilePush: commits the changes with the templated message and pushes them (a template
   * using removed fields stalls `RemovedTemplateField`; git failures are GitOperationFailed).
   */
  private async reconcilePush(obj: Obj, st: RunState, ctx: ReconcileContext): Promise<StepResult> {
    if (st.upToDate || !st.result || st.result.empty) return 'success';
    const cfg = st.cfg!;
    const input = { automation: obj, date: metaTime(this.clock.now()), forcePushBranch: this.opts.forcePushBranch ?? true, signal: ctx.signal };
    try {
      const prefix = this.branchPrefix(obj);
      if (prefix !== undefined) {
        const plans = planBranchUpdates(st.result, st.policies as PolicyLike[], prefix);
        const base = { ...input, baseHash: st.checkout!.commit!.hash, updatePath: (dir: string) => this.updatePath(obj, dir) };
        st.pushes = await pushBranchPerUpdate(st.ws!, cfg, base, plans);
      } else {
        const pushed = await commitAndPush(st.ws!, cfg, input, st.result);
        st.pushes = pushed ? [pushed] : [];
      }
    } catch (err) {
      if (err instanceof RemovedTemplateFieldError) this.stall(obj, ImageAutomationReason.RemovedTemplateField, err.message);
      this.fail(obj, ImageAutomationReason.GitOperationFailed, `failed to update source: ${(err as Error).message}`, err);
    }
    const last = st.pushes[st.pushes.length - 1];
    if (last) {
      obj.status.lastPushCommit = last.hash;
      obj.status.lastPushTime = metaTime(this.clock.now());
    }
    const pushedOnBranch = !cfg.switchBranch && this.branchPrefix(obj) === undefined;
    this.recordObservations(obj, st, pushedOnBranch ? last?.revision : undefined);
    return 'success';
  }

  /** Records the source revision the run worked from (or pushed) and the observed policies. */
  private recordObservations(obj: Obj, st: RunState, pushedRevision?: string): void {
    obj.status.observedSourceRevision = pushedRevision ?? st.checkout!.revision;
    obj.status.observedPolicies = st.observed;
  }

  private branchPrefix(obj: Obj): string | undefined {
    const push = obj.spec.git?.push as { branchPerUpdate?: BranchPerUpdateSpec } | undefined;
    return branchPerUpdatePrefix(push, obj.metadata.annotations);
  }

  /** `spec.update.path` inside the checkout; `..` cannot climb out (Flux uses SecureJoin). */
  private updatePath(obj: Obj, dir: string): string {
    const rel = posix.normalize(`/${obj.spec.update?.path ?? ''}`);
    return join(dir, rel);
  }

  /** Flux's `notify`: the pushed commit on a push, readiness changes, else a Trace. */
  private notify(before: Obj, after: Obj, st: RunState): void {
    const events = this.opts.events;
    const ready = get(after, 'Ready');
    if (!events || !ready) return;
    const last = st.pushes[st.pushes.length - 1];
    const annotations = last ? { annotations: { 'image.toolkit.fluxcd.io/revision': last.revision } } : {};
    const msg = last ? st.pushes.map((p) => `pushed commit '${p.hash}' to 'refs/heads/${p.branch}'\n${p.message}`).join('\n') : ready.message;
    if (isReady(after) && (last || !isReady(before))) events.event(after, 'Normal', ready.reason, msg, annotations);
    else if (!isReady(after)) events.event(after, 'Warning', ready.reason, ready.message);
    else events.event(after, 'Trace', 'Succeeded', st.syncNeeded || !st.upToDate ? msg : 'no change since last reconciliation');
  }

  private recordMetrics(obj: Obj, started: number): void {
    const m = this.opts.metrics;
    if (!m) return;
    m.recordDuration(obj, started, this.clock.now());
    m.recordSuspend(obj, obj.spec.suspend ?? false);
    const ready = get(obj, 'Ready');
    if (ready) m.recordCondition(obj, ready);
  }
}
