// SPDX-License-Identifier: Apache-2.0
/**
 * The HelmRelease reconciler (Flux's `internal/controller/helmrelease_controller.go`).
 *
 * Skeleton: get → deletion (uninstall per `spec.uninstall`, delete the templated HelmChart, drop the
 * finalizer) → finalizer → suspend → HelmChart template → release; one deferred status patch that
 * records `lastHandledReconcileAt` and, when the run ended without asking for a requeue (or
 * stalled), `observedGeneration`.
 *
 * Release: `Reconciling=True` "Fulfilling prerequisites"; `dependsOn` (Ready=False
 * `DependencyNotReady`, requeue after `--requeue-dependency`; a `readyExpr` that does not parse
 * stalls with `InvalidCELExpression`, as does an invalid `healthCheckExprs` entry); the chart source
 * (`ArtifactFailed`, `SourceNotReady`); values (`ValuesError`); the chart artifact (verified
 * download; 404 waits); credentials (`RESTClientError`); a changed release target uninstalls the old
 * release first; failure counters reset on a new generation, chart or values (or `resetAt`);
 * `lastAttempted*`; then the atomic release. Conditions, reasons and messages are Flux's.
 */
import { createHash } from 'node:crypto';
import type { HelmRelease } from '@eddy/api/helm/v2';
import { CelStatusEvaluators, InvalidCELExpressionError } from '@eddy/runtime/cel';
import type { KubeClient, KubeObject } from '@eddy/runtime/client';
import { realClock, type Clock } from '@eddy/runtime/clock';
import * as conditions from '@eddy/runtime/conditions';
import type { EventRecorder } from '@eddy/runtime/events';
import { addFinalizer, FLUX_FINALIZER, hasFinalizer, removeFinalizer } from '@eddy/runtime/finalizers';
import { OwnWritesClient, SerialPatcher } from '@eddy/runtime/patch';
import type { ReconcileContext, Reconciler, Request, Result } from '@eddy/runtime/reconcile';
import { ArtifactFetchError } from '../chart/fetch.ts';
import { loadChart, type LoadedChart } from '../chart/load.ts';
import { driftHandler } from '../drift/handler.ts';
import type { HelmDriver } from '../helm/driver.ts';
import type { ClusterAccess } from '../helm/kubeconfig.ts';
import { originLabels, type PostRenderConfig } from '../helm/post-renderer.ts';
import { ReleaseStorage } from '../helm/storage.ts';
import { StagedReleaseStorage, stagedDriver } from '../helm/storage-staging.ts';
import type { ActionEnv, ReleaseRequest } from '../release/action-env.ts';
import { atomicRelease } from '../release/atomic-release.ts';
import { CONDITIONS, REASONS } from '../release/messages.ts';
import { clearFailures, parseGoDuration } from '../release/remediation.ts';
import { latest } from '../release/snapshot.ts';
import { releaseNameOf, releaseNamespaceOf, storageNamespaceOf, type HelmReleaseObject } from '../release/types.ts';
import { NoLatestReleaseError, uninstallRelease } from '../release/uninstall.ts';
import { digestValues, verifyValues } from '../values/digest.ts';
import { composeValues } from '../values/values-from.ts';
import { AccessDeniedError, reconcileChartTemplate } from './chart-template.ts';
import { ClusterAccessError, targetCluster, type TargetCluster } from './cluster-access.ts';
import { checkDependencies } from './dependencies.ts';
import { getSource, isSourceReady, sourceRefOf, type ChartSource } from './source.ts';

/** Conditions the controller owns when patching (Flux's `OwnedConditions`). */
export const OWNED_CONDITIONS = ['Released', 'Remediated', 'TestSuccess', 'Drifted', 'Reconciling', 'Ready', 'Stalled'] as const;

/** Options of {@link HelmReleaseReconciler}. */
export interface HelmReleaseReconcilerOptions {
  client: KubeClient;
  driver: HelmDriver;
  /** The controller's own credentials, handed to helm. */
  access: ClusterAccess;
  /** Scratch space for charts and kubeconfigs (emptied per reconcile). */
  workDir: string;
  events?: EventRecorder;
  clock?: Clock;
  /** @default 'kustomize' */
  kustomizePath?: string;
  /** `--requeue-dependency`. @default 30000 */
  dependencyRequeueMs?: number;
  /** `--default-service-account`. */
  defaultServiceAccount?: string;
  /** `--no-cross-namespace-refs`. */
  noCrossNamespaceRefs?: boolean;
  /** `SOURCE_CONTROLLER_LOCALHOST`. */
  artifactHostOverride?: string;
  /** Largest chart artifact accepted. @default 50 MiB */
  maxArtifactBytes?: number;
  /** Field manager of status patches, the HelmChart and drift corrections. @default 'gotk-helm-controller' */
  fieldManager?: string;
  /** `--insecure-kubeconfig-exec` / `--insecure-kubeconfig-tls`. */
  insecureKubeconfig?: { exec?: boolean; tls?: boolean };
  /** Interval jitter fraction (`--interval-jitter-percentage`/100). @default 0 */
  intervalJitter?: number;
  /** The `AdditiveCELDependencyCheck` feature gate: `dependsOn[].readyExpr` adds to the built-in check. @default false */
  additiveCELDependencyCheck?: boolean;
  /** Poll interval of `spec.healthCheckExprs` checks after a helm wait. @default 2000 */
  healthCheckIntervalMs?: number;
}

/** The outcome of the release steps, mapped to a Result by {@link HelmReleaseReconciler.reconcile}. */
type Outcome = { requeueAfterMs?: number; requeue?: boolean; error?: unknown; terminal?: boolean; wait?: boolean };

type HR = HelmRelease & HelmReleaseObject & KubeObject;

/** Flux's `ShouldHandle{Force,Reset}Request`: consumes `annotation` when it equals `requestedAt`. */
export function handleRequest(hr: HR, annotation: string, field: 'lastHandledForceAt' | 'lastHandledResetAt'): boolean {
  const a = hr.metadata.annotations ?? {};
  const requested = a['reconcile.fluxcd.io/requestedAt'];
  const value = a[annotation];
  if (requested === undefined || value === undefined || requested !== value || value === hr.status?.[field]) return false;
  hr.status![field] = value;
  return true;
}

/** The digest of the post-rendering configuration (post-renderers and common metadata). */
export function postRenderersDigest(hr: HR): string | undefined {
  const pr = hr.spec.postRenderers;
  if (!pr || pr.length === 0) return undefined;
  return `sha256:${createHash('sha256').update(`${JSON.stringify(pr)}\n`).digest('hex')}`;
}

/** Reconciles HelmReleases; see the module doc. */
export class HelmReleaseReconciler implements Reconciler {
  private readonly clock: Clock;
  private readonly fieldManager: string;

  constructor(private readonly opts: HelmReleaseReconcilerOptions) {
    this.clock = opts.clock ?? realClock;
    this.fieldManager = opts.fieldManager ?? 'gotk-helm-controller';
  }

  /** One reconcile of one HelmRelease. */
  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const hr = await this.opts.client.get<HR>({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', namespace: req.namespace, name: req.name });
    if (!hr) return {};
    // The patcher's read before each conditions patch is answered from this run's own last write.
    const ownWrites = new OwnWritesClient(this.opts.client, hr);
    hr.status ??= {};
    const patcher = new SerialPatcher<HR>(hr, ownWrites, { fieldOwner: this.fieldManager, clock: this.clock });
    let out: Outcome = {};
    try {
      out = await this.run(hr, patcher, ctx);
    } catch (e) {
      out = { error: e };
    }
    await this.finalPatch(hr, patcher, out);
    if (out.terminal) return {};
    if (out.error !== undefined && !out.wait) throw out.error;
    if (out.requeue) return { requeue: true };
    return out.requeueAfterMs !== undefined ? { requeueAfterMs: out.requeueAfterMs } : {};
  }

  /** Records the handled reconcile request and patches; observes the generation unless a requeue is pending. */
  private async finalPatch(hr: HR, patcher: SerialPatcher<HR>, out: Outcome): Promise<void> {
    const requested = hr.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'];
    if (requested !== undefined) hr.status!.lastHandledReconcileAt = requested;
    const observe = out.terminal === true || (out.error === undefined && !out.requeue && !out.wait);
    if (hr.metadata.deletionTimestamp && !hasFinalizer(hr)) return;
    await patcher.patch(hr, { ownedConditions: OWNED_CONDITIONS, includeStatusObservedGeneration: observe });
  }

  private intervalMs(hr: HR): number {
    const base = parseGoDuration(hr.spec.interval ?? '10m');
    const j = this.opts.intervalJitter ?? 0;
    return j > 0 ? Math.round(base * (1 - j + Math.random() * 2 * j)) : base;
  }

  private async run(hr: HR, patcher: SerialPatcher<HR>, ctx: ReconcileContext): Promise<Outcome> {
    if (!!hr.spec.chart === !!hr.spec.chartRef) {
      conditions.markStalled(hr, 'InvalidChartReference', 'invalid Chart reference: one of chart or chartRef must be set', this.clock);
      conditions.markFalse(hr, CONDITIONS.Ready, 'InvalidChartReference', 'invalid Chart reference: one of chart or chartRef must be set', this.clock);
      return { terminal: true };
    }
    if (hr.metadata.deletionTimestamp) {
      await this.reconcileDelete(hr, ctx);
      if (removeFinalizer(hr)) await patcher.patch(hr, { ownedConditions: OWNED_CONDITIONS, ignoreNotFoundWhenDeleting: true });
      return {};
    }
    if (!hasFinalizer(hr)) {
      addFinalizer(hr, FLUX_FINALIZER);
      return { requeue: true };
    }
    if (hr.spec.suspend) {
      ctx.log.info('reconciliation is suspended for this object');
      return {};
    }
    try {
      await reconcileChartTemplate(hr, { client: this.opts.client, fieldManager: this.fieldManager, ...this.optional() });
    } catch (e) {
      if (e instanceof AccessDeniedError) return this.accessDenied(hr, e);
      return { error: e };
    }
    return this.reconcileRelease(hr, patcher, ctx);
  }

  private optional(): { events?: EventRecorder; noCrossNamespaceRefs?: boolean } {
    return { ...(this.opts.events ? { events: this.opts.events } : {}), ...(this.opts.noCrossNamespaceRefs ? { noCrossNamespaceRefs: true } : {}) };
  }

  private accessDenied(hr: HR, e: Error): Outcome {
    conditions.markStalled(hr, 'AccessDenied', e.message, this.clock);
    conditions.markFalse(hr, CONDITIONS.Ready, 'AccessDenied', e.message, this.clock);
    this.opts.events?.warning(hr, 'AccessDenied', e.message);
    return { terminal: true };
  }

  /** Ready=False with `reason`, and Unknown again once the cause is gone (Flux's pattern per step). */
  private fail(hr: HR, reason: string, message: string, event = false): void {
    conditions.markFalse(hr, CONDITIONS.Ready, reason, message, this.clock);
    if (event) this.opts.events?.warning(hr, reason, message);
  }

  private clearStale(hr: HR, ...reasons: string[]): void {
    if (reasons.includes(conditions.getReason(hr, CONDITIONS.Ready)) && conditions.isFalse(hr, CONDITIONS.Ready)) {
      conditions.markUnknown(hr, CONDITIONS.Ready, REASONS.Progressing, 'reconciliation in progress', this.clock);
    }
  }

  /** A terminal configuration error: Stalled and Ready=False with `InvalidCELExpression` (Flux's message). */
  private invalidCEL(hr: HR, e: InvalidCELExpressionError): Outcome {
    const message = `Reconciliation failed terminally due to configuration error: ${e.message}`;
    conditions.markFalse(hr, CONDITIONS.Ready, REASONS.InvalidCELExpression, message, this.clock);
    conditions.markStalled(hr, REASONS.InvalidCELExpression, message, this.clock);
    this.opts.events?.warning(hr, REASONS.InvalidCELExpression, e.message);
    return { terminal: true };
  }

  private async reconcileRelease(hr: HR, patcher: SerialPatcher<HR>, ctx: ReconcileContext): Promise<Outcome> {
    let healthChecks: CelStatusEvaluators | undefined;
    try {
      if (hr.spec.healthCheckExprs?.length) healthChecks = CelStatusEvaluators.compile(hr.spec.healthCheckExprs);
    } catch (e) {
      if (e instanceof InvalidCELExpressionError) return this.invalidCEL(hr, e);
      throw e;
    }
    conditions.markReconciling(hr, REASONS.Progressing, 'Fulfilling prerequisites', this.clock);
    await patcher.patch(hr, { ownedConditions: OWNED_CONDITIONS });
    const deps = await this.dependencies(hr, ctx);
    if (deps) return deps;
    const source = await this.source(hr, ctx);
    if (!('kind' in source)) return source;
    let values: Record<string, unknown>;
    try {
      values = await composeValues(this.opts.client, hr.metadata.namespace!, hr.spec.values as Record<string, unknown> | undefined, hr.spec.valuesFrom ?? []);
    } catch (e) {
      this.fail(hr, REASONS.ValuesError, (e as Error).message, true);
      return { error: e };
    }
    this.clearStale(hr, REASONS.ValuesError);
    const chart = await this.chart(hr, source, ctx);
    if (!('dispose' in chart)) return chart;
    try {
      this.clearStale(hr, REASONS.ArtifactFailed);
      return await this.release(hr, patcher, ctx, chart, { values, ...(healthChecks ? { healthChecks } : {}) });
    } finally {
      await chart.dispose();
    }
  }

  /** `dependsOn`: an outcome to stop with, or undefined when every dependency is ready. */
  private async dependencies(hr: HR, ctx: ReconcileContext): Promise<Outcome | undefined> {
    let err: string | undefined;
    try {
      err = hr.spec.dependsOn?.length ? await checkDependencies(this.opts.client, hr, { additiveCELDependencyCheck: this.opts.additiveCELDependencyCheck ?? false }) : undefined;
    } catch (e) {
      if (e instanceof InvalidCELExpressionError) return this.invalidCEL(hr, e);
      throw e;
    }
    if (err) {
      const wait = this.opts.dependencyRequeueMs ?? 30_000;
      this.fail(hr, REASONS.DependencyNotReady, err);
      this.opts.events?.normal(hr, REASONS.DependencyNotReady, err);
      ctx.log.info(`dependencies do not meet ready condition (${err}): retrying in ${wait / 1000}s`);
      return { requeueAfterMs: wait, wait: true };
    }
    this.clearStale(hr, REASONS.DependencyNotReady);
    return undefined;
  }

  /** The chart source, ready; or the outcome to stop with. */
  private async source(hr: HR, ctx: ReconcileContext): Promise<ChartSource | Outcome> {
    const ref = sourceRefOf(hr);
    let source: ChartSource | undefined;
    try {
      source = ref && (await getSource(this.opts.client, hr.metadata.namespace!, ref, this.opts.noCrossNamespaceRefs));
    } catch (e) {
      if (e instanceof AccessDeniedError) return this.accessDenied(hr, e);
      this.fail(hr, REASONS.ArtifactFailed, `could not get Source object: ${(e as Error).message}`);
      return { error: e };
    }
    if (!source) {
      const what = ref ? `${ref.kind.toLowerCase()}s.source.toolkit.fluxcd.io "${ref.name}" not found` : 'no HelmChart for the chart template yet';
      this.fail(hr, REASONS.ArtifactFailed, `could not get Source object: ${what}`);
      return { error: new Error(what) };
    }
    this.clearStale(hr, REASONS.ArtifactFailed, 'AccessDenied');
    const [ready, notReady] = isSourceReady(source);
    if (!ready) {
      this.fail(hr, REASONS.SourceNotReady, notReady);
      ctx.log.info(notReady);
      return { requeueAfterMs: this.intervalMs(hr), wait: true };
    }
    this.clearStale(hr, REASONS.SourceNotReady);
    return source;
  }

  /** Downloads and unpacks the chart; or the outcome to stop with. */
  private async chart(hr: HR, source: ChartSource, ctx: ReconcileContext): Promise<LoadedChart | Outcome> {
    try {
      return await loadChart(source.status!.artifact!, {
        tmpDir: this.opts.workDir,
        sourceKind: source.kind,
        ...(this.opts.artifactHostOverride ? { hostOverride: this.opts.artifactHostOverride } : {}),
        ...(this.opts.maxArtifactBytes ? { maxBytes: this.opts.maxArtifactBytes } : {}),
        signal: ctx.signal,
      });
    } catch (e) {
      if (ArtifactFetchError.is(e) && e.kind === 'not-found') {
        const wait = this.opts.dependencyRequeueMs ?? 30_000;
        this.fail(hr, REASONS.ArtifactFailed, `Source not ready: artifact not found. Retrying in ${wait / 1000}s`);
        return { requeueAfterMs: wait, wait: true };
      }
      this.fail(hr, REASONS.ArtifactFailed, `Could not load chart: ${(e as Error).message}`);
      this.opts.events?.warning(hr, REASONS.ArtifactFailed, (e as Error).message);
      return { error: e };
    }
  }

  private async target(hr: HR): Promise<TargetCluster> {
    return targetCluster(hr as never, {
      client: this.opts.client,
      access: this.opts.access,
      namespace: releaseNamespaceOf(hr),
      tmpDir: this.opts.workDir,
      ...(this.opts.defaultServiceAccount ? { defaultServiceAccount: this.opts.defaultServiceAccount } : {}),
      allowExec: this.opts.insecureKubeconfig?.exec ?? false,
      allowInsecureTLS: this.opts.insecureKubeconfig?.tls ?? false,
    });
  }

  private env(hr: HR, target: TargetCluster, storageNamespace: string, signal: AbortSignal): ActionEnv {
    const events = this.opts.events;
    return {
      driver: stagedDriver(this.opts.driver, new StagedReleaseStorage(target.client, releaseNameOf(hr), storageNamespace, releaseNamespaceOf(hr)), this.clock),
      storage: new ReleaseStorage(target.client, storageNamespace),
      kubeconfig: target.kubeconfig,
      clock: this.clock,
      signal,
      events: { event: (type, reason, message, metadata) => events?.event(hr, type, reason, message, metadata ? { annotations: metadata } : {}) },
      drift: driftHandler({ client: target.client, release: { name: releaseNameOf(hr), namespace: releaseNamespaceOf(hr) }, spec: hr.spec.driftDetection, fieldManager: this.fieldManager }),
      crds: { client: target.client, fieldManager: this.fieldManager },
      discovery: target.client,
      health: { client: target.client, intervalMs: this.opts.healthCheckIntervalMs ?? 2000 },
    };
  }

  private async release(
    hr: HR,
    patcher: SerialPatcher<HR>,
    ctx: ReconcileContext,
    chart: LoadedChart,
    { values, healthChecks }: { values: Record<string, unknown>; healthChecks?: CelStatusEvaluators },
  ): Promise<Outcome> {
    let target: TargetCluster;
    try {
      target = await this.target(hr);
    } catch (e) {
      this.fail(hr, 'RESTClientError', (e as Error).message);
      return { error: e };
    }
    try {
      this.clearStale(hr, 'RESTClientError');
      const status = hr.status!;
      const storageNamespace = storageNamespaceOf(hr);
      const changed = this.targetChanged(hr, chart.name, storageNamespace);
      if (changed) {
        ctx.log.info(`release target configuration changed (${changed}): running uninstall for current release`);
        try {
          await uninstallRelease(hr, this.env(hr, target, status.storageNamespace!, ctx.signal));
        } catch (e) {
          if (!(e instanceof NoLatestReleaseError)) return { error: e };
        }
        delete status.history;
        delete status.inventory;
        clearFailures(hr);
        delete status.storageNamespace;
        return { requeue: true };
      }
      status.storageNamespace = storageNamespace;
      this.recordAttempt(hr, chart, values);
      const force = handleRequest(hr, 'reconcile.fluxcd.io/forceAt', 'lastHandledForceAt');
      const req: ReleaseRequest = {
        hr,
        chart: { path: chart.path, name: chart.name, version: chart.version, crdFiles: chart.crdFiles, ...(chart.appVersion ? { appVersion: chart.appVersion } : {}) },
        values,
        postRender: this.postRender(hr),
        ...(healthChecks ? { healthChecks } : {}),
      };
      const pr = postRenderersDigest(hr);
      if (pr) req.postRenderersDigest = pr;
      const result = await atomicRelease(req, this.env(hr, target, storageNamespace, ctx.signal), {
        patch: () => patcher.patch(hr, { ownedConditions: OWNED_CONDITIONS }),
        forceRequested: force,
      });
      if (result.kind === 'stalled') return { terminal: true };
      if (result.kind === 'requeue') return result.afterMs ? { requeueAfterMs: result.afterMs, wait: true } : { requeue: true };
      return { requeueAfterMs: this.intervalMs(hr) };
    } finally {
      await target.dispose();
    }
  }

  /** Resets failure counters when the desired state changed (or `resetAt`), then records `lastAttempted*`. */
  private recordAttempt(hr: HR, chart: LoadedChart, values: Record<string, unknown>): void {
    const status = hr.status!;
    const reset = handleRequest(hr, 'reconcile.fluxcd.io/resetAt', 'lastHandledResetAt');
    if (this.mustResetFailures(hr, chart.version, values) || reset) clearFailures(hr);
    status.lastAttemptedGeneration = hr.metadata.generation ?? 0;
    status.lastAttemptedRevision = chart.version;
    if (chart.ociDigest) status.lastAttemptedRevisionDigest = chart.ociDigest;
    else delete status.lastAttemptedRevisionDigest;
    status.lastAttemptedConfigDigest = digestValues(values);
    delete status.lastAttemptedValuesChecksum;
    delete status.lastReleaseRevision;
  }

  private postRender(hr: HR): PostRenderConfig {
    const cfg: PostRenderConfig = { originLabels: originLabels(hr.metadata.namespace!, hr.metadata.name!) };
    const kustomize = (hr.spec.postRenderers ?? []).map((p) => p.kustomize).filter((k): k is NonNullable<typeof k> => !!k);
    if (kustomize.length) {
      cfg.kustomize = kustomize as PostRenderConfig['kustomize'];
      cfg.kustomizePath = this.opts.kustomizePath ?? 'kustomize';
    }
    const cm = hr.spec.commonMetadata;
    if (cm?.labels) cfg.commonLabels = cm.labels;
    if (cm?.annotations) cfg.commonAnnotations = cm.annotations;
    return cfg;
  }

  /** Flux's `ReleaseTargetChanged`. */
  private targetChanged(hr: HR, chartName: string, storageNamespace: string): string | undefined {
    const cur = latest(hr.status?.history);
    if (!hr.status?.storageNamespace || !cur) return undefined;
    if (hr.status.storageNamespace !== storageNamespace) return 'storage namespace';
    if (releaseNamespaceOf(hr) !== cur.namespace) return 'release namespace';
    if (releaseNameOf(hr) !== cur.name) return 'release name';
    if (chartName !== cur.chartName && hr.spec.upgrade?.chartNameChangeStrategy !== 'InPlaceUpdate') return 'chart name';
    return undefined;
  }

  /** Flux's `MustResetFailures` (without the annotation, handled by the caller). */
  private mustResetFailures(hr: HR, version: string, values: Record<string, unknown>): boolean {
    const s = hr.status!;
    if ((s.lastAttemptedGeneration ?? 0) !== (hr.metadata.generation ?? 0)) return true;
    if ((s.lastAttemptedRevision ?? '') !== version) return true;
    return !!s.lastAttemptedConfigDigest && !verifyValues(s.lastAttemptedConfigDigest, values);
  }

  /** Deletion: uninstall (unless suspended or never installed) and remove the HelmChart. */
  private async reconcileDelete(hr: HR, ctx: ReconcileContext): Promise<void> {
    if (hr.spec.suspend) return;
    const status = hr.status!;
    if (status.storageNamespace) {
      let target: TargetCluster | undefined;
      try {
        target = await this.target(hr);
      } catch (e) {
        if (e instanceof ClusterAccessError && e.notFound) ctx.log.error(`skipping Helm release uninstallation: ${e.message}`);
        else {
          this.fail(hr, REASONS.UninstallFailed, `failed to build REST client getter to uninstall release: ${(e as Error).message}`);
          throw e;
        }
      }
      if (target) {
        try {
          if (await this.serviceAccountUsable(hr, target)) {
            await uninstallRelease(hr, this.env(hr, target, status.storageNamespace, ctx.signal)).catch((e: unknown) => {
              if (!(e instanceof NoLatestReleaseError)) throw e;
            });
          }
        } finally {
          await target.dispose();
        }
      }
      delete status.history;
      delete status.storageNamespace;
    }
    await reconcileChartTemplate(hr, { client: this.opts.client, fieldManager: this.fieldManager, ...this.optional() });
  }

  /** Flux skips the uninstall when the impersonated ServiceAccount is gone (namespace terminating). */
  private async serviceAccountUsable(hr: HR, target: TargetCluster): Promise<boolean> {
    if (hr.spec.kubeConfig || !target.serviceAccount) return true;
    return !!(await this.opts.client.get({ apiVersion: 'v1', kind: 'ServiceAccount', namespace: hr.metadata.namespace!, name: target.serviceAccount }));
  }
}
