// SPDX-License-Identifier: Apache-2.0
/**
 * A client for the status patcher of one reconcile that reads its own writes: reading the object
 * being reconciled answers with the object as the apiserver returned it from the reconcile's first
 * read or its last successful write, without another GET. The patcher reads before every
 * conditions patch and sends that `resourceVersion` as an optimistic lock, so a stale answer cannot
 * overwrite anyone's change: the apiserver answers 409, this client forgets what it remembered, and
 * the patcher's retry reads from the apiserver. A reconcile patches its status two to five times,
 * each of which used to cost a GET; with nobody else writing the object, none does now.
 *
 * ```ts
 * const patcher = new SerialPatcher(obj, new OwnWritesClient(client, obj), { fieldOwner, clock });
 * ```
 *
 * Use one per reconcile (it trusts only its own writes since it was made), for the patcher only.
 */
import type { KubeClient, KubeObject, ObjectRef, PatchOptions } from '../client/types.ts';

function sameObject(a: ObjectRef, b: KubeObject): boolean {
  return a.kind === b.kind && a.apiVersion === b.apiVersion && a.name === b.metadata.name && (a.namespace ?? '') === (b.metadata.namespace ?? '');
}

/** A {@link KubeClient} that remembers the last state of one object it read or wrote. */
export class OwnWritesClient implements KubeClient {
  private latest: KubeObject | undefined;
  private readonly target: KubeObject;
  /** Reads answered from memory (for tests and metrics). */
  remembered = 0;

  /** @param object - the object as just read from the apiserver. */
  constructor(
    private readonly inner: KubeClient,
    object: KubeObject,
  ) {
    this.latest = structuredClone(object);
    this.target = { apiVersion: object.apiVersion, kind: object.kind, metadata: { name: object.metadata.name, namespace: object.metadata.namespace } } as KubeObject;
  }

  private tracks(ref: ObjectRef): boolean {
    return sameObject(ref, this.target);
  }

  /** Keeps the apiserver's answer to a write of the tracked object. */
  private remember<T extends KubeObject>(obj: T): T {
    this.latest = obj && typeof obj === 'object' && obj.metadata?.resourceVersion ? structuredClone(obj) : undefined;
    return obj;
  }

  private forgetOn(err: unknown): never {
    // A conflict means someone else wrote: what is remembered is stale. Any other failure leaves
    // the object's state unknown too.
    this.latest = undefined;
    throw err;
  }

  resourceFor: KubeClient['resourceFor'] = (apiVersion, kind) => this.inner.resourceFor(apiVersion, kind);

  async get<T extends KubeObject = KubeObject>(ref: ObjectRef): Promise<T | undefined> {
    if (this.tracks(ref) && this.latest) {
      this.remembered++;
      return structuredClone(this.latest) as T;
    }
    const obj = await this.inner.get<T>(ref);
    if (this.tracks(ref)) this.latest = obj ? structuredClone(obj) : undefined;
    return obj;
  }

  list: KubeClient['list'] = (apiVersion, kind, opts) => this.inner.list(apiVersion, kind, opts);

  create: KubeClient['create'] = (obj, opts) => this.inner.create(obj, opts);

  async update<T extends KubeObject = KubeObject>(obj: T, opts?: Parameters<KubeClient['update']>[1]): Promise<T> {
    const ref: ObjectRef = { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name ?? '', ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}) };
    if (!this.tracks(ref) || opts?.dryRun) return this.inner.update(obj, opts);
    return this.remember(await this.inner.update(obj, opts).catch((err: unknown) => this.forgetOn(err)));
  }

  async apply<T extends KubeObject = KubeObject>(obj: KubeObject, opts: Parameters<KubeClient['apply']>[1]): Promise<T> {
    return this.inner.apply<T>(obj, opts);
  }

  async patch<T extends KubeObject = KubeObject>(ref: ObjectRef, patch: unknown, opts: PatchOptions): Promise<T> {
    if (!this.tracks(ref) || opts.dryRun) return this.inner.patch<T>(ref, patch, opts);
    return this.remember(await this.inner.patch<T>(ref, patch, opts).catch((err: unknown) => this.forgetOn(err)));
  }

  async delete(ref: ObjectRef, opts?: Parameters<KubeClient['delete']>[1]): Promise<boolean> {
    if (this.tracks(ref)) this.latest = undefined;
    return this.inner.delete(ref, opts);
  }

  watch: KubeClient['watch'] = (apiVersion, kind, opts, onEvent) => this.inner.watch(apiVersion, kind, opts, onEvent);
}

