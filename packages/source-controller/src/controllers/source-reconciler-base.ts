// SPDX-License-Identifier: Apache-2.0
/**
 * What the artifact-producing source kinds (GitRepository, HelmRepository, HelmChart,
 * OCIRepository, Bucket) share on top of the runtime's reconcile skeleton
 * ({@link reconcileWithSkeleton}: get → deletion / finalizer / suspend → checkpoint → ordered
 * sub-steps → summarise Ready and patch once), as Flux repeats it in each `<kind>_controller.go`.
 *
 * Subclasses declare their conditions ({@link sourceReadyCondition}), their steps and per-run state
 * (made with a temporary directory that is removed after the run), and their event; this base
 * carries what is identical for every kind: `reconcileStorage` (garbage collection, integrity
 * check, "building artifact" when there is none, URL refresh), deletion, and the storage side of
 * `reconcileArtifact` ({@link SourceReconcilerBase.writeArtifact}, `linkArtifact`, `markStored`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeClient, KubeObject } from '@eddy/runtime/client';
import type { Clock } from '@eddy/runtime/clock';
import { realClock } from '@eddy/runtime/clock';
import { isTrue, settersFor } from '@eddy/runtime/conditions';
import type { ObjectWithConditions } from '@eddy/runtime/conditions';
import type { EventRecorder } from '@eddy/runtime/events';
import { parseDuration } from '@eddy/runtime/flags';
import type { SerialPatcher } from '@eddy/runtime/patch';
import type { ReconcileContext, Reconciler, ReconcileSkeleton, Request, Result } from '@eddy/runtime/reconcile';
import { reconcileWithSkeleton, StallingError, TransientError } from '@eddy/runtime/reconcile';
import type { ConditionsSpec, StepResult } from '@eddy/runtime/summarize';
import { alwaysRequeueResultBuilder, progressiveStatus } from '@eddy/runtime/summarize';
import { SourceCondition, SourceReason } from '@eddy/api/source/v1';
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

/**
 * A source kind's Ready summary (Flux's `<kind>ReadyCondition`): `negative` are the abnormal-true
 * conditions in priority order, `positive` the normal ones after them (ArtifactInStorage,
 * SourceVerified); `Stalled` and `Reconciling` follow as in every kind.
 */
export function sourceReadyCondition(negative: readonly string[], positive: readonly string[]): ConditionsSpec {
  return {
    target: 'Ready',
    owned: [...negative, ...positive, 'Ready', 'Reconciling', 'Stalled'],
    summarize: [...negative, ...positive, 'Stalled', 'Reconciling'],
    negativePolarity: [...negative, 'Stalled', 'Reconciling'],
  };
}

/** A duration field, or `fallback` when it is unset or does not parse. */
export function durationOr(v: unknown, fallback: number): number {
  if (v === undefined || v === null || v === '') return fallback;
  try {
    return parseDuration(String(v));
  } catch {
    return fallback;
  }
}

/** The base's part of the run state: the temporary directory and the kind's state, made once the run starts. */
interface Run<S> {
  dir?: string;
  st?: S;
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
  /** Built on first use: the subclass's fields are not set yet in this constructor. */
  private skeleton?: ReconcileSkeleton<O, Run<S>>;

  constructor(protected readonly opts: SourceReconcilerOptions) {
    this.clock = opts.clock ?? realClock;
    this.c = settersFor(this.clock);
    this.fieldOwner = opts.controllerName ?? 'gotk-source-controller';
  }

  /** The ordered sub-steps. */
  protected abstract steps(): SourceStep<O, S>[];
  /** Fresh per-run state; `dir` is an empty temporary directory of the run, removed afterwards. */
  protected abstract newState(obj: O, dir: string): S;
  /** Emits the kind's NewArtifact / recovery event. */
  protected abstract notify(before: O, after: O, st: S, result: StepResult, error: unknown): void;

  /**
   * Runs right after the get; returns a result to stop there (HelmRepository `type: oci` becomes
   * a static object). @default undefined: go on
   */
  protected intercept(_obj: O, _patcher: SerialPatcher<O>): Promise<Result | undefined> {
    return Promise.resolve(undefined);
  }

  /** One reconcile of one object (see the module doc). */
  reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    this.skeleton ??= this.buildSkeleton();
    return reconcileWithSkeleton(this.skeleton, req, ctx);
  }

  private buildSkeleton(): ReconcileSkeleton<O, Run<S>> {
    return {
      client: this.opts.client,
      gvk: { apiVersion: this.apiVersion, kind: this.kind },
      conditions: this.readyCondition,
      fieldOwner: this.fieldOwner,
      clock: this.clock,
      biPolarity: this.biPolarity,
      intercept: (obj, patcher) => this.intercept(obj, patcher),
      newState: () => ({}),
      finalize: (obj) => this.reconcileDelete(obj),
      preflight: async (obj, run) => {
        run.dir = await mkdtemp(join(tmpdir(), `${this.kind.toLowerCase()}-${obj.metadata.namespace}-${obj.metadata.name}-`));
        run.st = this.newState(obj, run.dir);
      },
      steps: this.steps().map((step) => (obj: O, run: Run<S>, ctx) => step.call(this, obj, ctx.patcher, run.st!, ctx)),
      stepNames: this.steps().map((step) => step.name.replace(/^reconcile/, '').replace(/^./, (c) => c.toLowerCase()) || 'step'),
      dispose: async (run) => {
        if (run.dir) await rm(run.dir, { recursive: true, force: true });
      },
      notify: (before, after, run, { result, error }) => {
        if (run.st) this.notify(before, after, run.st, result, error);
      },
      resultBuilder: (obj) => alwaysRequeueResultBuilder(durationOr(obj.spec.interval, this.defaultIntervalMs)),
    };
  }

  /** Patches mid-reconcile, owning the kind's conditions. */
  protected async patch(patcher: SerialPatcher<O>, obj: O): Promise<void> {
    await patcher.patch(obj, { ownedConditions: this.readyCondition.owned });
  }

  /** Flux's `ProgressiveStatus`: Reconciling=True, and Ready=Unknown when `negative` or Ready is absent or Unknown. */
  protected progressive(obj: O, negative: boolean, message: string): void {
    progressiveStatus(obj, negative, message, this.clock);
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

  /**
   * Writes `artifact` into storage under its lock: creates its directory (DirectoryCreationFailed),
   * then runs `write` (ArchiveOperationFailed, "`failure`: <error>"). Either failure marks
   * StorageOperationFailed and throws; success removes StorageOperationFailed.
   */
  protected async writeArtifact(obj: O, artifact: Artifact, failure: string, write: () => Promise<unknown>): Promise<void> {
    const { storage } = this.opts;
    const S = SourceCondition.StorageOperationFailed;
    try {
      await storage.mkdirAll(artifact);
    } catch (err) {
      this.fail(obj, S, SourceReason.DirectoryCreationFailed, `failed to create artifact directory: ${(err as Error).message}`);
    }
    const unlock = await storage.lock(artifact);
    try {
      await write();
    } catch (err) {
      this.fail(obj, S, SourceReason.ArchiveOperationFailed, `${failure}: ${(err as Error).message}`);
    } finally {
      unlock();
    }
    this.c.remove(obj, S);
  }

  /** Points `status.url` at a `name` link to `artifact`; a failure is only a trace event. */
  protected async linkArtifact(obj: O, artifact: Artifact, name: string): Promise<void> {
    try {
      obj.status.url = await this.opts.storage.symlink(artifact, name);
    } catch (err) {
      this.opts.events?.event(obj, 'Trace', SourceReason.SymlinkUpdateFailed, `failed to update status URL symlink: ${(err as Error).message}`);
    }
  }

  /** The trace event of a run that found the stored artifact current. */
  protected artifactUpToDate(obj: O, revision: string): void {
    this.opts.events?.event(obj, 'Trace', SourceReason.ArtifactUpToDate, `artifact up-to-date with remote revision: '${revision}'`);
  }

  /** The stored artifact is the wanted one: ArtifactOutdated goes, ArtifactInStorage=True. */
  protected markStored(obj: O, reason: string, message: string): void {
    this.c.remove(obj, SourceCondition.ArtifactOutdated);
    this.c.markTrue(obj, SourceCondition.ArtifactInStorage, reason, message);
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
