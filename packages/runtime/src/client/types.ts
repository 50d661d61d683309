// SPDX-License-Identifier: Apache-2.0
/**
 * The contract of Eddy's dynamic Kubernetes client. Controllers, the status patcher, the event
 * recorder and the informers all talk to the apiserver through {@link KubeClient}.
 *
 * Objects are plain JSON as the apiserver sends them: unknown fields are never dropped.
 */
import type { ObjectMeta, OwnerReference } from '@eddy/api/meta';

/**
 * Object metadata and owner references, as `@eddy/api` defines them for every kind: the runtime
 * reads part of them; everything else passes through.
 */
export type { ObjectMeta, OwnerReference };

/** Any Kubernetes object. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** Identifies one object by type and name. `namespace` is ignored for cluster-scoped kinds. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** What discovery says about a kind. */
export interface ApiResource {
  group: string;
  version: string;
  kind: string;
  /** Plural resource name used in URLs, e.g. `gitrepositories`. */
  plural: string;
  namespaced: boolean;
  verbs: string[];
}

/** Options shared by list and watch. */
export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  /** Aborts the request (a list), or establishing and then the stream (a watch). */
  signal?: AbortSignal;
}

/** The result of a list call. */
export interface ObjectList<T extends KubeObject = KubeObject> {
  items: T[];
  resourceVersion: string;
  continue?: string;
}

/** Options of server-side apply. */
export interface ApplyOptions {
  fieldManager: string;
  /** Take ownership of conflicting fields. @default false */
  force?: boolean;
  /** Server-side dry run. @default false */
  dryRun?: boolean;
  /** Apply to a subresource, e.g. `status`. */
  subresource?: string;
}

/** Patch content types. */
export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

/** Options of a patch call. */
export interface PatchOptions {
  type: PatchType;
  fieldManager?: string;
  subresource?: string;
  dryRun?: boolean;
  force?: boolean;
}

/** Options of a delete call. */
export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  dryRun?: boolean;
  gracePeriodSeconds?: number;
}

/** One watch event as the apiserver streams it. */
export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

/** A running watch; `stop()` ends it without firing an error. */
export interface WatchHandle {
  stop(): void;
  /** Resolves when the stream ends (server closed, error, or stop). Rejects never. */
  readonly done: Promise<{ error?: unknown }>;
}

/** Options of a watch call. */
export interface WatchOptions extends ListOptions {
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
}

/**
 * The dynamic client. Every method takes and returns plain JSON objects and throws
 * {@link ApiError} (from `./errors.ts`) for non-2xx answers, carrying the apiserver's Status
 * `reason` and `message`.
 */
export interface KubeClient {
  /** Discovery; cached, refreshed once when a kind is unknown. Throws ApiError(404) for unknown kinds. */
  resourceFor(apiVersion: string, kind: string): Promise<ApiResource>;
  /** Returns undefined on 404 instead of throwing. */
  get<T extends KubeObject = KubeObject>(ref: ObjectRef): Promise<T | undefined>;
  list<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, opts?: ListOptions): Promise<ObjectList<T>>;
  create<T extends KubeObject = KubeObject>(obj: T, opts?: { dryRun?: boolean; fieldManager?: string }): Promise<T>;
  /** PUT the whole object (optimistic concurrency through metadata.resourceVersion). */
  update<T extends KubeObject = KubeObject>(
    obj: T,
    opts?: { subresource?: string; fieldManager?: string; dryRun?: boolean },
  ): Promise<T>;
  /** Server-side apply; the body is sent unchanged (no serializer drops fields). */
  apply<T extends KubeObject = KubeObject>(obj: KubeObject, opts: ApplyOptions): Promise<T>;
  patch<T extends KubeObject = KubeObject>(ref: ObjectRef, patch: unknown, opts: PatchOptions): Promise<T>;
  /** Returns false when the object was already gone. */
  delete(ref: ObjectRef, opts?: DeleteOptions): Promise<boolean>;
  watch<T extends KubeObject = KubeObject>(
    apiVersion: string,
    kind: string,
    opts: WatchOptions,
    onEvent: (event: WatchEvent<T>) => void,
  ): Promise<WatchHandle>;
}
