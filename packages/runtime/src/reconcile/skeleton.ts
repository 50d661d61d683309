// SPDX-License-Identifier: Apache-2.0
/**
 * The fixed reconcile skeleton Flux repeats in each `<kind>_controller.go`, so a reconciler only
 * declares what is its own (its conditions, per-run state, ordered steps and events):
 *
 * 1. get the object (gone: nothing to do); the run's patcher reads its own writes
 *    ({@link OwnWritesClient}); `intercept` may end the reconcile there with a result;
 * 2. deleting: the kind's cleanup, then the finalizer goes (patched at once) and the metrics series;
 *    no finalizer yet: add it and requeue; `spec.suspend`: log and stop;
 * 3. otherwise run: `preflight`, the start-of-run checkpoint ({@link beginRun}), the ordered steps
 *    (a `requeue` stops the run at once, an error stops it with Ready=False, otherwise the lowest
 *    requeue is kept), `succeeded`, `dispose`, then `notify` with the object as it was before;
 * 4. summarise and patch once ({@link summarizeAndPatch}) and record the metrics.
 *
 * Each run logs at debug level `reconcile steps` with the wall time of the get, the checkpoint,
 * every step (`<name>Ms`, see {@link ReconcileSkeleton.stepNames}), all status patches together
 * (`patchMs`, also counted inside the steps that patch) and the whole run (`totalMs`).
 *
 * ```ts
 * class WidgetReconciler implements Reconciler {
 *   private readonly skeleton: ReconcileSkeleton<Widget, RunState>;
 *   constructor(opts: WidgetOptions) {
 *     this.skeleton = {
 *       client: opts.client, gvk: WIDGET_GVK, conditions: STEP_READY_CONDITIONS, fieldOwner: 'gotk-widget-controller',
 *       newState: () => ({}),
 *       steps: [(obj, st, ctx) => this.reconcileThing(obj, st, ctx)],
 *       resultBuilder: (obj) => alwaysRequeueResultBuilder(intervalOf(obj)),
 *     };
 *   }
 *   reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
 *     return reconcileWithSkeleton(this.skeleton, req, ctx);
 *   }
 * }
 * ```
 */
import type { KubeClient, KubeObject } from '../client/types.ts';
import { realClock, type Clock } from '../clock/index.ts';
import { get } from '../conditions/getter.ts';
import { markFalse } from '../conditions/setter.ts';
import { ConditionType, Reason, type ObjectWithConditions } from '../conditions/types.ts';
import { FLUX_FINALIZER, addFinalizer, hasFinalizer, removeFinalizer } from '../finalizers/index.ts';
import type { MetricsRecorder } from '../metrics/recorder.ts';
import { OwnWritesClient } from '../patch/own-writes.ts';
import { SerialPatcher } from '../patch/serial-patcher.ts';
import { beginRun } from '../summarize/progressive.ts';
import { lowestRequeuingResult, type ResultBuilder, type StepResult } from '../summarize/result.ts';
import { summarizeAndPatch, type ConditionsSpec } from '../summarize/summarize.ts';
import type { ReconcileContext, Request, Result } from './contract.ts';

/** An object the skeleton reconciles: any kind with conditions, a status and `spec.suspend`. */
export type SkeletonObject = KubeObject &
  ObjectWithConditions & {
    status: NonNullable<ObjectWithConditions['status']>;
    spec?: { suspend?: boolean };
  };

/** What a step gets besides the object and the run state. */
export interface StepContext<T extends SkeletonObject> extends ReconcileContext {
  /** The run's patcher, for checkpoints in the middle of a step. */
  patcher: SerialPatcher<T>;
}

/**
 * One ordered step: `requeue` ends the run at once (rate-limited requeue), `success` and `empty`
 * go on (the lowest requeue wins); a thrown error ends the run with it.
 */
export type ReconcileStep<T extends SkeletonObject, S> = (obj: T, st: S, ctx: StepContext<T>) => Promise<StepResult>;

/** How a run ended: the lowest-requeuing step result and the error that stopped it, if any. */
export interface RunOutcome {
  result: StepResult;
  error: unknown;
}

/** One kind's part of the skeleton (see the module doc). Hooks are called without `this`. */
export interface ReconcileSkeleton<T extends SkeletonObject, S> {
  client: KubeClient;
  /** The kind reconciled. */
  gvk: { readonly apiVersion: string; readonly kind: string };
  /** The kind's conditions; their `owned` list goes with every patch. */
  conditions: ConditionsSpec;
  /** Field owner of the patches, e.g. `gotk-image-reflector-controller`. */
  fieldOwner: string;
  /** @default realClock */
  clock?: Clock;
  metrics?: MetricsRecorder;
  /** Bi-polarity conditions (e.g. `SourceVerified`): a False one overrides Ready. @default [] */
  biPolarity?: readonly string[];
  /**
   * Runs right after the get, before deletion, finalizer and suspend are looked at; a result ends
   * the reconcile there, unsummarised (e.g. a kind variant that is no longer reconciled and only
   * needs its status cleared once). @default go on
   */
  intercept?(obj: T, patcher: SerialPatcher<T>): Promise<Result | undefined>;
  /** Per-run state, made once the object is read; `started` is the run's start (epoch ms). */
  newState(obj: T, started: number): S;
  /** Cleanup on deletion, before the finalizer is removed (e.g. drop stored data). */
  finalize?(obj: T, st: S): Promise<void>;
  /** Runs before the checkpoint patch; throwing fails the run as a step would. */
  preflight?(obj: T, st: S): void | Promise<void>;
  /** The ordered steps. */
  steps: readonly ReconcileStep<T, S>[];
  /** Names of the steps in the `reconcile steps` debug log. @default `step0`, `step1`, … */
  stepNames?: readonly string[];
  /** After every step went through (not after a `requeue`), e.g. to mark Ready=True. */
  succeeded?(obj: T, st: S): void;
  /** After the steps whatever happened, e.g. to remove a temporary workspace. */
  dispose?(st: S): Promise<void>;
  /**
   * The run's events from the object before and after the run and the run's outcome (not after a
   * `requeue`; `error` is set when a step or the checkpoint failed).
   */
  notify?(before: T, after: T, st: S, outcome: RunOutcome): void;
  /** Turns the run's outcome into the queue's result; asked once the run is over. */
  resultBuilder(obj: T, st: S): ResultBuilder;
}

/** One reconcile of one object through `skeleton` (see the module doc). */
export async function reconcileWithSkeleton<T extends SkeletonObject, S>(
  skeleton: ReconcileSkeleton<T, S>,
  req: Request,
  ctx: ReconcileContext,
): Promise<Result> {
  const { client, fieldOwner } = skeleton;
  const clock = skeleton.clock ?? realClock;
  const timer = new StepTimes(clock);
  const obj = await timer.time('get', () => client.get<T>({ ...skeleton.gvk, namespace: req.namespace, name: req.name }));
  if (!obj) return {};
  // The patcher's read before each conditions patch is answered from this run's own last write.
  const ownWrites = new OwnWritesClient(client, obj);
  // The patcher's requests are timed for the `reconcile steps` log.
  const timedPatch = ownWrites.patch.bind(ownWrites);
  ownWrites.patch = (ref, body, opts) => timer.time('patch', () => timedPatch(ref, body, opts));
  obj.status ??= {};
  const patcher = new SerialPatcher<T>(obj, ownWrites, { fieldOwner, clock });
  const intercepted = await skeleton.intercept?.(obj, patcher);
  if (intercepted) return intercepted;
  const started = clock.now();
  const st = skeleton.newState(obj, started);
  let result: StepResult = 'empty';
  let error: unknown;
  try {
    if (obj.metadata.deletionTimestamp) return await reconcileDelete(skeleton, obj, st, patcher);
    if (!hasFinalizer(obj)) {
      addFinalizer(obj, FLUX_FINALIZER);
      result = 'requeue';
    } else if (obj.spec?.suspend) {
      ctx.log.info('reconciliation is suspended for this object');
    } else {
      ({ result, error } = await runSteps(skeleton, obj, st, { ...ctx, patcher }, { clock, timer }));
    }
  } catch (err) {
    error = err;
  }
  const out = await summarizeAndPatch(patcher, obj, skeleton.conditions, {
    result,
    reconcileError: error,
    resultBuilder: skeleton.resultBuilder(obj, st),
    biPolarity: skeleton.biPolarity ?? [],
    clock,
    fieldOwner,
  });
  recordMetrics(skeleton.metrics, obj, started, clock);
  ctx.log.debug('reconcile steps', timer.fields());
  if (out.error !== undefined) throw out.error;
  return out.result;
}

async function reconcileDelete<T extends SkeletonObject, S>(skeleton: ReconcileSkeleton<T, S>, obj: T, st: S, patcher: SerialPatcher<T>): Promise<Result> {
  await skeleton.finalize?.(obj, st);
  if (removeFinalizer(obj)) await patcher.patch(obj, { ignoreNotFoundWhenDeleting: true });
  skeleton.metrics?.deleteFor(obj);
  return {};
}

async function runSteps<T extends SkeletonObject, S>(
  skeleton: ReconcileSkeleton<T, S>,
  obj: T,
  st: S,
  ctx: StepContext<T>,
  { clock, timer }: { clock: Clock; timer: StepTimes },
): Promise<RunOutcome> {
  const before = structuredClone(obj);
  let result: StepResult = 'empty';
  let error: unknown;
  try {
    await skeleton.preflight?.(obj, st);
    await timer.time('beginRun', () => beginRun(ctx.patcher, obj, { ownedConditions: skeleton.conditions.owned, clock }));
    for (const [i, step] of skeleton.steps.entries()) {
      const r = await timer.time(skeleton.stepNames?.[i] ?? `step${i}`, () => step(obj, st, ctx));
      if (r === 'requeue') return { result: r, error: undefined };
      result = lowestRequeuingResult(result, r);
    }
    skeleton.succeeded?.(obj, st);
  } catch (err) {
    error = err;
    result = 'empty';
    const message = err instanceof Error ? err.message : String(err);
    if (get(obj, ConditionType.Ready)?.status !== 'False') markFalse(obj, ConditionType.Ready, Reason.Failed, message, clock);
  } finally {
    await skeleton.dispose?.(st);
  }
  skeleton.notify?.(before, obj, st, { result, error });
  return { result, error };
}

/** Wall milliseconds per part of one run, summed when a part runs more than once. */
class StepTimes {
  private readonly totals = new Map<string, number>();
  private readonly start: number;

  constructor(private readonly clock: Clock) {
    this.start = clock.now();
  }

  async time<R>(name: string, fn: () => Promise<R>): Promise<R> {
    const t0 = this.clock.now();
    try {
      return await fn();
    } finally {
      this.totals.set(name, (this.totals.get(name) ?? 0) + this.clock.now() - t0);
    }
  }

  fields(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, ms] of this.totals) out[`${name}Ms`] = Math.round(ms);
    out['totalMs'] = Math.round(this.clock.now() - this.start);
    return out;
  }
}

function recordMetrics(metrics: MetricsRecorder | undefined, obj: SkeletonObject, started: number, clock: Clock): void {
  if (!metrics) return;
  metrics.recordDuration(obj, started, clock.now());
  metrics.recordSuspend(obj, obj.spec?.suspend ?? false);
  const ready = get(obj, ConditionType.Ready);
  if (ready) metrics.recordCondition(obj, ready);
}
