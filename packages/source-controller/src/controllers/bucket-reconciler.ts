// SPDX-License-Identifier: Apache-2.0
/**
 * The Bucket reconciler, following source-controller's `bucket_controller.go`: steps
 * `reconcileStorage`, `reconcileSource`, `reconcileArtifact` on the shared skeleton, for the S3 API
 * (`generic` and `aws` providers with static keys) with our own SigV4 client.
 *
 * reconcileSource builds the ETag index (`.sourceignore` of the bucket root + `spec.ignore`, under
 * `spec.prefix`); the revision is its digest. Objects are downloaded only when there is no artifact
 * or the digest moved (ArtifactOutdated "new upstream revision"). reconcileArtifact archives them as
 * `<hex>.tar.gz` and links `latest.tar.gz`. Failures: FetchFailed (AuthenticationFailed,
 * BucketOperationFailed), StorageOperationFailed; the previous artifact stays.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Bucket } from '@eddy/api/source/v1';
import { SourceCondition, SourceReason } from '@eddy/api/source/v1';
import type { SerialPatcher } from '@eddy/runtime/patch';
import type { ReconcileContext } from '@eddy/runtime/reconcile';
import type { ConditionsSpec, StepResult } from '@eddy/runtime/summarize';
import type { EtagIndex } from '../bucket/etag-index.ts';
import { fetchEtagIndex, fetchIndexFiles } from '../bucket/etag-index.ts';
import type { S3ClientOptions } from '../bucket/s3-client.ts';
import { S3Client } from '../bucket/s3-client.ts';
import { secretText, tlsFrom } from '../fetch/secrets.ts';
import { readSecretData } from './gitrepository-helpers.ts';
import type { SourceObject, SourceReconcilerOptions, SourceStep } from './source-reconciler-base.ts';
import { durationOr, SourceReconcilerBase, sourceReadyCondition } from './source-reconciler-base.ts';

/** Ready is summarised from these (source-controller `bucketReadyCondition`). */
export const bucketReadyCondition: ConditionsSpec = sourceReadyCondition(
  [SourceCondition.StorageOperationFailed, SourceCondition.FetchFailed, SourceCondition.ArtifactOutdated],
  [SourceCondition.ArtifactInStorage],
);

const FAIL_CONDITIONS = [SourceCondition.FetchFailed, SourceCondition.StorageOperationFailed] as const;

type Obj = Bucket & SourceObject;

interface RunState {
  dir: string;
  index?: EtagIndex;
}

/** Reconciles Bucket objects into artifacts in storage. */
export class BucketReconciler extends SourceReconcilerBase<Obj, RunState> {
  protected readonly kind = 'Bucket';
  protected readonly readyCondition = bucketReadyCondition;

  constructor(opts: SourceReconcilerOptions & { now?: () => Date }) {
    super(opts);
  }

  protected steps(): SourceStep<Obj, RunState>[] {
    return [this.reconcileStorage, this.reconcileSource, this.reconcileArtifact];
  }

  protected newState(_obj: Obj, dir: string): RunState {
    return { dir };
  }

  /** The S3 client settings of `obj`; throws `[reason, message, stalling]` problems via {@link fail}. */
  private async clientOptions(obj: Obj, ctx: ReconcileContext): Promise<S3ClientOptions> {
    const F = SourceCondition.FetchFailed;
    const ns = obj.metadata.namespace!;
    const provider = obj.spec.provider ?? 'generic';
    if (provider === 'gcp' || provider === 'azure') {
      this.fail(obj, F, 'InvalidProviderConfiguration', `provider '${provider}' is not supported yet: use the S3 API with provider 'generic' or 'aws'`, { stalling: true });
    }
    if (obj.spec.sts) this.fail(obj, F, 'InvalidSTSConfiguration', 'spec.sts is not supported yet', { stalling: true });
    if (obj.spec.proxySecretRef) this.fail(obj, F, 'InvalidProxyConfiguration', 'proxySecretRef is not supported yet for Bucket', { stalling: true });
    const opts: S3ClientOptions = {
      endpoint: obj.spec.endpoint,
      insecure: Boolean(obj.spec.insecure),
      ...(obj.spec.region ? { region: obj.spec.region } : {}),
      timeoutMs: durationOr(obj.spec.timeout, 60_000),
      signal: ctx.signal,
    };
    if (obj.spec.secretRef?.name) {
      const name = obj.spec.secretRef.name;
      const data = await readSecretData(this.opts.client, ns, name);
      if (!data) this.fail(obj, F, SourceReason.AuthenticationFailed, `failed to get secret '${ns}/${name}': secrets "${name}" not found`);
      const accessKeyId = secretText(data, 'accesskey');
      const secretAccessKey = secretText(data, 'secretkey');
      if (!accessKeyId || !secretAccessKey) this.fail(obj, F, SourceReason.AuthenticationFailed, `invalid '${name}' secret data: required fields 'accesskey' and 'secretkey'`);
      opts.credentials = { accessKeyId: accessKeyId!, secretAccessKey: secretAccessKey! };
    } else if (provider === 'aws') {
      this.fail(obj, F, SourceReason.AuthenticationFailed, "provider 'aws' without a secretRef needs workload identity, which is not supported yet: set spec.secretRef", { stalling: true });
    }
    if (obj.spec.certSecretRef?.name) {
      const name = obj.spec.certSecretRef.name;
      const data = await readSecretData(this.opts.client, ns, name);
      if (!data) this.fail(obj, F, SourceReason.AuthenticationFailed, `failed to get TLS config: secrets "${name}" not found`);
      try {
        const tls = tlsFrom(data!, `${ns}/${name}`);
        if (tls) opts.tls = tls;
      } catch (err) {
        this.fail(obj, F, SourceReason.AuthenticationFailed, `failed to get TLS config: ${(err as Error).message}`);
      }
    }
    return opts;
  }

  /** reconcileSource: see the module doc. */
  private async reconcileSource(obj: Obj, patcher: SerialPatcher<Obj>, st: RunState, ctx: ReconcileContext): Promise<StepResult> {
    const F = SourceCondition.FetchFailed;
    let client: S3Client;
    try {
      client = new S3Client(await this.clientOptions(obj, ctx));
    } catch (err) {
      if ((err as { intent?: string }).intent) throw err;
      return this.fail(obj, F, SourceReason.URLInvalid, `invalid endpoint '${obj.spec.endpoint}': ${(err as Error).message}`, { stalling: true });
    }
    const bucket = obj.spec.bucketName;
    try {
      st.index = await fetchEtagIndex(client, bucket, obj.spec.prefix ?? '', obj.spec.ignore, st.dir);
    } catch (err) {
      return this.fail(obj, F, SourceReason.BucketOperationFailed, (err as Error).message);
    }
    const content = join(st.dir, 'content');
    const changed = obj.status.artifact ? obj.status.artifact.revision !== st.index.digest() : true;
    if (changed) {
      await mkdir(content, { recursive: true });
      try {
        await fetchIndexFiles(client, bucket, st.index, content);
      } catch (err) {
        return this.fail(obj, F, SourceReason.BucketOperationFailed, (err as Error).message);
      }
      const message = `new upstream revision '${st.index.digest()}'`;
      if (obj.status.artifact) this.c.markTrue(obj, SourceCondition.ArtifactOutdated, SourceReason.NewRevision, message);
      this.progressive(obj, true, `building artifact: ${message}`);
      await this.patch(patcher, obj);
    }
    this.c.remove(obj, F);
    return 'success';
  }

  /** reconcileArtifact: see the module doc. */
  private async reconcileArtifact(obj: Obj, _p: SerialPatcher<Obj>, st: RunState): Promise<StepResult> {
    const { storage } = this.opts;
    const revision = st.index!.digest();
    const artifact = storage.newArtifactFor(this.kind, obj.metadata.namespace!, obj.metadata.name!, revision, `${revision.slice('sha256:'.length)}.tar.gz`);
    const finish = (): StepResult => {
      if (obj.status.artifact?.revision === revision) this.markStored(obj, 'Succeeded', `stored artifact: revision '${revision}'`);
      return 'success';
    };
    if (obj.status.artifact?.revision === revision) {
      this.artifactUpToDate(obj, revision);
      return finish();
    }
    await this.writeArtifact(obj, artifact, 'unable to archive artifact to storage', () => storage.archive(artifact, join(st.dir, 'content')));
    obj.status.artifact = { ...artifact, digest: artifact.digest ?? '' };
    if (obj.spec.ignore !== undefined) obj.status.observedIgnore = obj.spec.ignore;
    else delete obj.status.observedIgnore;
    await this.linkArtifact(obj, artifact, 'latest.tar.gz');
    return finish();
  }

  protected notify(before: Obj, after: Obj, st: RunState, result: StepResult, error: unknown): void {
    const message = `stored artifact with ${st.index?.size ?? 0} fetched files from '${after.spec.bucketName}' bucket`;
    this.notifyArtifact(before, after, { result, error }, { failConditions: FAIL_CONDITIONS, message });
  }
}
