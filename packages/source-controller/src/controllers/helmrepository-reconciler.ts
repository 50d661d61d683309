// SPDX-License-Identifier: Apache-2.0
/**
 * The HelmRepository reconciler, following source-controller's `helmrepository_controller.go`:
 * ordered steps `reconcileStorage`, `reconcileSource`, `reconcileArtifact` on the shared skeleton.
 *
 * `type: default`: the `index.yaml` is streamed to disk (capped at `--helm-index-max-size`, 50 MiB)
 * with its sha256 computed on the way — that digest is the revision (`sha256:<hex>`), and an
 * unchanged revision skips parsing altogether. A new index is validated chunk by chunk
 * ({@link normalizeIndex}) and stored as `index-<hex>.yaml` (JSON, as Flux stores it), with an
 * `index.yaml` link for `status.url`. Failures: FetchFailed (Failed, URLInvalid, AuthenticationFailed,
 * IndexationFailed); the previous artifact stays.
 *
 * `type: oci`: as Flux since v2.3, the object is static: the reconciler drops any artifact, its
 * finalizer and its status once, then leaves it alone (HelmCharts read its settings directly).
 */
import { join } from 'node:path';
import type { HelmRepository } from '@eddy/api/source/v1';
import { SourceCondition, SourceReason } from '@eddy/api/source/v1';
import { FLUX_FINALIZER, hasFinalizer, removeFinalizer } from '@eddy/runtime/finalizers';
import type { SerialPatcher } from '@eddy/runtime/patch';
import type { ReconcileContext, Result } from '@eddy/runtime/reconcile';
import type { ConditionsSpec, StepResult } from '@eddy/runtime/summarize';
import { downloadToFile, TooLargeError } from '../fetch/http.ts';
import { SecretError } from '../fetch/secrets.ts';
import { DEFAULT_MAX_INDEX_SIZE, IndexError, normalizeIndex } from '../helm/index-file.ts';
import type { IndexSummary } from '../helm/index-file.ts';
import type { Artifact } from '../storage/storage.ts';
import { helmClientOptions, httpOptionsFor, indexURL, normalizeRepositoryURL } from './helm-repository-auth.ts';
import type { SourceObject, SourceReconcilerOptions, SourceStep } from './source-reconciler-base.ts';
import { SourceReconcilerBase, sourceReadyCondition } from './source-reconciler-base.ts';

/** Ready is summarised from these (source-controller `helmRepositoryReadyCondition`). */
export const helmRepositoryReadyCondition: ConditionsSpec = sourceReadyCondition(
  [SourceCondition.StorageOperationFailed, SourceCondition.FetchFailed, SourceCondition.ArtifactOutdated],
  [SourceCondition.ArtifactInStorage],
);

const FAIL_CONDITIONS = [SourceCondition.FetchFailed, SourceCondition.StorageOperationFailed] as const;

/** Options of {@link HelmRepositoryReconciler}. */
export interface HelmRepositoryReconcilerOptions extends SourceReconcilerOptions {
  /** Largest index accepted (`--helm-index-max-size`). @default 50 MiB */
  maxIndexSize?: number;
}

type Obj = HelmRepository & SourceObject;

interface RunState {
  dir: string;
  /** The normalised index, ready to store. */
  normalized?: string;
  summary?: IndexSummary;
  /** The artifact this run wants in status. */
  artifact?: Artifact;
  url: string;
}

/** Docker's `units.HumanSize`: decimal units, four significant digits (`1.234kB`). */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let size = bytes;
  let i = 0;
  while (size >= 1000 && i < units.length - 1) {
    size /= 1000;
    i++;
  }
  return `${Number(size.toPrecision(4))}${units[i]}`;
}

/** Flux's `HelmRepositoryOCIRequireMigration`: an OCI repository still carrying a finalizer or status. */
export function ociRequiresMigration(obj: HelmRepository): boolean {
  if (obj.spec.type !== 'oci') return false;
  const s = (obj.status ?? {}) as Record<string, unknown>;
  const empty =
    !s.artifact && !s.url && !s.lastHandledReconcileAt && !(Array.isArray(s.conditions) && s.conditions.length > 0) && (s.observedGeneration === undefined || s.observedGeneration === 0);
  return hasFinalizer(obj) || !empty;
}

/** Reconciles HelmRepository objects into index artifacts in storage. */
export class HelmRepositoryReconciler extends SourceReconcilerBase<Obj, RunState> {
  protected readonly kind = 'HelmRepository';
  protected readonly readyCondition = helmRepositoryReadyCondition;
  private readonly maxIndexSize: number;

  constructor(opts: HelmRepositoryReconcilerOptions) {
    super(opts);
    this.maxIndexSize = opts.maxIndexSize ?? DEFAULT_MAX_INDEX_SIZE;
  }

  protected steps(): SourceStep<Obj, RunState>[] {
    return [this.reconcileStorage, this.reconcileSource, this.reconcileArtifact];
  }

  protected newState(obj: Obj, dir: string): RunState {
    return { dir, url: obj.spec.url };
  }

  /** OCI repositories become static objects (Flux's `migrationToStatic`). */
  protected override async intercept(obj: Obj, patcher: SerialPatcher<Obj>): Promise<Result | undefined> {
    if (obj.spec.type !== 'oci') return undefined;
    if (obj.spec.suspend && !obj.metadata.deletionTimestamp) return {};
    if (!ociRequiresMigration(obj)) return {};
    await this.reconcileDelete(obj);
    removeFinalizer(obj, FLUX_FINALIZER);
    obj.status = {} as Obj['status'];
    await patcher.patch(obj, { forceOverwriteConditions: true, ignoreNotFoundWhenDeleting: true });
    return {};
  }

  /**
   * reconcileSource: validates the URL (URLInvalid, stalling), loads the Secrets
   * (AuthenticationFailed), downloads `index.yaml` (FetchFailed/Failed), and — when its digest
   * differs from the stored revision — validates it (FetchFailed/IndexationFailed) and marks
   * ArtifactOutdated and Ready=Unknown "building artifact: new index revision".
   */
  private async reconcileSource(obj: Obj, patcher: SerialPatcher<Obj>, st: RunState, ctx: ReconcileContext): Promise<StepResult> {
    const F = SourceCondition.FetchFailed;
    if (obj.spec.url.startsWith('oci://')) {
      this.fail(obj, F, SourceReason.URLInvalid, "invalid Helm repository URL: 'oci' URL scheme cannot be used with 'default' HelmRepository type", { stalling: true });
    }
    let url: string;
    try {
      url = normalizeRepositoryURL(obj.spec.url);
    } catch (err) {
      return this.fail(obj, F, SourceReason.URLInvalid, `invalid Helm repository URL: ${(err as Error).message}`, { stalling: true });
    }
    st.url = url;
    let clientOpts;
    try {
      clientOpts = await helmClientOptions(this.opts.client, obj);
    } catch (err) {
      if (!(err instanceof SecretError)) throw err;
      return this.fail(obj, F, SourceReason.AuthenticationFailed, err.message);
    }
    if (clientOpts.deprecatedTls) {
      ctx.log.info('warning: specifying TLS authentication data via `.spec.secretRef` is deprecated, please use `.spec.certSecretRef` instead');
    }
    const raw = join(st.dir, 'index.yaml');
    const idx = indexURL(url);
    let digest: string;
    try {
      ({ digest } = await downloadToFile(idx, raw, {
        ...httpOptionsFor(idx, url, clientOpts, ctx.signal),
        maxBytes: this.maxIndexSize,
        tooLargeMessage: (max) => `index exceeds the maximum index file size of ${max} bytes`,
      }));
    } catch (err) {
      const why = err instanceof TooLargeError ? err.message : `failed to cache index to temporary file: ${(err as Error).message}`;
      return this.fail(obj, F, 'Failed', `failed to fetch Helm repository index: ${why}`, { cause: err });
    }
    const current = obj.status.artifact;
    if (current && current.revision === digest) {
      st.artifact = structuredClone(current);
      this.c.remove(obj, F);
      return 'success';
    }
    st.normalized = join(st.dir, 'index.json');
    try {
      st.summary = await normalizeIndex(raw, st.normalized);
    } catch (err) {
      if (!(err instanceof IndexError)) throw err;
      return this.fail(obj, F, SourceReason.IndexationFailed, `failed to load Helm repository from index YAML: failed to load index: ${err.message}`);
    }
    this.c.remove(obj, F);
    const message = `new index revision '${digest}'`;
    if (obj.status.artifact) this.c.markTrue(obj, SourceCondition.ArtifactOutdated, SourceReason.NewRevision, message);
    this.progressive(obj, true, `building artifact: ${message}`);
    await this.patch(patcher, obj);
    st.artifact = this.opts.storage.newArtifactFor(this.kind, obj.metadata.namespace!, obj.metadata.name!, digest, `index-${digest.slice('sha256:'.length)}.yaml`);
    return 'success';
  }

  /**
   * reconcileArtifact: stores the validated index unless the stored artifact already has this
   * revision, links `index.yaml` to it (`status.url`), and marks ArtifactInStorage
   * "stored artifact: revision '<rev>'" (StorageOperationFailed on storage errors).
   */
  private async reconcileArtifact(obj: Obj, _p: SerialPatcher<Obj>, st: RunState): Promise<StepResult> {
    const { storage } = this.opts;
    const want = st.artifact!;
    const finish = (): StepResult => {
      if (obj.status.artifact?.revision === want.revision) this.markStored(obj, 'Succeeded', `stored artifact: revision '${want.revision}'`);
      return 'success';
    };
    if (obj.status.artifact?.revision === want.revision && obj.status.artifact.digest === want.digest) {
      this.artifactUpToDate(obj, want.revision);
      return finish();
    }
    await this.writeArtifact(obj, want, 'unable to save artifact to storage', () => storage.copyFromPath(want, st.normalized!));
    obj.status.artifact = { ...want, digest: want.digest ?? '' };
    await this.linkArtifact(obj, want, 'index.yaml');
    return finish();
  }

  protected notify(before: Obj, after: Obj, st: RunState, result: StepResult, error: unknown): void {
    const size = after.status.artifact?.size;
    const message = `stored fetched index of ${size === undefined ? 'unknown size' : `size ${humanSize(size)}`} from '${st.url}'`;
    this.notifyArtifact(before, after, { result, error }, { failConditions: FAIL_CONDITIONS, message });
  }
}
