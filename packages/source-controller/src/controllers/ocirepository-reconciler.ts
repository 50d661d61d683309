// SPDX-License-Identifier: Apache-2.0
/**
 * The OCIRepository reconciler, following source-controller's `ocirepository_controller.go`: steps
 * `reconcileStorage`, `reconcileSource`, `reconcileArtifact` on the shared skeleton, with the
 * runtime's OCI client.
 *
 * reconcileSource resolves the reference (digest > semver [+ semverFilter] > tag > `latest`), reads
 * the manifest digest — the revision is `<tag>@sha256:<hex>`, or `sha256:<hex>` for a digest — and
 * skips the pull when the stored artifact has that revision and neither `ignore` nor
 * `layerSelector` changed. Otherwise it pulls the manifest (its annotations become artifact
 * metadata, e.g. `org.opencontainers.image.revision`) and the selected layer (first, or by media
 * type): extracted (`extract`, the default) or kept compressed (`copy`).
 *
 * reconcileArtifact archives the content (with `.sourceignore` / `spec.ignore`) or stores the layer
 * as `sha256:<hex>.tar.gz`, links `latest.tar.gz`, and records `observedIgnore` and
 * `observedLayerSelector`. Failures: FetchFailed (URLInvalid, AuthenticationFailed,
 * ReadOperationFailed, OCIArtifactPullFailed, OCIArtifactLayerOperationFailed), StorageOperationFailed.
 */
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { OCIRepository } from '@eddy/api/source/v1';
import { SourceCondition, SourceReason } from '@eddy/api/source/v1';
import type { Manifest, OciReference } from '@eddy/runtime/oci';
import { OciClient, ociRevision, selectTagBySemver } from '@eddy/runtime/oci';
import type { SerialPatcher } from '@eddy/runtime/patch';
import type { ReconcileContext } from '@eddy/runtime/reconcile';
import type { ConditionsSpec, StepResult } from '@eddy/runtime/summarize';
import { sourceIgnoreFilter } from '../ignore/sourceignore.ts';
import { extractArchive } from '../storage/extract.ts';
import type { SourceObject, SourceReconcilerOptions, SourceStep } from './source-reconciler-base.ts';
import { durationOr, SourceReconcilerBase, sourceReadyCondition } from './source-reconciler-base.ts';
import { ociClientOptions, OciConfigError, parseRepositoryURL } from './ocirepository-helpers.ts';

/** Ready is summarised from these (source-controller `ociRepositoryReadyCondition`). */
export const ociRepositoryReadyCondition: ConditionsSpec = sourceReadyCondition(
  [SourceCondition.StorageOperationFailed, SourceCondition.FetchFailed, SourceCondition.ArtifactOutdated],
  [SourceCondition.ArtifactInStorage, SourceCondition.SourceVerified],
);

const FAIL_CONDITIONS = [SourceCondition.FetchFailed, SourceCondition.StorageOperationFailed] as const;

type Obj = OCIRepository & SourceObject;

interface RunState {
  dir: string;
  revision: string;
  metadata?: Record<string, string>;
  /** The extracted content, or the copied layer file. */
  content?: string;
  skipped: boolean;
}

/** The digest part of a revision (`v1@sha256:x` → `sha256:x`). */
export function digestOfRevision(revision: string): string {
  return revision.slice(revision.lastIndexOf('@') + 1);
}

/** Flux's `ociContentConfigChanged`: `ignore` or `layerSelector` differ from what was observed. */
export function ociContentConfigChanged(obj: OCIRepository): boolean {
  const s = (obj.status ?? {}) as { observedIgnore?: string; observedLayerSelector?: { mediaType?: string; operation?: string } };
  if ((obj.spec.ignore ?? undefined) !== (s.observedIgnore ?? undefined)) return true;
  const a = obj.spec.layerSelector;
  const b = s.observedLayerSelector;
  return (a?.mediaType ?? '') !== (b?.mediaType ?? '') || (a?.operation ?? '') !== (b?.operation ?? '') || (a === undefined) !== (b === undefined);
}

/** Reconciles OCIRepository objects into artifacts in storage. */
export class OCIRepositoryReconciler extends SourceReconcilerBase<Obj, RunState> {
  protected readonly kind = 'OCIRepository';
  protected readonly readyCondition = ociRepositoryReadyCondition;
  protected override readonly biPolarity = [SourceCondition.SourceVerified];

  constructor(opts: SourceReconcilerOptions) {
    super(opts);
  }

  protected steps(): SourceStep<Obj, RunState>[] {
    return [this.reconcileStorage, this.reconcileSource, this.reconcileArtifact];
  }

  protected newState(_obj: Obj, dir: string): RunState {
    return { dir, revision: '', skipped: false };
  }

  private async resolveTag(obj: Obj, client: OciClient, repo: OciReference): Promise<string | undefined> {
    const ref = obj.spec.ref ?? {};
    if (ref.digest) return undefined;
    if (ref.semver) {
      const tags = await client.listTags(repo);
      let tag: string | undefined;
      try {
        tag = selectTagBySemver(tags, ref.semver, ref.semverFilter);
      } catch (err) {
        const what = /semver/.test((err as Error).message) ? `semver '${ref.semver}' parse error: ${(err as Error).message.replace(/^semver parse error: /, '')}` : `failed to filter tags: ${(err as Error).message}`;
        throw new Error(what);
      }
      if (!tag) throw new Error(`no match found for semver: ${ref.semver}`);
      return tag;
    }
    return ref.tag || 'latest';
  }

  /** reconcileSource: see the module doc. */
  private async reconcileSource(obj: Obj, patcher: SerialPatcher<Obj>, st: RunState, ctx: ReconcileContext): Promise<StepResult> {
    const F = SourceCondition.FetchFailed;
    if (obj.spec.verify) {
      const msg = `failed to verify the signature using provider '${obj.spec.verify.provider}': signature verification is not supported by Eddy yet`;
      this.c.markFalse(obj, SourceCondition.SourceVerified, SourceReason.VerificationError, msg);
      this.fail(obj, F, SourceReason.VerificationError, msg, { stalling: true });
    }
    this.c.remove(obj, SourceCondition.SourceVerified);
    let repo: OciReference;
    try {
      repo = parseRepositoryURL(obj.spec.url, Boolean(obj.spec.insecure));
    } catch (err) {
      return this.fail(obj, F, SourceReason.URLInvalid, `URL validation failed for '${obj.spec.url}': ${(err as Error).message}`, { stalling: true });
    }
    let client: OciClient;
    try {
      client = new OciClient({ ...(await ociClientOptions(this.opts.client, obj, repo.registry)), timeoutMs: durationOr(obj.spec.timeout, 60_000), signal: ctx.signal });
    } catch (err) {
      if (!(err instanceof OciConfigError)) throw err;
      return this.fail(obj, F, err.reason, err.message, { stalling: err.stalling });
    }
    let tag: string | undefined;
    try {
      tag = await this.resolveTag(obj, client, repo);
    } catch (err) {
      return this.fail(obj, F, SourceReason.ReadOperationFailed, `failed to determine the artifact tag for '${obj.spec.url}': ${(err as Error).message}`);
    }
    const target = tag ? `${repo.registry}/${repo.repository}:${tag}` : `${repo.registry}/${repo.repository}@${obj.spec.ref!.digest!}`;
    let digest: string;
    try {
      digest = tag ? (await client.headManifest(target)).digest : obj.spec.ref!.digest!;
    } catch (err) {
      return this.fail(obj, F, SourceReason.OCIArtifactPullFailed, `failed to determine artifact digest: ${(err as Error).message}`);
    }
    st.revision = ociRevision(tag, digest);
    const moved = obj.status.artifact?.revision !== st.revision;
    try {
      if (obj.status.artifact?.revision === st.revision && !ociContentConfigChanged(obj)) {
        st.skipped = true;
        this.c.remove(obj, F);
        return 'success';
      }
      await this.pull(obj, client, `${repo.registry}/${repo.repository}@${digest}`, st);
      this.c.remove(obj, F);
      return 'success';
    } finally {
      if (moved) {
        const message = `new revision '${st.revision}' for '${target}'`;
        if (obj.status.artifact) this.c.markTrue(obj, SourceCondition.ArtifactOutdated, SourceReason.NewRevision, message);
        this.progressive(obj, true, `building artifact: ${message}`);
        await this.patch(patcher, obj).catch(() => undefined);
      }
    }
  }

  /** Pulls the manifest and the selected layer into the run's directory. */
  private async pull(obj: Obj, client: OciClient, ref: string, st: RunState): Promise<void> {
    const F = SourceCondition.FetchFailed;
    const L = SourceReason.OCIArtifactLayerOperationFailed;
    let manifest: Manifest;
    try {
      manifest = (await client.getManifest(ref)).manifest;
    } catch (err) {
      this.fail(obj, F, SourceReason.OCIArtifactPullFailed, `failed to pull artifact from '${obj.spec.url}': ${(err as Error).message}`);
    }
    st.metadata = manifest!.annotations ?? {};
    const layers = manifest!.layers;
    if (layers.length < 1) this.fail(obj, F, L, 'no layers found in artifact');
    const want = obj.spec.layerSelector?.mediaType;
    const layer = want ? layers.find((l) => l.mediaType === want) : layers[0];
    if (!layer) this.fail(obj, F, L, `failed to find layer with media type '${want}' in artifact`);
    const repo = ref.slice(0, ref.lastIndexOf('@'));
    let blob: ReadableStream<Uint8Array>;
    try {
      blob = await client.fetchBlob(repo, layer!.digest);
    } catch (err) {
      this.fail(obj, F, L, `failed to extract the first layer from artifact: ${(err as Error).message}`);
    }
    if ((obj.spec.layerSelector?.operation ?? 'extract') === 'copy') {
      st.content = join(st.dir, `${digestOfRevision(st.revision)}.tgz`);
      try {
        await pipeline(Readable.fromWeb(blob! as never), createWriteStream(st.content, { mode: 0o600 }));
      } catch (err) {
        this.fail(obj, F, L, `failed to copy layer from artifact: ${(err as Error).message}`);
      }
      return;
    }
    st.content = join(st.dir, 'content');
    try {
      await extractArchive(Readable.fromWeb(blob! as never), st.content);
    } catch (err) {
      this.fail(obj, F, L, `failed to extract layer contents from artifact: ${(err as Error).message}`);
    }
  }

  /** reconcileArtifact: see the module doc. */
  private async reconcileArtifact(obj: Obj, _p: SerialPatcher<Obj>, st: RunState): Promise<StepResult> {
    const { storage } = this.opts;
    const artifact = storage.newArtifactFor(this.kind, obj.metadata.namespace!, obj.metadata.name!, st.revision, `${digestOfRevision(st.revision)}.tar.gz`);
    const upToDate = (): boolean => obj.status.artifact?.revision === artifact.revision && !ociContentConfigChanged(obj);
    const finish = (): StepResult => {
      if (upToDate()) this.markStored(obj, 'Succeeded', `stored artifact for digest '${artifact.revision}'`);
      return 'success';
    };
    if (st.skipped || upToDate()) {
      this.artifactUpToDate(obj, artifact.revision);
      return finish();
    }
    const content = st.content!;
    if ((obj.spec.layerSelector?.operation ?? 'extract') === 'copy') {
      await this.writeArtifact(obj, artifact, 'unable to copy artifact to storage', () => storage.copyFromPath(artifact, content));
    } else {
      const filter = await sourceIgnoreFilter(content, obj.spec.ignore).catch((err: unknown) => {
        throw new Error(`failed to load source ignore patterns from repository: ${(err as Error).message}`);
      });
      await this.writeArtifact(obj, artifact, 'unable to archive artifact to storage', () => storage.archive(artifact, content, { filter }));
    }
    obj.status.artifact = { ...artifact, digest: artifact.digest ?? '', ...(st.metadata && Object.keys(st.metadata).length > 0 ? { metadata: st.metadata } : {}) };
    if (obj.spec.ignore !== undefined) obj.status.observedIgnore = obj.spec.ignore;
    else delete obj.status.observedIgnore;
    if (obj.spec.layerSelector) obj.status.observedLayerSelector = structuredClone(obj.spec.layerSelector);
    else delete obj.status.observedLayerSelector;
    await this.linkArtifact(obj, artifact, 'latest.tar.gz');
    return finish();
  }

  protected notify(before: Obj, after: Obj, _st: RunState, result: StepResult, error: unknown): void {
    const art = after.status.artifact;
    if (!art) return;
    let message = `stored artifact with revision '${art.revision}' from '${after.spec.url}'`;
    const origin = art.metadata?.['org.opencontainers.image.source'];
    const originRev = art.metadata?.['org.opencontainers.image.revision'];
    if (origin || originRev) message += `, origin source '${origin ?? ''}', origin revision '${originRev ?? ''}'`;
    this.notifyArtifact(before, after, { result, error }, { failConditions: FAIL_CONDITIONS, message });
  }
}
