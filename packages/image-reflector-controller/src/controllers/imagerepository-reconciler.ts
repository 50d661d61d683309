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
import type { ImageRepository, ImageRepositoryStatus } from '@eddy/api/image/v1';
import { ImageReflectorReason } from '@eddy/api/image/v1';
import type { KubeClient } from '@eddy/runtime/client';
import type { Clock } from '@eddy/runtime/clock';
import { realClock } from '@eddy/runtime/clock';
import type { ConditionSetters } from '@eddy/runtime/conditions';
import { get, settersFor } from '@eddy/runtime/conditions';
import type { EventRecorder } from '@eddy/runtime/events';
import { FLUX_FINALIZER, addFinalizer, hasFinalizer, removeFinalizer } from '@eddy/runtime/finalizers';
import type { MetricsRecorder } from '@eddy/runtime/metrics';
import { OciError } from '@eddy/runtime/oci';
import { SerialPatcher } from '@eddy/runtime/patch';
import type { ReconcileContext, Reconciler, Request, Result } from '@eddy/runtime/reconcile';
import { StallingError, TransientError } from '@eddy/runtime/reconcile';
import type { StepResult } from '@eddy/runtime/summarize';
import { lowestRequeuingResult, summarizeAndPatch } from '@eddy/runtime/summarize';
import { ImageUrlInvalidError, parseImageRepository } from '../scan/image-ref.ts';
import type { ImageRepositoryRef } from '../scan/image-ref.ts';
import { effectiveExclusionList, scanRepository, shouldScan } from '../scan/scan.ts';
import type { ListTagsOptions, ScanReason } from '../scan/scan.ts';
import type { TagStore } from '../store/tag-store.ts';
import { RegistryAuthError, UnsupportedRegistryConfigError, registryOptionsFor, scanTimeoutMs } from './registry-auth.ts';
import type { RegistryClient } from './registry-client.ts';
import type { ImageObject } from './reconcile-support.ts';
import { IMAGE_READY_CONDITIONS, REQUESTED_AT, beginRun, durationMs, goDuration, nextRunResultBuilder, notifyReadiness, progressive } from './reconcile-support.ts';

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
  started: number;
  image?: ImageRepositoryRef;
  registry?: Omit<ListTagsOptions, 'insecure' | 'signal'>;
  /** Milliseconds until the next scan. */
  nextScanMs: number;
  /** The Trace event message when nothing changed. */
  nextScanMsg: string;
}

type Step = (obj: Obj, patcher: SerialPatcher<Obj>, st: RunState, ctx: ReconcileContext) => Promise<StepResult>;

/** Reconciles ImageRepository objects: scans registries and stores their tags. */
export class ImageRepositoryReconciler implements Reconciler {
  private readonly clock: Clock;
  private readonly c: ConditionSetters;
  private readonly fieldOwner: string;

  constructor(private readonly opts: ImageRepositoryReconcilerOptions) {
    this.clock = opts.clock ?? realClock;
    this.c = settersFor(this.clock);
    this.fieldOwner = opts.controllerName ?? 'gotk-image-reflector-controller';
  }

  /** One reconcile of one ImageRepository (see the module doc). */
  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const obj = await this.opts.client.get<Obj>({ ...IMAGE_REPOSITORY_GVK, namespace: req.namespace, name: req.name });
    if (!obj) return {};
    obj.status ??= {};
    const patcher = new SerialPatcher<Obj>(obj, this.opts.client, { fieldOwner: this.fieldOwner, clock: this.clock });
    const intervalMs = durationMs(obj.spec.interval, 300_000);
    const st: RunState = { started: this.clock.now(), nextScanMs: intervalMs, nextScanMsg: '' };
    let result: StepResult = 'empty';
    let error: unknown;
    try {
      if (obj.metadata.deletionTimestamp) return await this.reconcileDelete(obj, patcher);
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
    const out = await summarizeAndPatch(patcher, obj, IMAGE_READY_CONDITIONS, {
      result,
      reconcileError: error,
      resultBuilder: nextRunResultBuilder(st.nextScanMs),
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
    try {
      await beginRun(this.c, obj, patcher);
      const steps: Step[] = [this.reconcileImage, this.reconcileAuth, this.reconcileScan];
      for (const step of steps) {
        const r = await step.call(this, obj, patcher, st, ctx);
        if (r === 'requeue') return { result: r, error: undefined };
        result = lowestRequeuingResult(result, r);
      }
    } catch (err) {
      error = err;
      result = 'empty';
      if (get(obj, 'Ready')?.status !== 'False') this.c.markFalse(obj, 'Ready', 'Failed', (err as Error).message);
    }
    const revision = obj.status.lastScanResult?.revision;
    const annotations: Record<string, string> = revision ? { 'image.toolkit.fluxcd.io/revision': revision } : {};
    notifyReadiness(this.opts.events, before, obj, st.nextScanMsg, annotations);
    return { result, error };
  }

  /** reconcileImage: parses `spec.image`; an invalid one stalls with `ImageURLInvalid`. */
  private async reconcileImage(obj: Obj, _p: SerialPatcher<Obj>, st: RunState): Promise<StepResult> {
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
  private async reconcileAuth(obj: Obj, _p: SerialPatcher<Obj>, st: RunState): Promise<StepResult> {
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
  private async reconcileScan(obj: Obj, patcher: SerialPatcher<Obj>, st: RunState, ctx: ReconcileContext): Promise<StepResult> {
    const repo = { namespace: obj.metadata.namespace!, name: obj.metadata.name! };
    const image = st.image!;
    const intervalMs = durationMs(obj.spec.interval, 300_000);
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
        requestedAt: obj.metadata.annotations?.[REQUESTED_AT],
        storedTagCount: (await this.opts.store.tags(repo)).length,
      },
      now,
    );
    if (decision.scan) {
      await this.scan(obj, patcher, st, ctx, { reason: decision.reason, now });
    } else {
      st.nextScanMs = decision.nextInMs;
      st.nextScanMsg = `no change in repository configuration since last scan, next scan in ${goDuration(decision.nextInMs)}`;
    }
    obj.status.canonicalImageName = image.canonicalName;
    obj.status.observedExclusionList = effectiveExclusionList(obj.spec.exclusionList);
    const scan = obj.status.lastScanResult!;
    this.c.markTrue(obj, 'Ready', ImageReflectorReason.Succeeded, `successful scan: found ${scan.tagCount} tags with checksum ${scan.revision ?? ''}`);
    return 'success';
  }

  /** Runs one scan (Reconciling "scanning: <reason>"), stores the tags and records the result. */
  private async scan(obj: Obj, patcher: SerialPatcher<Obj>, st: RunState, ctx: ReconcileContext, due: { reason: ScanReason; now: number }): Promise<void> {
    const { store, registry } = this.opts;
    const { reason, now } = due;
    // With the tags gone, Ready=Unknown forces a transition that unblocks waiting ImagePolicies.
    progressive(this.c, obj, reason === 'no tags in database', `scanning: ${reason}`);
    await patcher.patch(obj, { ownedConditions: IMAGE_READY_CONDITIONS.owned });
    const previous = obj.status.lastScanResult?.revision;
    const intervalMs = durationMs(obj.spec.interval, 300_000);
    const timeoutMs = scanTimeoutMs(obj.spec.timeout ? durationMs(obj.spec.timeout, 60_000) : undefined, intervalMs);
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
    const next = `next scan in ${goDuration(intervalMs)}`;
    st.nextScanMsg = previous !== undefined && previous === obj.status.lastScanResult.revision ? `tags did not change, ${next}` : `successful scan, ${next}`;
  }

  /** Drops the stored tags, then lets the finalizer go. */
  private async reconcileDelete(obj: Obj, patcher: SerialPatcher<Obj>): Promise<Result> {
    await this.opts.store.delete({ namespace: obj.metadata.namespace!, name: obj.metadata.name! });
    if (removeFinalizer(obj)) await patcher.patch(obj, { ignoreNotFoundWhenDeleting: true });
    this.opts.metrics?.deleteFor(obj);
    return {};
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
