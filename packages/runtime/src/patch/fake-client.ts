// SPDX-License-Identifier: Apache-2.0
/**
 * An in-memory {@link KubeClient} for unit tests of the patcher, the event recorder and the
 * summarizer. It models only what they rely on: resourceVersion bumps and merge-patch preconditions
 * (409), generation bumps on spec changes, the status subresource (only `status` changes there and
 * only there), and deletion held by finalizers. Integration tests use the real apiserver instead.
 *
 * Not exported from the package index.
 */
import type { ApiResource, KubeClient, KubeObject, ObjectList, ObjectRef, PatchOptions, WatchHandle } from '../client/types.ts';
import { applyMergePatch, cloneJson, isJsonObject, jsonEqual, type JsonObject } from './merge-patch.ts';

/** One recorded write. */
export interface FakeCall {
  verb: 'create' | 'patch' | 'update' | 'delete';
  ref: ObjectRef;
  body?: unknown;
  opts?: PatchOptions | { fieldManager?: string; subresource?: string };
}

/** An error shaped like the client's ApiError. */
export class FakeApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

const keyOf = (r: ObjectRef): string => `${r.apiVersion}|${r.kind}|${r.namespace ?? ''}|${r.name}`;
const refOf = (o: KubeObject): ObjectRef => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  name: o.metadata.name ?? '',
  ...(o.metadata.namespace !== undefined ? { namespace: o.metadata.namespace } : {}),
});

/** The stored object after a patch: only status through the status subresource, all but status otherwise. */
function merged(current: KubeObject, patched: KubeObject, status: boolean): KubeObject {
  const next: KubeObject = status
    ? cloneJson(current)
    : { ...patched, metadata: { ...(patched.metadata as JsonObject), resourceVersion: current.metadata.resourceVersion } };
  const keep = status ? patched['status'] : current['status'];
  if (keep === undefined) delete next['status'];
  else next['status'] = cloneJson(keep);
  if (!status && !jsonEqual(current['spec'], next['spec'])) next.metadata.generation = (current.metadata.generation ?? 0) + 1;
  return next;
}

/** The fake. `beforeWrite` may throw to inject failures (e.g. a 409 on the first status patch). */
export class FakeKubeClient implements KubeClient {
  readonly calls: FakeCall[] = [];
  beforeWrite: ((call: FakeCall) => void) | undefined;
  private readonly store = new Map<string, KubeObject>();
  private rv = 100;

  /** Stores `obj` as is (with a fresh resourceVersion) and returns a copy. */
  seed<T extends KubeObject>(obj: T): T {
    const o = cloneJson(obj);
    o.metadata.resourceVersion = String(++this.rv);
    o.metadata.generation ??= 1;
    this.store.set(keyOf(refOf(o)), o);
    return cloneJson(o);
  }

  /** Changes the stored object behind the client's back (another writer), bumping its resourceVersion. */
  mutate(ref: ObjectRef, fn: (o: KubeObject) => void): void {
    const o = this.store.get(keyOf(ref));
    if (!o) throw new Error(`no ${keyOf(ref)}`);
    fn(o);
    o.metadata.resourceVersion = String(++this.rv);
  }

  /** The stored object (a copy), or undefined. */
  peek<T extends KubeObject = KubeObject>(ref: ObjectRef): T | undefined {
    const o = this.store.get(keyOf(ref));
    return o === undefined ? undefined : (cloneJson(o) as T);
  }

  resourceFor(apiVersion: string, kind: string): Promise<ApiResource> {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    return Promise.resolve({ group: group!, version: version!, kind, plural: `${kind.toLowerCase()}s`, namespaced: true, verbs: [] });
  }

  get<T extends KubeObject = KubeObject>(ref: ObjectRef): Promise<T | undefined> {
    return Promise.resolve(this.peek<T>(ref));
  }

  list<T extends KubeObject = KubeObject>(apiVersion: string, kind: string): Promise<ObjectList<T>> {
    const items = [...this.store.values()].filter((o) => o.apiVersion === apiVersion && o.kind === kind);
    return Promise.resolve({ items: cloneJson(items) as T[], resourceVersion: String(this.rv) });
  }

  async create<T extends KubeObject = KubeObject>(obj: T, opts?: { fieldManager?: string }): Promise<T> {
    const call: FakeCall = { verb: 'create', ref: refOf(obj), body: cloneJson(obj), ...(opts ? { opts } : {}) };
    this.calls.push(call);
    this.beforeWrite?.(call);
    if (this.store.has(keyOf(call.ref))) throw new FakeApiError(409, 'AlreadyExists', `${call.ref.name} already exists`);
    return this.seed(obj);
  }

  update<T extends KubeObject = KubeObject>(obj: T): Promise<T> {
    this.calls.push({ verb: 'update', ref: refOf(obj), body: cloneJson(obj) });
    return Promise.resolve(this.seed(obj));
  }

  apply<T extends KubeObject = KubeObject>(): Promise<T> {
    return Promise.reject(new Error('FakeKubeClient.apply is not implemented'));
  }

  async patch<T extends KubeObject = KubeObject>(ref: ObjectRef, patch: unknown, opts: PatchOptions): Promise<T> {
    const call: FakeCall = { verb: 'patch', ref, body: cloneJson(patch), opts };
    this.calls.push(call);
    this.beforeWrite?.(call);
    const current = this.store.get(keyOf(ref));
    if (!current) throw new FakeApiError(404, 'NotFound', `${ref.kind} ${ref.name} not found`);
    if (opts.type !== 'merge' || !isJsonObject(patch)) throw new FakeApiError(415, 'UnsupportedMediaType', 'merge patches only');
    const wantRv = isJsonObject(patch['metadata']) ? patch['metadata']['resourceVersion'] : undefined;
    if (wantRv !== undefined && wantRv !== current.metadata.resourceVersion) {
      throw new FakeApiError(409, 'Conflict', 'the object has been modified; please apply your changes to the latest version');
    }
    const next = merged(current, applyMergePatch(current, patch) as KubeObject, opts.subresource === 'status');
    next.metadata.resourceVersion = String(++this.rv);
    if (next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0) {
      this.store.delete(keyOf(ref));
    } else {
      this.store.set(keyOf(ref), next);
    }
    return cloneJson(next) as T;
  }

  async delete(ref: ObjectRef): Promise<boolean> {
    const call: FakeCall = { verb: 'delete', ref };
    this.calls.push(call);
    this.beforeWrite?.(call);
    const o = this.store.get(keyOf(ref));
    if (!o) return false;
    if ((o.metadata.finalizers ?? []).length === 0) this.store.delete(keyOf(ref));
    else o.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    return true;
  }

  watch(): Promise<WatchHandle> {
    return Promise.reject(new Error('FakeKubeClient.watch is not implemented'));
  }
}
