// SPDX-License-Identifier: Apache-2.0
/**
 * The reconcile skeleton shared by the artifact-producing source kinds (HelmRepository, HelmChart,
 * OCIRepository, Bucket), the same one {@link GitRepositoryReconciler} spells out and Flux repeats in
 * each `<kind>_controller.go`: get → deletion / finalizer / suspend → ordered sub-steps that stop on
 * `requeue` or an error and otherwise keep the lowest requeue → summarise Ready and patch once.
 *
 * Subclasses declare their conditions ({@link ConditionsSpec}), their steps and per-run state, and
 * their event; this base also carries `reconcileStorage`, which is identical for every kind
 * (garbage collection, integrity check, "building artifact" when there is none, URL refresh).
 */
import type { KubeClient, KubeObject } from '@eddy/runtime/client';
import type { Clock } from '@eddy/runtime/clock';
import { realClock } from '@eddy/runtime/clock';
import { get, isTrue, settersFor } from '@eddy/runtime/conditions';
import type { ObjectWithConditions } from '@eddy/runtime/conditions';
import type { EventRecorder } from '@eddy/runtime/events';
import { addFinalizer, FLUX_FINALIZER, hasFinalizer, removeFinalizer } from '@eddy/runtime/finalizers';
import { parseDuration } from '@eddy/runtime/flags';
import { SerialPatcher } from '@eddy/runtime/patch';
import type { ReconcileContext, Reconciler, Request, Result } from '@eddy/runtime/reconcile';
import { StallingError, TransientError } from '@eddy/runtime/reconcile';
import type { ConditionsSpec, StepResult } from '@eddy/runtime/summarize';
import { alwaysRequeueResultBuilder, lowestRequeuingResult, summarizeAndPatch } from '@eddy/runtime/summarize';
import { SourceCondition } from '@eddy/api/source/v1';
import type { Artifact, Storage } from '../storage/storage.ts';

/** Options every source reconciler takes. */
export interface SourceReconcilerOptions {
  client: KubeClient;
  storage: Storage;
  events?: EventRecorder;
  clock?: Clock;
  /** Field owner of status patches. @default 'gotk-source-controller' */
  controllerName?: string;
}

/** The status fields the base reads and writes. */
export interface SourceStatus {
  artifact?: Artifact;
  url?: string;
  observedGeneration?: number;
  lastHandledReconcileAt?: string;
  [key: string]: unknown;
}

/** A source object as the base handles it. */
export type SourceObject = KubeObject &
  ObjectWithConditions & {
    spec: { interval?: unknown; suspend?: boolean; timeout?: unknown };
    status: SourceStatus;
  };

/** One sub-step: `(obj, patcher, state, ctx) => StepResult`. */
export type SourceStep<O extends SourceObject, S> = (obj: O, patcher: SerialPatcher<O>, st: S, ctx: ReconcileContext) => Promise<StepResult>;

/** A duration field, or `fallback` when it is unset or does not parse. */
export function durationOr(v: unknown, fallback: number): number {
  if (v === undefined || v === null || v === '') return fallback;
  try {
    return parseDuration(String(v));
  } catch {
    return fallback;
  }
}

/** Base of the source reconcilers; see the module doc. */
export abstract class SourceReconcilerBase<O extends SourceObject, S> implements Reconciler {
  protected readonly clock: Clock;
  protected readonly c: ReturnType<typeof settersFor>;
  protected readonly fieldOwner: string;
  /** `source.toolkit.fluxcd.io/v1` */
  protected readonly apiVersion: string = 'source.toolkit.fluxcd.io/v1';
  /** The kind reconciled, e.g. `HelmRepository`. */
  protected abstract readonly kind: string;
  /** Ready's inputs (Flux's `<kind>ReadyCondition`). */
  protected abstract readonly readyCondition: ConditionsSpec;
  /** Bi-polarity conditions (SourceVerified). */
  protected readonly biPolarity: readonly string[] = [];
  /** Interval when `spec.interval` is unset. */
  protected readonly defaultIntervalMs: number = 60_000;

  constructor(protected readonly opts: SourceReconcilerOptions) {
    this.clock = opts.clock ?? realClock;
    this.c = settersFor(this.clock);
    this.fieldOwner = opts.controllerName ?? 'gotk-source-controller';
  }

  /** The ordered sub-steps. */
  protected abstract steps(): SourceStep<O, S>[];
  /** Fresh per-run state. */
  protected abstract newState(obj: O): Promise<S>;
  /** Releases the per-run state (temporary directories). */
  protected async disposeState(_st: S): Promise<void> {}
  /** Emits the kind's NewArtifact / recovery event. */
  protected abstract notify(before: O, after: O, st: S, result: StepResult, error: unknown): void;

  /**
   * Runs before the skeleton; returns a result to stop there (HelmRepository `type: oci` becomes
   * a static object). @default undefined: go on
   */
  protected preflight(_obj: O, _patcher: SerialPatcher<O>): Promise<Result | undefined> {
    return Promise.resolve(undefined);
  }

  /** One reconcile of one object (see the module doc). */
  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const obj = await this.opts.client.get<O>({ apiVersion: this.apiVersion, kind: this.kind, namespace: req.namespace, name: req.name });
    if (!obj) return {};
    obj.status ??= {};
    const patcher = new SerialPatcher<O>(obj, this.opts.client, { fieldOwner: this.fieldOwner, clock: this.clock });
    const early = await this.preflight(obj, patcher);
    if (early) return early;
    const intervalMs = durationOr(obj.spec.interval, this.defaultIntervalMs);
    let result: StepResult = 'empty';
    let error: unknown;
    try {
      if (obj.metadata.deletionTimestamp) {
        await this.reconcileDelete(obj);
        if (removeFinalizer(obj)) await patcher.patch(obj, { ignoreNotFoundWhenDeleting: true });
        return {};
      }
      if (!hasFinalizer(obj)) {
        addFinalizer(obj, FLUX_FINALIZER);
        result = 'requeue';
      } else if (obj.spec.suspend) {
        ctx.log.info('reconciliation is suspended for this object');
      } else {
        ({ result, error } = await this.run(obj, patcher, ctx));
      }
    } catch (err) {
      error = err;
    }
    const out = await summarizeAndPatch(patcher, obj, this.readyCondition, {
      result,
      reconcileError: error,
      resultBuilder: alwaysRequeueResultBuilder(intervalMs),
      biPolarity: this.biPolarity,
      clock: this.clock,
      fieldOwner: this.fieldOwner,
    });
    if (out.error !== undefined) throw out.error;
    return out.result;
  }

  private async run(obj: O, patcher: SerialPatcher<O>, ctx: ReconcileContext): Promise<{ result: StepResult; error: unknown }> {
    const before = structuredClone(obj);
    this.progressive(obj, false, 'reconciliation in progress');
    const requested = obj.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'];
    if (obj.metadata.generation !== obj.status.observedGeneration) {
      this.progressive(obj, false, `processing object: new generation ${String(obj.status.observedGeneration ?? -1)} -> ${obj.metadata.generation}`);
      await this.patch(patcher, obj);
    } else if (requested !== undefined && requested !== obj.status.lastHandledReconcileAt) {
      await this.patch(patcher, obj);
    }
    const st = await this.newState(obj);
    let result: StepResult = 'empty';
    let error: unknown;
    try {
      for (const step of this.steps()) {
        let r: StepResult;
        try {
          r = await step.call(this, obj, patcher, st, ctx);
        } catch (err) {
          error = err;
          result = 'empty';
          break;
        }
        if (r === 'requeue') return { result: 'requeue', error: undefined };
        result = lowestRequeuingResult(result, r);
      }
    } finally {
      await this.disposeState(st);
    }
    this.notify(before, obj, st, result, error);
    return { result, error };
  }

  /** Patches mid-reconcile, owning the kind's conditions. */
  protected async patch(patcher: SerialPatcher<O>, obj: O): Promise<void> {
    await patcher.patch(obj, { ownedConditions: this.readyCondition.owned });
  }

  /** Flux's `ProgressiveStatus`: Reconciling=True, and Ready=Unknown when `negative` or Ready is absent. */
  protected progressive(obj: O, negative: boolean, message: string): void {
    this.c.markReconciling(obj, 'Progressing', message);
    if (negative || !get(obj, 'Ready')) this.c.markUnknown(obj, 'Ready', 'Progressing', message);
  }

  /** Marks `condition` True with `reason`, then throws the matching typed error. */
  protected fail(obj: O, condition: string, reason: string, message: string, opts: { stalling?: boolean; cause?: unknown } = {}): never {
    this.c.markTrue(obj, condition, reason, message);
    const e = opts.stalling ? new StallingError(message, { reason, cause: opts.cause }) : new TransientError(message, { reason, cause: opts.cause });
    throw e;
  }

  /**
   * reconcileStorage: collects garbage; drops `status.artifact` (and `status.url`) when the file
   * disappeared or its digest no longer matches; with no artifact marks Reconciling "building
   * artifact" and removes ArtifactInStorage; otherwise refreshes the URLs for the advertised host.
   */
  protected async reconcileStorage(obj: O, patcher: SerialPatcher<O>): Promise<StepResult> {
    const { storage } = this.opts;
    if (obj.status.artifact) await storage.garbageCollect(obj.status.artifact).catch(() => []);
    let missing = false;
    const art = obj.status.artifact;
    if (art) {
      if (!(await storage.exists(art))) missing = true;
      else {
        try {
          await storage.verify(art);
        } catch (err) {
          this.opts.events?.warning(obj, 'ArtifactVerificationFailed', `failed to verify integrity of artifact: ${(err as Error).message}`);
          await storage.remove(art);
          missing = true;
        }
      }
      if (missing) {
        delete obj.status.artifact;
        delete obj.status.url;
      }
    }
    if (!obj.status.artifact) {
      this.progressive(obj, true, `building artifact${missing ? ': disappeared from storage' : ''}`);
      this.c.remove(obj, SourceCondition.ArtifactInStorage);
      await this.patch(patcher, obj);
      return 'success';
    }
    storage.setArtifactURL(obj.status.artifact);
    if (obj.status.url) obj.status.url = storage.setHostname(obj.status.url);
    return 'success';
  }

  /** Deletes every artifact of the object (Flux's `garbageCollect` on deletion). */
  protected async reconcileDelete(obj: O): Promise<void> {
    const probe = this.opts.storage.newArtifactFor(this.kind, obj.metadata.namespace!, obj.metadata.name!, '', 'probe');
    await this.opts.storage.removeAll(probe);
    delete obj.status.artifact;
  }

  /**
   * Emits `NewArtifact` (or `reason`) on a new digest, and `Succeeded` (or `reason`) on recovery
   * from one of `failConditions`, after a successful run.
   */
  protected notifyArtifact(before: O, after: O, outcome: { result: StepResult; error: unknown }, n: { failConditions: readonly string[]; message: string; reason?: string }): void {
    const art = after.status.artifact;
    const { failConditions, message } = n;
    const newReason = n.reason ?? 'NewArtifact';
    if (!this.opts.events || outcome.error !== undefined || outcome.result !== 'success' || !art) return;
    const annotations = {
      'source.toolkit.fluxcd.io/revision': art.revision,
      'source.toolkit.fluxcd.io/digest': art.digest ?? '',
    };
    if (before.status.artifact?.digest !== art.digest) {
      this.opts.events.annotatedEvent(after, annotations, 'Normal', newReason, message);
    } else if (failConditions.some((t) => isTrue(before, t)) && !failConditions.some((t) => isTrue(after, t))) {
      this.opts.events.annotatedEvent(after, annotations, 'Normal', newReason === 'NewArtifact' ? 'Succeeded' : newReason, message);
    }
  }
}

/** Sets `o[key]` to a copy of `v`, or deletes it when `v` is undefined. */
export function setOrDelete<T extends object, K extends keyof T>(o: T, key: K, v: T[K] | undefined): void {
  if (v === undefined) delete o[key];
  else o[key] = structuredClone(v);
}

/** `{ [key]: v }` when `v` is defined, else `{}` (for exactOptionalPropertyTypes spreads). */
export function optional<K extends string, V>(key: K, v: V | undefined): Partial<Record<K, V>> {
  return v === undefined ? {} : ({ [key]: v } as Record<K, V>);
}
