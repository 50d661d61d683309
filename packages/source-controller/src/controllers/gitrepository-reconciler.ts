// SPDX-License-Identifier: Apache-2.0
/**
 * The GitRepository reconciler, following source-controller's `gitrepository_controller.go`:
 * ordered steps `reconcileStorage`, `reconcileSource`, `reconcileInclude`, `reconcileArtifact` on
 * the shared skeleton ({@link SourceReconcilerBase}).
 *
 * Conditions (Flux's, see {@link gitRepositoryReadyCondition}): `ArtifactInStorage`,
 * `ArtifactOutdated` (NewRevision), `FetchFailed` (GitOperationFailed, AuthenticationFailed,
 * URLInvalid), `IncludeUnavailable`, `StorageOperationFailed`, `SourceVerified`; Ready is Unknown
 * while moving to a new revision. Bad input never throws out of `reconcile`: it becomes conditions
 * and a typed error; the previous artifact stays in storage until a new one replaces it.
 */
import { join } from 'node:path';
import type { GitRepository } from '@eddy/api/source/v1';
import { SourceCondition, SourceReason } from '@eddy/api/source/v1';
import { isFalse, isTrue } from '@eddy/runtime/conditions';
import type { CloneResult, Commit, GitAuth, GitProxy } from '@eddy/runtime/git';
import { authFromSecret, cloneRepository, GitError, revisionOf, secretString, shortMessage, verifyCommit, verifyTag } from '@eddy/runtime/git';
import type { SerialPatcher } from '@eddy/runtime/patch';
import type { ReconcileContext } from '@eddy/runtime/reconcile';
import { StallingError, TransientError, WaitingError } from '@eddy/runtime/reconcile';
import type { StepResult } from '@eddy/runtime/summarize';
import { sourceIgnoreFilter } from '../ignore/sourceignore.ts';
import type { Artifact } from '../storage/storage.ts';
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
import type { SourceObject, SourceReconcilerOptions, SourceStep } from './source-reconciler-base.ts';
import { durationOr, optional, setOrDelete, SourceReconcilerBase } from './source-reconciler-base.ts';

/** Options of {@link GitRepositoryReconciler}. */
export interface GitRepositoryReconcilerOptions extends SourceReconcilerOptions {
  /** Requeue while an include is not ready (`--requeue-dependency`). @default 30000 */
  dependencyRequeueMs?: number;
  /** Allow `file://` URLs (tests only). @default false */
  allowFileProtocol?: boolean;
}

type Obj = GitRepository & SourceObject & { status: GitRepositoryStatusFields };

/** Per-run state shared by the steps. */
interface RunState {
  dir: string;
  commit?: Commit;
  revision: string;
  includes: Artifact[];
  /** True when the clone was skipped because the remote did not move. */
  skipped: boolean;
}

/** Reconciles GitRepository objects into tar.gz artifacts in storage. */
export class GitRepositoryReconciler extends SourceReconcilerBase<Obj, RunState> {
  protected readonly kind = 'GitRepository';
  protected readonly readyCondition = gitRepositoryReadyCondition;
  protected override readonly biPolarity = [SourceCondition.SourceVerified];

  constructor(protected override readonly opts: GitRepositoryReconcilerOptions) {
    super(opts);
  }

  protected steps(): SourceStep<Obj, RunState>[] {
    return [this.reconcileStorage, this.reconcileSource, this.reconcileInclude, this.reconcileArtifact];
  }

  protected newState(_obj: Obj, dir: string): RunState {
    return { dir: join(dir, 'repo'), revision: '', includes: [], skipped: false };
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
      const dep = await this.opts.client.get<Obj>({ apiVersion: this.apiVersion, kind: this.kind, namespace: obj.metadata.namespace!, name: inc.repository.name });
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
      await this.patch(patcher, obj);
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
        timeoutMs: durationOr(obj.spec.timeout, 60_000),
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
      await this.patch(patcher, obj);
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
      if (upToDate()) this.markStored(obj, 'Succeeded', `stored artifact for revision '${obj.status.artifact!.revision}'`);
      return 'success';
    };
    if (st.skipped || upToDate()) {
      this.artifactUpToDate(obj, st.revision);
      return finish();
    }
    const artifact = storage.newArtifactFor(this.kind, ns, name, st.revision, `${st.commit!.hash}.tar.gz`);
    let filter: (rel: string, isDir: boolean) => boolean;
    try {
      filter = await sourceIgnoreFilter(st.dir, obj.spec.ignore);
    } catch (err) {
      throw new TransientError(`failed to load source ignore patterns from repository: ${(err as Error).message}`, { reason: 'SourceIgnoreError' });
    }
    await this.writeArtifact(obj, artifact, 'unable to archive artifact to storage', () => storage.archive(artifact, st.dir, { filter }));
    obj.status.artifact = { ...artifact, digest: artifact.digest ?? '' };
    obj.status.includedArtifacts = st.includes.map((a) => ({ ...a, digest: a.digest ?? '' }));
    setOrDelete(obj.status, 'observedIgnore', obj.spec.ignore);
    setOrDelete(obj.status, 'observedRecurseSubmodules', obj.spec.recurseSubmodules);
    setOrDelete(obj.status, 'observedInclude', obj.spec.include);
    setOrDelete(obj.status, 'observedSparseCheckout', obj.spec.sparseCheckout);
    return finish();
  }

  /** Emits NewArtifact on a new artifact, Succeeded on recovery from a failure (Flux's `notify`). */
  protected notify(before: Obj, after: Obj, st: RunState, result: StepResult, error: unknown): void {
    const message = `stored artifact for commit '${st.commit?.concrete ? shortMessage(st.commit.message) : st.revision}'`;
    this.notifyArtifact(before, after, { result, error }, { failConditions: gitRepositoryFailConditions, message });
  }
}
