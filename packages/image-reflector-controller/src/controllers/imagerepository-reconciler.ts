// SPDX-License-Identifier: Apache-2.0
/**
 * The ImageRepository reconciler, following image-reflector-controller's
 * `imagerepository_controller.go`: get → deletion / finalizer / suspend → ordered steps
 * `reconcileImage`, `reconcileAuth`, `reconcileScan` → Ready and status patched once.
 *
 * Conditions: `Ready` (True `Succeeded` "successful scan: found N tags with checksum R"; False
 * `ImageURLInvalid`, `AuthenticationFailed`, `ReadOperationFailed`), `Reconciling` while a run is
 * in progress or retrying, `Stalled` for an invalid image or an unsupported configuration. The
 * scan runs when Flux would (first scan, reconcile request, new image name, new exclusion list,
 * nothing stored, or the interval elapsed) and the object is requeued for the next one. Tags go to
 * the {@link TagStore}; status carries `lastScanResult`, `canonicalImageName` and
 * `observedExclusionList`. A registry answering 401/403 is reported as `AuthenticationFailed`
 * (Flux says `ReadOperationFailed`); any other registry failure as `ReadOperationFailed`.
 */
import { durationOr, formatDuration } from '@eddy/api/helpers';
import type { ImageRepository, ImageRepositoryStatus } from '@eddy/api/image/v1';
import { ImageReflectorReason } from '@eddy/api/image/v1';
import type { KubeClient } from '@eddy/runtime/client';
import type { Clock } from '@eddy/runtime/clock';
import { realClock } from '@eddy/runtime/clock';
import type { ConditionSetters } from '@eddy/runtime/conditions';
import { ReconcileRequestAnnotation, settersFor } from '@eddy/runtime/conditions';
import type { EventRecorder } from '@eddy/runtime/events';
import { notifyReadiness } from '@eddy/runtime/events';
import type { MetricsRecorder } from '@eddy/runtime/metrics';
import { OciError } from '@eddy/runtime/oci';
import type { ReconcileContext, ReconcileSkeleton, Reconciler, Request, Result, StepContext } from '@eddy/runtime/reconcile';
import { StallingError, TransientError, reconcileWithSkeleton } from '@eddy/runtime/reconcile';
import type { StepResult } from '@eddy/runtime/summarize';
import { nextRunResultBuilder, progressiveStatus } from '@eddy/runtime/summarize';
import { ImageUrlInvalidError, parseImageRepository } from '../scan/image-ref.ts';
import type { ImageRepositoryRef } from '../scan/image-ref.ts';
import { effectiveExclusionList, scanRepository, shouldScan } from '../scan/scan.ts';
import type { ListTagsOptions, ScanReason } from '../scan/scan.ts';
import type { TagStore } from '../store/tag-store.ts';
import { RegistryAuthError, UnsupportedRegistryConfigError, registryOptionsFor, scanTimeoutMs } from './registry-auth.ts';
import type { RegistryClient } from './registry-client.ts';
import type { ImageObject } from './reconcile-support.ts';
import { IMAGE_READY_CONDITIONS, imageSkeletonBase } from './reconcile-support.ts';

/** `image.toolkit.fluxcd.io/v1` ImageRepository. */
export const IMAGE_REPOSITORY_GVK = { apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImageRepository' } as const;

/** Options of {@link ImageRepositoryReconciler}. */
export interface ImageRepositoryReconcilerOptions {
  client: KubeClient;
  /** Where scanned tags are stored (shared with the ImagePolicy reconciler). */
  store: TagStore;
  /** The registry client (shared with the ImagePolicy reconciler). */
  registry: RegistryClient;
  events?: EventRecorder;
  metrics?: MetricsRecorder;
  clock?: Clock;
  /** Field owner of status patches. @default 'gotk-image-reflector-controller' */
  controllerName?: string;
}

type Obj = ImageRepository & ImageObject & { status: ImageRepositoryStatus };

/** Per-run state shared by the steps. */
interface RunState {
  image?: ImageRepositoryRef;
  registry?: Omit<ListTagsOptions, 'insecure' | 'signal'>;
  /** Milliseconds until the next scan. */
  nextScanMs: number;
  /** The Trace event message when nothing changed. */
  nextScanMsg: string;
}

/** Reconciles ImageRepository objects: scans registries and stores their tags. */
export class ImageRepositoryReconciler implements Reconciler {
  private readonly clock: Clock;
  private readonly c: ConditionSetters;
  private readonly skeleton: ReconcileSkeleton<Obj, RunState>;

  constructor(private readonly opts: ImageRepositoryReconcilerOptions) {
    this.clock = opts.clock ?? realClock;
    this.c = settersFor(this.clock);
    this.skeleton = {
      ...imageSkeletonBase(opts, IMAGE_REPOSITORY_GVK, this.clock),
      newState: (obj) => ({ nextScanMs: durationOr(obj.spec.interval, 300_000), nextScanMsg: '' }),
      finalize: (obj) => this.opts.store.delete({ namespace: obj.metadata.namespace!, name: obj.metadata.name! }),
      steps: [(obj, st) => this.reconcileImage(obj, st), (obj, st) => this.reconcileAuth(obj, st), (obj, st, ctx) => this.reconcileScan(obj, st, ctx)],
      notify: (before, obj, st) => {
        const revision = obj.status.lastScanResult?.revision;
        const annotations: Record<string, string> = revision ? { 'image.toolkit.fluxcd.io/revision': revision } : {};
        notifyReadiness(this.opts.events, before, obj, st.nextScanMsg, annotations);
      },
      resultBuilder: (_obj, st) => nextRunResultBuilder(st.nextScanMs),
    };
  }

  /** One reconcile of one ImageRepository (see the module doc). */
  reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    return reconcileWithSkeleton(this.skeleton, req, ctx);
  }

  /** reconcileImage: parses `spec.image`; an invalid one stalls with `ImageURLInvalid`. */
  private async reconcileImage(obj: Obj, st: RunState): Promise<StepResult> {
    try {
      st.image = parseImageRepository(obj.spec.image, obj.spec.insecure ?? false);
    } catch (err) {
      if (!(err instanceof ImageUrlInvalidError)) throw err;
      this.c.markFalse(obj, 'Ready', ImageReflectorReason.ImageURLInvalid, err.message);
      throw new StallingError(err.message, { reason: ImageReflectorReason.ImageURLInvalid });
    }
    this.c.remove(obj, 'Stalled');
    return 'success';
  }

  /** reconcileAuth: reads credentials and TLS material (Ready=False `AuthenticationFailed` on failure). */
  private async reconcileAuth(obj: Obj, st: RunState): Promise<StepResult> {
    try {
      st.registry = await registryOptionsFor(this.opts.client, obj, st.image!.registry);
    } catch (err) {
      const msg = `failed to configure authentication options: ${(err as Error).message}`;
      this.c.markFalse(obj, 'Ready', ImageReflectorReason.AuthenticationFailed, msg);
      if (err instanceof UnsupportedRegistryConfigError) throw new StallingError(msg, { reason: ImageReflectorReason.AuthenticationFailed });
      if (err instanceof RegistryAuthError) throw new TransientError(msg, { reason: ImageReflectorReason.AuthenticationFailed });
      throw new TransientError(msg, { reason: ImageReflectorReason.AuthenticationFailed, cause: err });
    }
    return 'success';
  }

  /**
   * reconcileScan: scans when due (Reconciling "scanning: <reason>", Ready=Unknown when the store
   * lost the tags), stores the tags and records the scan; Ready=True with the tag count, requeued
   * for the next scan. Registry failures: `AuthenticationFailed` (401/403) or `ReadOperationFailed`.
   */
  private async reconcileScan(obj: Obj, st: RunState, ctx: StepContext<Obj>): Promise<StepResult> {
    const repo = { namespace: obj.metadata.namespace!, name: obj.metadata.name! };
    const image = st.image!;
    const intervalMs = durationOr(obj.spec.interval, 300_000);
    const now = this.clock.now();
    const decision = shouldScan(
      {
        canonicalImageName: image.canonicalName,
        intervalMs,
        exclusionList: obj.spec.exclusionList,
        status: {
          canonicalImageName: obj.status.canonicalImageName,
          observedExclusionList: obj.status.observedExclusionList,
          lastHandledReconcileAt: obj.status.lastHandledReconcileAt,
          lastScanResult: obj.status.lastScanResult?.scanTime ? { scanTime: obj.status.lastScanResult.scanTime } : undefined,
        },
        requestedAt: obj.metadata.annotations?.[ReconcileRequestAnnotation],
        storedTagCount: (await this.opts.store.tags(repo)).length,
      },
      now,
    );
    if (decision.scan) {
      await this.scan(obj, st, ctx, { reason: decision.reason, now });
    } else {
      st.nextScanMs = decision.nextInMs;
      st.nextScanMsg = `no change in repository configuration since last scan, next scan in ${formatDuration(decision.nextInMs)}`;
    }
    obj.status.canonicalImageName = image.canonicalName;
    obj.status.observedExclusionList = effectiveExclusionList(obj.spec.exclusionList);
    const scan = obj.status.lastScanResult!;
    this.c.markTrue(obj, 'Ready', ImageReflectorReason.Succeeded, `successful scan: found ${scan.tagCount} tags with checksum ${scan.revision ?? ''}`);
    return 'success';
  }

  /** Runs one scan (Reconciling "scanning: <reason>"), stores the tags and records the result. */
  private async scan(obj: Obj, st: RunState, ctx: StepContext<Obj>, due: { reason: ScanReason; now: number }): Promise<void> {
    const { store, registry } = this.opts;
    const { reason, now } = due;
    // With the tags gone, Ready=Unknown forces a transition that unblocks waiting ImagePolicies.
    progressiveStatus(obj, reason === 'no tags in database', `scanning: ${reason}`, this.clock);
    await ctx.patcher.patch(obj, { ownedConditions: IMAGE_READY_CONDITIONS.owned });
    const previous = obj.status.lastScanResult?.revision;
    const intervalMs = durationOr(obj.spec.interval, 300_000);
    const timeoutMs = scanTimeoutMs(obj.spec.timeout ? durationOr(obj.spec.timeout, 60_000) : undefined, intervalMs);
    const lister = { listTags: (r: string, o: ListTagsOptions) => registry.listTags(r, { ...o, timeoutMs, signal: ctx.signal }) };
    const repo = { namespace: obj.metadata.namespace!, name: obj.metadata.name! };
    try {
      const out = await scanRepository({ lister, store, repo, image: st.image!, exclusionList: obj.spec.exclusionList, now, listOptions: st.registry ?? {} });
      obj.status.lastScanResult = out.lastScanResult;
    } catch (err) {
      const msg = `scan failed: ${(err as Error).message}`;
      const failure = OciError.is(err, 'Unauthorized') ? ImageReflectorReason.AuthenticationFailed : ImageReflectorReason.ReadOperationFailed;
      this.c.markFalse(obj, 'Ready', failure, msg);
      throw new TransientError(msg, { reason: failure, cause: err });
    }
    st.nextScanMs = intervalMs;
    const next = `next scan in ${formatDuration(intervalMs)}`;
    st.nextScanMsg = previous !== undefined && previous === obj.status.lastScanResult.revision ? `tags did not change, ${next}` : `successful scan, ${next}`;
  }
}
