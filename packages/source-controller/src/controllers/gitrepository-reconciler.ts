// SPDX-License-Identifier: Apache-2.0
/**
 * The GitRepository reconciler, following source-controller's `gitrepository_controller.go`:
 * get → deletion / finalizer / suspend → ordered steps `reconcileStorage`, `reconcileSource`,
 * `reconcileInclude`, `reconcileArtifact` → summarise Ready and patch status once.
 *
 * Conditions (Flux's, see {@link gitRepositoryReadyCondition}): `ArtifactInStorage`,
 * `ArtifactOutdated` (NewRevision), `FetchFailed` (GitOperationFailed, AuthenticationFailed,
 * URLInvalid), `IncludeUnavailable`, `StorageOperationFailed`, `SourceVerified`; Ready is Unknown
 * while moving to a new revision. Bad input never throws out of `reconcile`: it becomes conditions
 * and a typed error; the previous artifact stays in storage until a new one replaces it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GitRepository } from '@eddy/api/source/v1';
import { SourceCondition, SourceReason } from '@eddy/api/source/v1';
import type { KubeClient } from '@eddy/runtime/client';
import type { Clock } from '@eddy/runtime/clock';
import { realClock } from '@eddy/runtime/clock';
import { get, isFalse, isTrue, settersFor } from '@eddy/runtime/conditions';
import type { EventRecorder } from '@eddy/runtime/events';
import { addFinalizer, FLUX_FINALIZER, hasFinalizer, removeFinalizer } from '@eddy/runtime/finalizers';
import { parseDuration } from '@eddy/runtime/flags';
import type { CloneResult, Commit, GitAuth, GitProxy } from '@eddy/runtime/git';
import { authFromSecret, cloneRepository, GitError, revisionOf, secretString, shortMessage, verifyCommit, verifyTag } from '@eddy/runtime/git';
import { SerialPatcher } from '@eddy/runtime/patch';
import type { ReconcileContext, Reconciler, Request, Result } from '@eddy/runtime/reconcile';
import { StallingError, TransientError, WaitingError } from '@eddy/runtime/reconcile';
import type { StepResult } from '@eddy/runtime/summarize';
import { alwaysRequeueResultBuilder, lowestRequeuingResult, summarizeAndPatch } from '@eddy/runtime/summarize';
import { sourceIgnoreFilter } from '../ignore/sourceignore.ts';
import type { Artifact, Storage } from '../storage/storage.ts';
import type { GitRepositoryStatusFields } from './gitrepository-helpers.ts';
import {
  contentConfigChanged,
  gitRepositoryFailConditions,
  gitRepositoryReadyCondition,
  includesDiffer,
  includeToPath,
  readSecretData,
  verificationMode,
} from './gitrepository-helpers.ts';

const API_VERSION = 'source.toolkit.fluxcd.io/v1';
const KIND = 'GitRepository';

/** Options of {@link GitRepositoryReconciler}. */
export interface GitRepositoryReconcilerOptions {
  client: KubeClient;
  storage: Storage;
  events?: EventRecorder;
  clock?: Clock;
  /** Field owner of status patches. @default 'gotk-source-controller' */
  controllerName?: string;
  /** Requeue while an include is not ready (`--requeue-dependency`). @default 30000 */
  dependencyRequeueMs?: number;
  /** Allow `file://` URLs (tests only). @default false */
  allowFileProtocol?: boolean;
}

type Obj = GitRepository & { status: GitRepositoryStatusFields & Record<string, unknown> };

/** Per-run state shared by the steps. */
interface RunState {
  dir: string;
  commit?: Commit;
  revision: string;
  includes: Artifact[];
  /** True when the clone was skipped because the remote did not move. */
  skipped: boolean;
}

type Step = (obj: Obj, patcher: SerialPatcher<Obj>, st: RunState, ctx: ReconcileContext) => Promise<StepResult>;

/** Reconciles GitRepository objects into tar.gz artifacts in {@link Storage}. */
export class GitRepositoryReconciler implements Reconciler {
  private readonly clock: Clock;
  private readonly c: ReturnType<typeof settersFor>;
  private readonly fieldOwner: string;

  constructor(private readonly opts: GitRepositoryReconcilerOptions) {
    this.clock = opts.clock ?? realClock;
    this.c = settersFor(this.clock);
    this.fieldOwner = opts.controllerName ?? 'gotk-source-controller';
  }

  /** One reconcile of one GitRepository (see the module doc). */
  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const obj = await this.opts.client.get<Obj>({ apiVersion: API_VERSION, kind: KIND, namespace: req.namespace, name: req.name });
    if (!obj) return {};
    obj.status ??= {} as Obj['status'];
    const patcher = new SerialPatcher<Obj>(obj, this.opts.client, { fieldOwner: this.fieldOwner, clock: this.clock });
    let intervalMs = 60_000;
    try {
      intervalMs = parseDuration(String(obj.spec.interval));
    } catch {
      /* reported below by the steps through the spec validation of the CRD */
    }
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
        result = 'empty';
      } else {
        ({ result, error } = await this.run(obj, patcher, ctx));
      }
    } catch (err) {
      error = err;
    }
    const out = await summarizeAndPatch(patcher, obj, gitRepositoryReadyCondition, {
      result,
      reconcileError: error,
      resultBuilder: alwaysRequeueResultBuilder(jitter(intervalMs)),
      biPolarity: [SourceCondition.SourceVerified],
      clock: this.clock,
      fieldOwner: this.fieldOwner,
    });
    if (out.error !== undefined) throw out.error;
    return out.result;
  }

  private async run(obj: Obj, patcher: SerialPatcher<Obj>, ctx: ReconcileContext): Promise<{ result: StepResult; error: unknown }> {
    const before = structuredClone(obj);
    this.progressive(obj, false, 'reconciliation in progress');
    const requested = obj.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'];
    if (obj.metadata.generation !== (obj.status.observedGeneration as number | undefined)) {
      this.progressive(obj, false, `processing object: new generation ${String(obj.status.observedGeneration ?? -1)} -> ${obj.metadata.generation}`);
      await patcher.patch(obj, { ownedConditions: gitRepositoryReadyCondition.owned });
    } else if (requested !== undefined && requested !== obj.status.lastHandledReconcileAt) {
      await patcher.patch(obj, { ownedConditions: gitRepositoryReadyCondition.owned });
    }
    const dir = await mkdtemp(join(tmpdir(), `gitrepository-${obj.metadata.namespace}-${obj.metadata.name}-`));
    const st: RunState = { dir: join(dir, 'repo'), revision: '', includes: [], skipped: false };
    let result: StepResult = 'empty';
    let error: unknown;
    try {
      const steps: Step[] = [this.reconcileStorage, this.reconcileSource, this.reconcileInclude, this.reconcileArtifact];
      for (const step of steps) {
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
      await rm(dir, { recursive: true, force: true });
    }
    this.notify(before, obj, st, result, error);
    return { result, error };
  }

  /** Flux's `ProgressiveStatus`: Reconciling=True, and Ready=Unknown when `negative` or Ready is absent. */
  private progressive(obj: Obj, negative: boolean, message: string): void {
    this.c.markReconciling(obj, 'Progressing', message);
    if (negative || !get(obj, 'Ready')) this.c.markUnknown(obj, 'Ready', 'Progressing', message);
  }

  /**
   * reconcileStorage: collects garbage; drops `status.artifact` when its file disappeared or its
   * digest no longer matches (Reconciling "building artifact: disappeared from storage"); removes
   * ArtifactInStorage when there is no artifact; refreshes the artifact URL.
   */
  private async reconcileStorage(obj: Obj, patcher: SerialPatcher<Obj>): Promise<StepResult> {
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
      if (missing) delete obj.status.artifact;
    }
    if (!obj.status.artifact) {
      this.progressive(obj, true, `building artifact${missing ? ': disappeared from storage' : ''}`);
      this.c.remove(obj, SourceCondition.ArtifactInStorage);
      await patcher.patch(obj, { ownedConditions: gitRepositoryReadyCondition.owned });
      return 'success';
    }
    storage.setArtifactURL(obj.status.artifact);
    return 'success';
  }

  private async authOptions(obj: Obj): Promise<{ auth: GitAuth; proxy?: GitProxy }> {
    const ns = obj.metadata.namespace!;
    const fail = (message: string, reason: string = SourceReason.AuthenticationFailed): never => {
      this.c.markTrue(obj, SourceCondition.FetchFailed, reason, message);
      throw new TransientError(message, { reason });
    };
    if (obj.spec.provider && obj.spec.provider !== 'generic') {
      const msg = `provider '${obj.spec.provider}' is not supported: use a secretRef`;
      this.c.markTrue(obj, SourceCondition.FetchFailed, 'InvalidProviderConfiguration', msg);
      throw new StallingError(msg, { reason: 'InvalidProviderConfiguration' });
    }
    let proxy: GitProxy | undefined;
    if (obj.spec.proxySecretRef) {
      const data = await readSecretData(this.opts.client, ns, obj.spec.proxySecretRef.name);
      if (!data) fail(`failed to configure proxy options: secret '${ns}/${obj.spec.proxySecretRef.name}' not found`);
      const address = secretString(data, 'address');
      if (!address) fail(`failed to configure proxy options: secret '${ns}/${obj.spec.proxySecretRef.name}': key 'address' not found`);
      proxy = { address: address!, ...optional('username', secretString(data, 'username')), ...optional('password', secretString(data, 'password')) };
    }
    let data: Record<string, Uint8Array> | undefined;
    if (obj.spec.secretRef) {
      data = await readSecretData(this.opts.client, ns, obj.spec.secretRef.name);
      if (!data) fail(`failed to get secret '${ns}/${obj.spec.secretRef.name}': secrets "${obj.spec.secretRef.name}" not found`);
    }
    try {
      return { auth: authFromSecret(obj.spec.url, data), ...(proxy ? { proxy } : {}) };
    } catch (err) {
      if (GitError.is(err, 'InvalidOptions') && /URL|scheme|host/.test((err as Error).message) && !/auth option/.test((err as Error).message)) {
        const msg = `failed to parse url '${obj.spec.url}': ${(err as Error).message}`;
        this.c.markTrue(obj, SourceCondition.FetchFailed, SourceReason.URLInvalid, msg);
        throw new StallingError(msg, { reason: SourceReason.URLInvalid });
      }
      return fail(`failed to configure authentication options: ${(err as Error).message}`);
    }
  }

  /** Fetches the artifacts of the included GitRepositories (IncludeUnavailable while one is missing). */
  private async fetchIncludes(obj: Obj): Promise<Artifact[]> {
    const out: Artifact[] = [];
    for (const inc of obj.spec.include ?? []) {
      const dep = await this.opts.client.get<Obj>({ apiVersion: API_VERSION, kind: KIND, namespace: obj.metadata.namespace!, name: inc.repository.name });
      const [reason, msg] = !dep
        ? ['NotFound', `could not get resource for include '${inc.repository.name}': not found`]
        : !dep.status?.artifact
          ? ['NoArtifact', `no artifact available for include '${inc.repository.name}'`]
          : [undefined, ''];
      if (reason) {
        this.c.markTrue(obj, SourceCondition.IncludeUnavailable, reason, msg);
        throw new WaitingError(msg, this.opts.dependencyRequeueMs ?? 30_000, { reason });
      }
      out.push(structuredClone(dep!.status.artifact!));
    }
    this.c.remove(obj, SourceCondition.IncludeUnavailable);
    return out;
  }

  /**
   * reconcileSource: resolves includes, clones the reference (skipping the clone when the remote
   * did not move and nothing else changed), verifies signatures, and marks ArtifactOutdated /
   * Reconciling / Ready=Unknown for a new revision. Clone failures set FetchFailed.
   */
  private async reconcileSource(obj: Obj, patcher: SerialPatcher<Obj>, st: RunState, ctx: ReconcileContext): Promise<StepResult> {
    if (isFalse(obj, SourceCondition.SourceVerified)) this.c.remove(obj, SourceCondition.SourceVerified);
    const { auth, proxy } = await this.authOptions(obj);
    st.includes = await this.fetchIncludes(obj);
    if (includesDiffer(st.includes, obj.status.includedArtifacts)) {
      const message = 'included artifacts differ from last observed includes';
      if (obj.status.includedArtifacts) this.c.markTrue(obj, SourceCondition.ArtifactOutdated, 'IncludeChange', message);
      this.progressive(obj, true, `building artifact: ${message}`);
      await patcher.patch(obj, { ownedConditions: gitRepositoryReadyCondition.owned });
    }
    this.c.remove(obj, SourceCondition.ArtifactOutdated);
    const absolute = Boolean(obj.spec.ref?.name);
    const canSkip = isTrue(obj, SourceCondition.ArtifactInStorage) && obj.status.artifact !== undefined && !contentConfigChanged(obj, obj.status, st.includes);
    let res: CloneResult;
    try {
      res = await cloneRepository(obj.spec.url, st.dir, {
        auth,
        ...(proxy ? { proxy } : {}),
        ref: obj.spec.ref ?? {},
        timeoutMs: safeDuration(obj.spec.timeout, 60_000),
        signal: ctx.signal,
        recurseSubmodules: Boolean(obj.spec.recurseSubmodules),
        ...(obj.spec.sparseCheckout?.length ? { sparseCheckout: obj.spec.sparseCheckout } : {}),
        ...(canSkip ? { lastObservedRevision: obj.status.artifact!.revision } : {}),
        ...(this.opts.allowFileProtocol ? { allowFileProtocol: true } : {}),
      });
    } catch (err) {
      const msg = `failed to checkout and determine revision: ${(err as Error).message}`;
      const reason = GitError.is(err, 'InvalidOptions') ? SourceReason.GitOperationFailed : SourceReason.GitOperationFailed;
      this.c.markTrue(obj, SourceCondition.FetchFailed, reason, msg);
      throw new TransientError(msg, { reason, cause: err });
    }
    if (!res.commit) {
      const msg = 'git repository is empty';
      this.c.markTrue(obj, SourceCondition.FetchFailed, 'EmptyGitRepository', msg);
      throw new TransientError(msg, { reason: 'EmptyGitRepository' });
    }
    st.commit = res.commit;
    st.revision = res.revision || revisionOf(res.commit, absolute);
    st.skipped = res.skipped;
    this.c.remove(obj, SourceCondition.FetchFailed);
    if (res.skipped) {
      this.c.markTrue(obj, SourceCondition.ArtifactInStorage, 'Succeeded', `stored artifact for revision '${st.revision}'`);
      ctx.log.info(`no changes since last reconcilation: observed revision '${st.revision}'`);
      return 'success';
    }
    await this.verifySignature(obj, res.commit);
    if (obj.status.artifact?.revision !== st.revision) {
      const message = `new upstream revision '${st.revision}'`;
      if (obj.status.artifact) this.c.markTrue(obj, SourceCondition.ArtifactOutdated, SourceReason.NewRevision, message);
      this.progressive(obj, true, `building artifact: ${message}`);
      await patcher.patch(obj, { ownedConditions: gitRepositoryReadyCondition.owned });
    }
    return 'success';
  }

  /** Verifies commit and/or tag signatures per `spec.verify` (SourceVerified True/False). */
  private async verifySignature(obj: Obj, commit: Commit): Promise<void> {
    const mode = verificationMode(obj);
    if (!mode) {
      delete obj.status.sourceVerificationMode;
      this.c.remove(obj, SourceCondition.SourceVerified);
      return;
    }
    const ns = obj.metadata.namespace!;
    const fail = (reason: string, message: string, stall = false): never => {
      this.c.markFalse(obj, SourceCondition.SourceVerified, reason, message);
      throw stall ? new StallingError(message, { reason }) : new TransientError(message, { reason });
    };
    const data = await readSecretData(this.opts.client, ns, obj.spec.verify!.secretRef.name);
    if (!data) fail('VerificationError', `PGP public keys secret error: secrets "${obj.spec.verify!.secretRef.name}" not found`);
    const rings = Object.values(data!).map((v) => Buffer.from(v).toString('utf8'));
    const lines: string[] = [];
    if (mode === 'Tag' || mode === 'TagAndHEAD') {
      const tag = commit.referencingTag;
      if (!tag) fail('InvalidVerificationMode', "cannot verify tag object's signature if a tag reference is not specified", true);
      if (!tag!.signature) fail('InvalidGitObject', `cannot verify signature of tag '${tag!.name}' since it is not signed`);
      try {
        const v = await verifyTag(tag!, rings);
        lines.push(`tag '${tag!.name}@${tag!.hash}' with key '${v.key}'`);
      } catch (err) {
        fail('InvalidTagSignature', `signature verification of tag '${tag!.name}' failed: ${(err as Error).message}`);
      }
    }
    if (mode === 'HEAD' || mode === 'TagAndHEAD') {
      try {
        const v = await verifyCommit(commit, rings);
        lines.push(`commit '${commit.hash}' with key '${v.key}'`);
      } catch (err) {
        fail('InvalidCommitSignature', `signature verification of commit '${commit.hash}' failed: ${(err as Error).message}`);
      }
    }
    const message = `verified signature of\n\t- ${lines.join('\n\t- ')}`;
    obj.status.sourceVerificationMode = mode;
    this.c.markTrue(obj, SourceCondition.SourceVerified, 'Succeeded', message);
  }

  /** reconcileInclude: copies each include's artifact (sub)tree into the checkout. */
  private async reconcileInclude(obj: Obj, _p: SerialPatcher<Obj>, st: RunState): Promise<StepResult> {
    if (st.skipped) return 'success';
    for (const [i, inc] of (obj.spec.include ?? []).entries()) {
      const to = includeToPath(inc);
      const target = join(st.dir, to);
      if (!target.startsWith(`${st.dir}/`) || to.split('/').includes('..')) {
        const msg = `path calculation for include '${inc.repository.name}' failed: invalid toPath '${to}'`;
        this.c.markTrue(obj, SourceCondition.StorageOperationFailed, 'IllegalPath', msg);
        throw new TransientError(msg, { reason: 'IllegalPath' });
      }
      try {
        await this.opts.storage.copyToPath(st.includes[i]!, inc.fromPath ?? '', target);
      } catch (err) {
        const msg = `failed to copy '${inc.repository.name}' include from ${inc.fromPath ?? ''} to ${to}: ${(err as Error).message}`;
        this.c.markTrue(obj, SourceCondition.StorageOperationFailed, 'CopyFailure', msg);
        throw new TransientError(msg, { reason: 'CopyFailure' });
      }
    }
    this.c.remove(obj, SourceCondition.IncludeUnavailable);
    return 'success';
  }

  /**
   * reconcileArtifact: archives the checkout (with `.sourceignore`, `spec.ignore` and the default
   * exclusions) as `<commit>.tar.gz` unless the current artifact is up to date, then records the
   * artifact and the observed content configuration. ArtifactInStorage=True afterwards.
   */
  private async reconcileArtifact(obj: Obj, _p: SerialPatcher<Obj>, st: RunState): Promise<StepResult> {
    const { storage } = this.opts;
    const ns = obj.metadata.namespace!;
    const name = obj.metadata.name!;
    const upToDate = (): boolean =>
      obj.status.artifact?.revision === st.revision && !includesDiffer(st.includes, obj.status.includedArtifacts) && !contentConfigChanged(obj, obj.status, st.includes);
    const finish = (): StepResult => {
      if (upToDate()) {
        this.c.remove(obj, SourceCondition.ArtifactOutdated);
        this.c.markTrue(obj, SourceCondition.ArtifactInStorage, 'Succeeded', `stored artifact for revision '${obj.status.artifact!.revision}'`);
      }
      return 'success';
    };
    if (st.skipped || upToDate()) {
      this.opts.events?.event(obj, 'Trace', SourceReason.ArtifactUpToDate, `artifact up-to-date with remote revision: '${st.revision}'`);
      return finish();
    }
    const artifact = storage.newArtifactFor(KIND, ns, name, st.revision, `${st.commit!.hash}.tar.gz`);
    const storageFail = (reason: string, message: string): never => {
      this.c.markTrue(obj, SourceCondition.StorageOperationFailed, reason, message);
      throw new TransientError(message, { reason });
    };
    try {
      await storage.mkdirAll(artifact);
    } catch (err) {
      storageFail(SourceReason.DirectoryCreationFailed, `failed to create artifact directory: ${(err as Error).message}`);
    }
    const unlock = await storage.lock(artifact);
    try {
      let filter: (rel: string, isDir: boolean) => boolean;
      try {
        filter = await sourceIgnoreFilter(st.dir, obj.spec.ignore);
      } catch (err) {
        throw new TransientError(`failed to load source ignore patterns from repository: ${(err as Error).message}`, { reason: 'SourceIgnoreError' });
      }
      try {
        await storage.archive(artifact, st.dir, { filter });
      } catch (err) {
        storageFail(SourceReason.ArchiveOperationFailed, `unable to archive artifact to storage: ${(err as Error).message}`);
      }
    } finally {
      unlock();
    }
    obj.status.artifact = { ...artifact, digest: artifact.digest ?? '' };
    obj.status.includedArtifacts = st.includes.map((a) => ({ ...a, digest: a.digest ?? '' }));
    setOrDelete(obj.status, 'observedIgnore', obj.spec.ignore);
    setOrDelete(obj.status, 'observedRecurseSubmodules', obj.spec.recurseSubmodules);
    setOrDelete(obj.status, 'observedInclude', obj.spec.include);
    setOrDelete(obj.status, 'observedSparseCheckout', obj.spec.sparseCheckout);
    this.c.remove(obj, SourceCondition.StorageOperationFailed);
    return finish();
  }

  /** Emits NewArtifact on a new artifact, Succeeded on recovery from a failure (Flux's `notify`). */
  private notify(before: Obj, after: Obj, st: RunState, result: StepResult, error: unknown): void {
    const art = after.status.artifact;
    if (!this.opts.events || error !== undefined || result !== 'success' || !art) return;
    const annotations = {
      'source.toolkit.fluxcd.io/revision': art.revision,
      'source.toolkit.fluxcd.io/digest': art.digest ?? '',
    };
    const message = `stored artifact for commit '${st.commit?.concrete ? shortMessage(st.commit.message) : st.revision}'`;
    if (before.status.artifact?.digest !== art.digest) {
      this.opts.events.annotatedEvent(after, annotations, 'Normal', 'NewArtifact', message);
    } else if (gitRepositoryFailConditions.some((t) => isTrue(before, t)) && !gitRepositoryFailConditions.some((t) => isTrue(after, t))) {
      this.opts.events.annotatedEvent(after, annotations, 'Normal', 'Succeeded', message);
    }
  }

  /** Deletes every artifact of the object, then lets the finalizer go. */
  private async reconcileDelete(obj: Obj): Promise<void> {
    const probe = this.opts.storage.newArtifactFor(KIND, obj.metadata.namespace!, obj.metadata.name!, '', 'probe');
    await this.opts.storage.removeAll(probe);
    delete obj.status.artifact;
  }
}

function optional<K extends string, V>(key: K, v: V | undefined): Partial<Record<K, V>> {
  return v === undefined ? {} : ({ [key]: v } as Record<K, V>);
}

function setOrDelete<T extends object, K extends keyof T>(o: T, key: K, v: T[K] | undefined): void {
  if (v === undefined) delete o[key];
  else o[key] = structuredClone(v);
}

function safeDuration(v: unknown, fallback: number): number {
  try {
    return v === undefined ? fallback : parseDuration(String(v));
  } catch {
    return fallback;
  }
}

/** Flux's default interval jitter (`--interval-jitter-percentage` 5%) is applied by the caller's queue; none here. */
function jitter(ms: number): number {
  return ms;
}
