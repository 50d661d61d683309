// SPDX-License-Identifier: Apache-2.0
/**
 * The ImagePolicy reconciler, following image-reflector-controller's `imagepolicy_controller.go`:
 * get → deletion / finalizer / suspend → ordered steps `reconcileRepository`, `reconcileSelection`,
 * `reconcileDigest` → Ready and status patched once.
 *
 * It reads the tags the ImageRepository reconciler stored, applies `filterTags` and the policy,
 * and records `status.latestRef{name, tag, digest}` (the previous one moves to
 * `observedPreviousRef`). Digests are reflected by a manifest HEAD per `digestReflectionPolicy`:
 * `Never`, `IfNotPresent` (once per tag) or `Always` (every `spec.interval`).
 *
 * Conditions: `Ready` (True `Succeeded` "Latest image tag for … resolved to …"; False
 * `DependencyNotReady` while the repository is missing or has no tags, `AccessDenied` for a
 * refused cross-namespace reference, `Failure` when no tag matches, `Failed` when the digest
 * cannot be resolved), `Reconciling` while in progress or retrying, `Stalled` (`InvalidPolicy`,
 * `ImageURLInvalid`, `IntervalNotConfigured`).
 */
import { durationOr } from '@eddy/api/helpers';
import type { ImagePolicy, ImagePolicyStatus, ImageRef, ImageRepository } from '@eddy/api/image/v1';
import { ImageReflectorReason } from '@eddy/api/image/v1';
import type { KubeClient } from '@eddy/runtime/client';
import type { Clock } from '@eddy/runtime/clock';
import { realClock } from '@eddy/runtime/clock';
import type { ConditionSetters } from '@eddy/runtime/conditions';
import { settersFor } from '@eddy/runtime/conditions';
import type { EventRecorder } from '@eddy/runtime/events';
import { notifyReadiness } from '@eddy/runtime/events';
import type { MetricsRecorder } from '@eddy/runtime/metrics';
import type { ReconcileContext, ReconcileSkeleton, Reconciler, Request, Result, StepContext } from '@eddy/runtime/reconcile';
import { StallingError, TransientError, WaitingError, reconcileWithSkeleton } from '@eddy/runtime/reconcile';
import type { StepResult } from '@eddy/runtime/summarize';
import { nextRunResultBuilder } from '@eddy/runtime/summarize';
import { selectLatestTag } from '../policy/filter.ts';
import { InvalidPolicyError, policerFromSpec } from '../policy/policies.ts';
import { ImageUrlInvalidError, parseImageRepository } from '../scan/image-ref.ts';
import type { TagStore } from '../store/tag-store.ts';
import { AccessDeniedError, assertAccess, policyReadyMessage, refsEqual, repositoryRefOf } from './imagepolicy-helpers.ts';
import { IMAGE_REPOSITORY_GVK } from './imagerepository-reconciler.ts';
import { registryOptionsFor, scanTimeoutMs } from './registry-auth.ts';
import type { RegistryClient } from './registry-client.ts';
import type { ImageObject } from './reconcile-support.ts';
import { imageSkeletonBase } from './reconcile-support.ts';

/** `image.toolkit.fluxcd.io/v1` ImagePolicy. */
export const IMAGE_POLICY_GVK = { apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImagePolicy' } as const;

/** Options of {@link ImagePolicyReconciler}. */
export interface ImagePolicyReconcilerOptions {
  client: KubeClient;
  /** The tags stored by the ImageRepository reconciler. */
  store: TagStore;
  registry: RegistryClient;
  events?: EventRecorder;
  metrics?: MetricsRecorder;
  clock?: Clock;
  /** Refuse ImageRepositories in other namespaces (`--no-cross-namespace-refs`). @default false */
  noCrossNamespaceRefs?: boolean;
  /** Requeue while the repository is missing or has no tags (`--requeue-dependency`). @default 30000 */
  dependencyRequeueMs?: number;
  /** Field owner of status patches. @default 'gotk-image-reflector-controller' */
  controllerName?: string;
}

type Obj = ImagePolicy & ImageObject & { status: ImagePolicyStatus };

interface RunState {
  /** Requeue delay of a success: the digest refresh interval with `Always`, else none. */
  successMs: number;
  repo?: ImageRepository;
  latestTag?: string;
  readyMsg: string;
}

/** Reconciles ImagePolicy objects: selects the latest image of an ImageRepository. */
export class ImagePolicyReconciler implements Reconciler {
  private readonly clock: Clock;
  private readonly c: ConditionSetters;
  private readonly skeleton: ReconcileSkeleton<Obj, RunState>;

  constructor(private readonly opts: ImagePolicyReconcilerOptions) {
    this.clock = opts.clock ?? realClock;
    this.c = settersFor(this.clock);
    this.skeleton = {
      ...imageSkeletonBase(opts, IMAGE_POLICY_GVK, this.clock),
      newState: (obj) => ({ successMs: obj.spec.digestReflectionPolicy === 'Always' ? durationOr(obj.spec.interval, 600_000) : 0, readyMsg: '' }),
      preflight: (obj) => this.checkInterval(obj),
      steps: [(obj, st) => this.reconcileRepository(obj, st), (obj, st) => this.reconcileSelection(obj, st), (obj, st, ctx) => this.reconcileDigest(obj, st, ctx)],
      notify: (before, obj, st) => notifyReadiness(this.opts.events, before, obj, st.readyMsg),
      resultBuilder: (_obj, st) => nextRunResultBuilder(st.successMs),
    };
  }

  /** One reconcile of one ImagePolicy (see the module doc). */
  reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    return reconcileWithSkeleton(this.skeleton, req, ctx);
  }

  /** `digestReflectionPolicy: Always` without `spec.interval` stalls (`IntervalNotConfigured`), before anything is patched. */
  private checkInterval(obj: Obj): void {
    if (obj.spec.digestReflectionPolicy === 'Always' && !obj.spec.interval) {
      const msg = "spec.interval must be set when spec.digestReflectionPolicy is set to 'Always'";
      this.c.markFalse(obj, 'Ready', ImageReflectorReason.IntervalNotConfigured, msg);
      throw new StallingError(msg, { reason: ImageReflectorReason.IntervalNotConfigured });
    }
  }

  /**
   * reconcileRepository: gets the referenced ImageRepository (DependencyNotReady while missing,
   * AccessDenied when refused) and checks its image (ImageURLInvalid stalls).
   */
  private async reconcileRepository(obj: Obj, st: RunState): Promise<StepResult> {
    const ref = repositoryRefOf(obj);
    const fail = (reason: string, message: string, wait: boolean): never => {
      const msg = `failed to get the referred ImageRepository: ${message}`;
      this.c.markFalse(obj, 'Ready', reason, msg);
      throw wait ? new WaitingError(msg, this.opts.dependencyRequeueMs ?? 30_000, { reason }) : new TransientError(msg, { reason });
    };
    if (this.opts.noCrossNamespaceRefs && ref.namespace !== obj.metadata.namespace) {
      fail('AccessDenied', `cannot access 'ImageRepository/${ref.namespace}/${ref.name}', cross-namespace references have been blocked`, false);
    }
    const repo = await this.opts.client.get<ImageRepository & { [k: string]: unknown }>({ ...IMAGE_REPOSITORY_GVK, ...ref });
    if (!repo) {
      fail(ImageReflectorReason.DependencyNotReady, `referenced ImageRepository does not exist: imagerepositories.image.toolkit.fluxcd.io "${ref.name}" not found`, true);
    }
    try {
      await assertAccess(this.opts.client, obj.metadata.namespace ?? '', repo!);
    } catch (err) {
      if (err instanceof AccessDeniedError) fail('AccessDenied', `access denied: ${err.message}`, false);
      throw err;
    }
    try {
      parseImageRepository(repo!.spec.image, repo!.spec.insecure ?? false);
    } catch (err) {
      if (!(err instanceof ImageUrlInvalidError)) throw err;
      this.c.markFalse(obj, 'Ready', ImageReflectorReason.ImageURLInvalid, err.message);
      throw new StallingError(err.message, { reason: ImageReflectorReason.ImageURLInvalid });
    }
    st.repo = repo!;
    return 'success';
  }

  /**
   * reconcileSelection: applies `filterTags` and the policy to the stored tags. An invalid policy
   * or filter stalls (`InvalidPolicy`); no stored tags is DependencyNotReady; no matching tag is
   * Ready=False (`Failure`).
   */
  private async reconcileSelection(obj: Obj, st: RunState): Promise<StepResult> {
    const stall = (msg: string): never => {
      this.c.markFalse(obj, 'Ready', 'InvalidPolicy', msg);
      throw new StallingError(msg, { reason: 'InvalidPolicy' });
    };
    try {
      policerFromSpec(obj.spec.policy);
    } catch (err) {
      if (err instanceof InvalidPolicyError) stall(`invalid policy: ${err.message}`);
      throw err;
    }
    const repo = st.repo!;
    const tags = await this.opts.store.tags({ namespace: repo.metadata.namespace!, name: repo.metadata.name! });
    if (tags.length === 0) {
      const msg = 'no tags in database';
      this.c.markFalse(obj, 'Ready', ImageReflectorReason.DependencyNotReady, msg);
      throw new WaitingError(msg, this.opts.dependencyRequeueMs ?? 30_000, { reason: ImageReflectorReason.DependencyNotReady, event: false });
    }
    try {
      st.latestTag = selectLatestTag({ policy: obj.spec.policy, filterTags: obj.spec.filterTags }, tags);
    } catch (err) {
      if (err instanceof InvalidPolicyError) stall(err.message);
      const msg = `no tag of ImageRepository '${repo.metadata.namespace}/${repo.metadata.name}' matches the policy: ${(err as Error).message}`;
      this.c.markFalse(obj, 'Ready', 'Failure', msg);
      throw new TransientError(msg, { reason: 'Failure', cause: err });
    }
    return 'success';
  }

  /** reconcileDigest: resolves the digest per `digestReflectionPolicy` and records the latest image. */
  private async reconcileDigest(obj: Obj, st: RunState, ctx: StepContext<Obj>): Promise<StepResult> {
    const repo = st.repo!;
    const latest: ImageRef = { name: repo.spec.image, tag: st.latestTag! };
    const current = obj.status.latestRef;
    const mode = obj.spec.digestReflectionPolicy ?? 'Never';
    let fetch = mode === 'Always';
    if (mode === 'IfNotPresent') {
      fetch = !current || current.name !== latest.name || current.tag !== latest.tag || !current.digest;
      if (!fetch && current?.digest) latest.digest = current.digest;
    }
    if (fetch) latest.digest = await this.fetchDigest(obj, repo, latest, ctx);
    if (!refsEqual(current, latest)) {
      if (current) obj.status.observedPreviousRef = current;
      else delete obj.status.observedPreviousRef;
      obj.status.latestRef = latest;
    }
    st.readyMsg = policyReadyMessage(obj.status.latestRef!, obj.status.observedPreviousRef);
    this.c.markTrue(obj, 'Ready', ImageReflectorReason.Succeeded, st.readyMsg);
    return 'success';
  }

  private async fetchDigest(obj: Obj, repo: ImageRepository, latest: ImageRef, ctx: ReconcileContext): Promise<string> {
    const image = parseImageRepository(repo.spec.image, repo.spec.insecure ?? false);
    const reference = `${image.canonicalName}:${latest.tag}`;
    try {
      const access = await registryOptionsFor(this.opts.client, repo, image.registry);
      const timeoutMs = scanTimeoutMs(repo.spec.timeout ? durationOr(repo.spec.timeout, 60_000) : undefined, durationOr(repo.spec.interval, 300_000));
      return await this.opts.registry.headDigest(reference, { ...access, insecure: image.insecure, timeoutMs, signal: ctx.signal });
    } catch (err) {
      const msg = `failed fetching digest of ${latest.name}:${latest.tag}: ${(err as Error).message}`;
      this.c.markFalse(obj, 'Ready', 'Failed', msg);
      throw new TransientError(msg, { reason: 'Failed', cause: err });
    }
  }
}
