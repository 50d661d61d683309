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
import { durationOr } from '@eddy/api/helpers';
import type { ImagePolicy, ImageRef, ImageUpdateAutomation, ImageUpdateAutomationStatus } from '@eddy/api/image/v1';
import { ImageAutomationReason } from '@eddy/api/image/v1';
import type { KubeClient } from '@eddy/runtime/client';
import type { Clock } from '@eddy/runtime/clock';
import { realClock } from '@eddy/runtime/clock';
import type { ConditionSetters } from '@eddy/runtime/conditions';
import { formatTime, get, isReady, settersFor } from '@eddy/runtime/conditions';
import type { EventRecorder } from '@eddy/runtime/events';
import { parseDuration } from '@eddy/runtime/flags';
import type { CloneResult } from '@eddy/runtime/git';
import type { MetricsRecorder } from '@eddy/runtime/metrics';
import type { ReconcileContext, ReconcileSkeleton, Reconciler, Request, Result } from '@eddy/runtime/reconcile';
import { StallingError, TransientError, reconcileWithSkeleton } from '@eddy/runtime/reconcile';
import type { StepResult } from '@eddy/runtime/summarize';
import { alwaysRequeueResultBuilder } from '@eddy/runtime/summarize';
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
import { AUTOMATION_READY_CONDITIONS, READY_MESSAGE } from './reconcile-support.ts';
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

/** Reconciles ImageUpdateAutomation objects: commits image updates back to Git. */
export class ImageUpdateAutomationReconciler implements Reconciler {
  private readonly clock: Clock;
  private readonly c: ConditionSetters;
  private readonly skeleton: ReconcileSkeleton<Obj, RunState>;

  constructor(private readonly opts: ImageUpdateAutomationReconcilerOptions) {
    this.clock = opts.clock ?? realClock;
    this.c = settersFor(this.clock);
    this.skeleton = {
      client: opts.client,
      gvk: IMAGE_UPDATE_AUTOMATION_GVK,
      conditions: AUTOMATION_READY_CONDITIONS,
      fieldOwner: opts.controllerName ?? 'gotk-image-automation-controller',
      clock: this.clock,
      ...(opts.metrics ? { metrics: opts.metrics } : {}),
      newState: (_obj, started) => ({ started, policies: [], observed: {}, syncNeeded: false, upToDate: false, pushes: [] }),
      preflight: (obj, st) => {
        obj.status.lastAutomationRunTime = formatTime(st.started);
      },
      steps: [
        (obj, st) => this.reconcilePolicies(obj, st),
        (obj, st, ctx) => this.reconcileSource(obj, st, ctx),
        (obj, st) => this.reconcileUpdate(obj, st),
        (obj, st, ctx) => this.reconcilePush(obj, st, ctx),
      ],
      succeeded: (obj) => this.c.markTrue(obj, 'Ready', 'Succeeded', READY_MESSAGE),
      dispose: async (st) => {
        await st.ws?.dispose();
      },
      notify: (before, obj, st) => this.notify(before, obj, st),
      resultBuilder: (obj) => alwaysRequeueResultBuilder(durationOr(obj.spec.interval, 600_000)),
    };
  }

  /** One reconcile of one ImageUpdateAutomation (see the module doc). */
  reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    return reconcileWithSkeleton(this.skeleton, req, ctx);
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
    const input = { automation: obj, date: formatTime(this.clock.now()), forcePushBranch: this.opts.forcePushBranch ?? true, signal: ctx.signal };
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
      obj.status.lastPushTime = formatTime(this.clock.now());
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
}
