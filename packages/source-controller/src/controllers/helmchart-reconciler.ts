// SPDX-License-Identifier: Apache-2.0
/**
 * The HelmChart reconciler, following source-controller's `helmchart_controller.go`: steps
 * `reconcileStorage`, `reconcileSource`, `reconcileArtifact` on the shared skeleton.
 *
 * reconcileSource gets the source (FetchFailed SourceUnavailable / NoSourceArtifact), records
 * `observedSourceArtifactRevision`, and builds the chart: from a HelmRepository (index in storage,
 * or an OCI registry) with {@link buildFromRemote}, from a GitRepository or Bucket artifact with
 * {@link buildFromLocal}. Revisions as Flux: the chart version; `+<generation>` with values files;
 * `+<first 12 hex of the source revision>` with `reconcileStrategy: Revision` (plus `.<generation>`
 * with values files). Build failures land in FetchFailed or BuildFailed with Flux's reasons; the
 * reference, metadata and values-file ones stall.
 *
 * reconcileArtifact stores the packaged `.tgz` as `<name>-<version>.tgz` (helm-controller consumes it
 * as is), links `latest.tar.gz`, and sets `observedChartName` / `observedValuesFiles`.
 */
import { join } from 'node:path';
import type { HelmChart, HelmRepository } from '@eddy/api/source/v1';
import { SourceCondition, SourceReason } from '@eddy/api/source/v1';
import { isFalse } from '@eddy/runtime/conditions';
import type { SerialPatcher } from '@eddy/runtime/patch';
import type { ReconcileContext } from '@eddy/runtime/reconcile';
import { StallingError, TransientError } from '@eddy/runtime/reconcile';
import type { ConditionsSpec, StepResult } from '@eddy/runtime/summarize';
import { SecretError } from '../fetch/secrets.ts';
import type { Build, BuildOptions } from '../helm/chart-builder.ts';
import { BuildErrorReason, buildFromLocal, buildFromRemote, buildSummary, ChartBuildError, effectiveValuesFiles } from '../helm/chart-builder.ts';
import type { ChartRemote } from '../helm/chart-repository.ts';
import { HttpChartRepository } from '../helm/chart-repository.ts';
import type { Artifact } from '../storage/storage.ts';
import { extractArchive } from '../storage/extract.ts';
import { dependencyDownloader, ociChartRepository, revisionMetadata } from './helmchart-helpers.ts';
import { helmClientOptions, normalizeRepositoryURL } from './helm-repository-auth.ts';
import type { SourceObject, SourceReconcilerOptions, SourceStep } from './source-reconciler-base.ts';
import { durationOr, SourceReconcilerBase, sourceReadyCondition } from './source-reconciler-base.ts';

/** Ready is summarised from these (source-controller `helmChartReadyCondition`). */
export const helmChartReadyCondition: ConditionsSpec = sourceReadyCondition(
  [SourceCondition.StorageOperationFailed, SourceCondition.FetchFailed, SourceCondition.BuildFailed, SourceCondition.ArtifactOutdated],
  [SourceCondition.ArtifactInStorage, SourceCondition.SourceVerified],
);

const FAIL_CONDITIONS = [SourceCondition.BuildFailed, SourceCondition.FetchFailed, SourceCondition.StorageOperationFailed] as const;
const PLURAL: Record<string, string> = { HelmRepository: 'helmrepositories', GitRepository: 'gitrepositories', Bucket: 'buckets' };

/** Options of {@link HelmChartReconciler}. */
export interface HelmChartReconcilerOptions extends SourceReconcilerOptions {
  /** Largest chart downloaded (`--helm-chart-max-size`). @default 10 MiB */
  maxChartSize?: number;
}

type Obj = HelmChart & SourceObject;

const BUILD_SIDE: readonly string[] = [BuildErrorReason.MetadataPatch[0], BuildErrorReason.ValuesFiles[0], BuildErrorReason.DependencyBuild[0], BuildErrorReason.ChartPackage[0]];

/** Where Flux's `observeChartBuild` records an error: BuildFailed for build-side reasons, else FetchFailed (reason `Unknown` for non-build errors). */
export function classifyBuildError(err: unknown): { condition: string; reason: string; message: string } {
  const be = err instanceof ChartBuildError ? err : undefined;
  const reason = be?.reason[0] ?? 'Unknown';
  const message = be?.message ?? `unknown build error: ${(err as Error).message}`;
  return { condition: BUILD_SIDE.includes(reason) ? SourceCondition.BuildFailed : SourceCondition.FetchFailed, reason, message };
}
type Source = SourceObject & { spec: Record<string, unknown> };

interface RunState {
  dir: string;
  build?: Build;
}

/** Reconciles HelmChart objects into packaged chart artifacts. */
export class HelmChartReconciler extends SourceReconcilerBase<Obj, RunState> {
  protected readonly kind = 'HelmChart';
  protected readonly readyCondition = helmChartReadyCondition;
  protected override readonly biPolarity = [SourceCondition.SourceVerified];

  constructor(protected override readonly opts: HelmChartReconcilerOptions) {
    super(opts);
  }

  protected steps(): SourceStep<Obj, RunState>[] {
    return [this.reconcileStorage, this.reconcileSource, this.reconcileArtifact];
  }

  protected newState(_obj: Obj, dir: string): RunState {
    return { dir };
  }

  private async getSource(obj: Obj): Promise<Source> {
    const { kind, name } = obj.spec.sourceRef;
    if (!PLURAL[kind]) {
      const msg = `failed to get source: unsupported source kind '${kind}', must be one of: [HelmRepository GitRepository Bucket]`;
      this.c.markTrue(obj, SourceCondition.FetchFailed, 'SourceUnavailable', msg);
      throw new StallingError(msg, { reason: 'UnsupportedSourceKind' });
    }
    const s = await this.opts.client.get<Source>({ apiVersion: this.apiVersion, kind, namespace: obj.metadata.namespace!, name });
    if (!s) {
      this.fail(obj, SourceCondition.FetchFailed, 'SourceUnavailable', `failed to get source: ${PLURAL[kind]}.source.toolkit.fluxcd.io "${name}" not found`);
    }
    return s!;
  }

  /**
   * reconcileSource: see the module doc. Records the build observation (ArtifactOutdated "NewChart",
   * Reconciling "building artifact: <summary>") and maps build errors onto FetchFailed/BuildFailed.
   */
  private async reconcileSource(obj: Obj, patcher: SerialPatcher<Obj>, st: RunState, ctx: ReconcileContext): Promise<StepResult> {
    if (isFalse(obj, SourceCondition.SourceVerified)) this.c.remove(obj, SourceCondition.SourceVerified);
    const source = await this.getSource(obj);
    const art = source.status?.artifact;
    const isOciRepo = obj.spec.sourceRef.kind === 'HelmRepository' && (source as unknown as HelmRepository).spec.type === 'oci';
    if ((!art || !(await this.opts.storage.exists(art))) && !isOciRepo) {
      const msg = `no artifact available for ${obj.spec.sourceRef.kind} source '${obj.spec.sourceRef.name}'`;
      this.c.markTrue(obj, SourceCondition.FetchFailed, 'NoSourceArtifact', msg);
      this.opts.events?.event(obj, 'Trace', 'NoSourceArtifact', msg);
      return 'requeue';
    }
    if (art) obj.status.observedSourceArtifactRevision = art.revision;
    let error: unknown;
    try {
      st.build =
        obj.spec.sourceRef.kind === 'HelmRepository'
          ? await this.buildFromHelmRepository(obj, source as unknown as HelmRepository & Source, st, ctx)
          : await this.buildFromTarball(obj, art!, st, ctx);
      return 'success';
    } catch (err) {
      error = err;
      throw this.typed(err);
    } finally {
      await this.observeBuild(obj, patcher, st.build ?? (error instanceof ChartBuildError ? error.build : undefined), error);
    }
  }

  /** Build errors become typed errors: persistent reasons stall, the others retry. */
  private typed(err: unknown): unknown {
    if (!(err instanceof ChartBuildError)) return err;
    const opts = { reason: err.reason[0], cause: err };
    return err.persistent ? new StallingError(err.message, opts) : new TransientError(err.message, opts);
  }

  /** Flux's `observeChartBuild`. */
  private async observeBuild(obj: Obj, patcher: SerialPatcher<Obj>, build: Build | undefined, err: unknown): Promise<void> {
    if (build?.name && build.version && (build.name !== obj.status.observedChartName || obj.status.artifact?.revision !== build.version)) {
      if (obj.status.artifact) this.c.markTrue(obj, SourceCondition.ArtifactOutdated, 'NewChart', buildSummary(build));
      this.progressive(obj, true, `building artifact: ${buildSummary(build)}`);
      await this.patch(patcher, obj).catch(() => undefined);
    }
    if (build?.path) {
      this.c.remove(obj, SourceCondition.FetchFailed);
      this.c.remove(obj, SourceCondition.BuildFailed);
    }
    if (!obj.spec.verify) this.c.remove(obj, SourceCondition.SourceVerified);
    if (err === undefined) return;
    const { condition, reason, message } = classifyBuildError(err);
    this.c.remove(obj, condition === SourceCondition.BuildFailed ? SourceCondition.FetchFailed : SourceCondition.BuildFailed);
    this.c.markTrue(obj, condition, reason, message);
  }

  private buildOptions(obj: Obj, st: RunState, ctx: ReconcileContext): BuildOptions {
    return {
      workDir: st.dir,
      force: obj.metadata.generation !== obj.status.observedGeneration,
      ...(obj.spec.valuesFiles ? { valuesFiles: obj.spec.valuesFiles } : {}),
      ignoreMissingValuesFiles: Boolean(obj.spec.ignoreMissingValuesFiles),
      ...(obj.status.artifact ? { cachedChart: this.opts.storage.localPath(obj.status.artifact) } : {}),
      ...(obj.status.observedValuesFiles ? { cachedChartValuesFiles: obj.status.observedValuesFiles } : {}),
      ...(this.opts.maxChartSize ? { maxChartSize: this.opts.maxChartSize } : {}),
      signal: ctx.signal,
    };
  }

  private async buildFromHelmRepository(obj: Obj, repo: HelmRepository & Source, st: RunState, ctx: ReconcileContext): Promise<Build> {
    let url: string;
    try {
      url = normalizeRepositoryURL(repo.spec.url);
    } catch (err) {
      return this.fail(obj, SourceCondition.FetchFailed, SourceReason.URLInvalid, `invalid Helm repository URL: ${(err as Error).message}`, { stalling: true });
    }
    let client;
    try {
      client = await helmClientOptions(this.opts.client, repo);
    } catch (err) {
      if (!(err instanceof SecretError)) throw err;
      return this.fail(obj, SourceCondition.FetchFailed, SourceReason.AuthenticationFailed, err.message);
    }
    if (obj.spec.verify) {
      const msg = `failed to verify the signature using provider '${obj.spec.verify.provider}': signature verification is not supported by Eddy yet`;
      this.c.markFalse(obj, SourceCondition.SourceVerified, SourceReason.VerificationError, msg);
      throw new StallingError(msg, { reason: SourceReason.VerificationError });
    }
    let remote: ChartRemote;
    if (repo.spec.type === 'oci') {
      remote = ociChartRepository(url, repo, client, durationOr(repo.spec.timeout, 60_000), ctx.signal);
    } else {
      remote = new HttpChartRepository(this.opts.storage.localPath(repo.status.artifact!), url, client, ctx.signal);
    }
    const opts = this.buildOptions(obj, st, ctx);
    if (effectiveValuesFiles(obj.spec.valuesFiles).length > 0) opts.versionMetadata = String(obj.metadata.generation);
    return buildFromRemote(remote, { name: obj.spec.chart, version: obj.spec.version ?? '*' }, join(st.dir, 'chart.tgz'), opts);
  }

  private async buildFromTarball(obj: Obj, source: Artifact, st: RunState, ctx: ReconcileContext): Promise<Build> {
    const sourceDir = join(st.dir, 'source');
    try {
      await extractArchive(this.opts.storage.localPath(source), sourceDir);
    } catch (err) {
      throw new TransientError(`artifact untar error: ${(err as Error).message}`, { reason: 'Failed', cause: err });
    }
    const opts = this.buildOptions(obj, st, ctx);
    let meta = obj.spec.reconcileStrategy === 'Revision' ? revisionMetadata(obj.spec.sourceRef.kind, source.revision) : '';
    if (effectiveValuesFiles(obj.spec.valuesFiles).length > 0) meta = meta ? `${meta}.${obj.metadata.generation}` : String(obj.metadata.generation);
    if (meta) opts.versionMetadata = meta;
    opts.downloadDependency = dependencyDownloader(this.opts.client, this.opts.storage, obj.metadata.namespace!, join(st.dir, 'deps'), ctx.signal);
    return buildFromLocal({ workDir: sourceDir, path: obj.spec.chart }, join(st.dir, 'chart.tgz'), opts);
  }

  /**
   * reconcileArtifact: stores the build as `<name>-<version>.tgz` unless it is the stored chart
   * already, links `latest.tar.gz` (`status.url`), records `observedChartName` and (with
   * `ignoreMissingValuesFiles`) `observedValuesFiles`; ArtifactInStorage carries the build summary.
   */
  private async reconcileArtifact(obj: Obj, _p: SerialPatcher<Obj>, st: RunState): Promise<StepResult> {
    const b = st.build;
    if (!b?.path) return 'requeue';
    const { storage } = this.opts;
    const reason = b.packaged ? SourceReason.ChartPackageSucceeded : SourceReason.ChartPullSucceeded;
    const finish = (): StepResult => {
      if (obj.status.observedChartName === b.name && obj.status.artifact?.revision === b.version) this.markStored(obj, reason, buildSummary(b));
      return 'success';
    };
    const artifact = storage.newArtifactFor(this.kind, obj.metadata.namespace!, obj.metadata.name!, b.version, `${b.name}-${b.version}.tgz`);
    const path = b.path;
    if (obj.status.artifact && storage.localPath(obj.status.artifact) === path) {
      this.artifactUpToDate(obj, artifact.revision);
      return finish();
    }
    await this.writeArtifact(obj, artifact, 'unable to copy Helm chart to storage', () => storage.copyFromPath(artifact, path));
    obj.status.artifact = { ...artifact, digest: artifact.digest ?? '' };
    obj.status.observedChartName = b.name;
    if (obj.spec.ignoreMissingValuesFiles && b.valuesFiles.length > 0) obj.status.observedValuesFiles = b.valuesFiles;
    else delete obj.status.observedValuesFiles;
    await this.linkArtifact(obj, artifact, 'latest.tar.gz');
    return finish();
  }

  protected notify(before: Obj, after: Obj, st: RunState, result: StepResult, error: unknown): void {
    if (!st.build?.path) return;
    const reason = st.build.packaged ? SourceReason.ChartPackageSucceeded : SourceReason.ChartPullSucceeded;
    this.notifyArtifact(before, after, { result, error }, { failConditions: FAIL_CONDITIONS, message: buildSummary(st.build), reason });
  }
}
