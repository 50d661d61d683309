// SPDX-License-Identifier: Apache-2.0
/**
 * The dynamic client: {@link KubeClient} for any kind the apiserver serves, found through
 * discovery. Objects are plain JSON and go to the server exactly as given (no serializer drops
 * unknown fields or `x-kubernetes-*` data); answers come back as the server sent them.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type {
  ApiResource,
  ApplyOptions,
  DeleteOptions,
  KubeClient,
  KubeObject,
  ListOptions,
  ObjectList,
  ObjectRef,
  PatchOptions,
  PatchType,
  WatchEvent,
  WatchHandle,
  WatchOptions,
} from './types.ts';
import { ApiError, isGone } from './errors.ts';
import { Discovery, groupVersionPath } from './discovery.ts';
import { Transport, type HttpRequest, type TransportOptions } from './transport.ts';
import { openWatch } from './watch-stream.ts';
import type { LoadedKubeconfig } from './kubeconfig.ts';

/** Options of {@link DynamicClient}. */
export interface DynamicClientOptions extends TransportOptions {
  /** Share an existing transport (and its keep-alive sockets) instead of opening one. */
  transport?: Transport;
}

const CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

type Query = Record<string, string | number | boolean | undefined>;

/** The dynamic Kubernetes client. */
export class DynamicClient implements KubeClient {
  /** The HTTP transport (auth, keep-alive agent). */
  readonly transport: Transport;
  /** Cached API discovery. */
  readonly discovery: Discovery;

  constructor(opts: DynamicClientOptions = {}) {
    this.transport = opts.transport ?? new Transport(opts);
    this.discovery = new Discovery(this.transport);
  }

  /** The kubeconfig the client authenticates with. */
  get config(): LoadedKubeconfig {
    return this.transport.config;
  }

  /**
   * The kubeconfig the client authenticates with, as a client-node `KubeConfig`.
   * @deprecated Use {@link DynamicClient.config}; this loads client-node (~80 MiB) when nothing else has.
   */
  get kubeConfig(): KubeConfig {
    return this.transport.kubeConfig;
  }

  resourceFor(apiVersion: string, kind: string): Promise<ApiResource> {
    return this.discovery.resourceFor(apiVersion, kind);
  }

  async get<T extends KubeObject = KubeObject>(ref: ObjectRef): Promise<T | undefined> {
    const path = await this.objectPath(ref.apiVersion, ref.kind, ref.namespace, ref.name);
    const res = await this.transport.request({ method: 'GET', path });
    if (res.status === 404) {
      const err = ApiError.fromResponse(res.status, res.body, `GET ${path}`);
      if (err.reason === 'NotFound') return undefined;
      throw err;
    }
    return this.decode<T>(res, 'GET', path);
  }

  async list<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, opts: ListOptions = {}): Promise<ObjectList<T>> {
    const path = await this.collectionPath(apiVersion, kind, opts.namespace);
    const body = await this.call<{ items: T[] | null; metadata: { resourceVersion: string; continue?: string } }>({
      method: 'GET',
      path,
      query: listQuery(opts),
      signal: opts.signal,
    });
    const items = body.items ?? [];
    for (const item of items) {
      if (item.kind === undefined) {
        item.apiVersion = apiVersion;
        item.kind = kind;
      }
    }
    return {
      items,
      resourceVersion: body.metadata.resourceVersion,
      ...(body.metadata.continue ? { continue: body.metadata.continue } : {}),
    };
  }

  async create<T extends KubeObject = KubeObject>(obj: T, opts: { dryRun?: boolean; fieldManager?: string } = {}): Promise<T> {
    const path = await this.collectionPath(obj.apiVersion, obj.kind, obj.metadata.namespace, true);
    return this.call<T>({
      method: 'POST',
      path,
      query: { fieldManager: opts.fieldManager, dryRun: opts.dryRun ? 'All' : undefined },
      body: JSON.stringify(obj),
    });
  }

  async update<T extends KubeObject = KubeObject>(obj: T, opts: { subresource?: string; fieldManager?: string; dryRun?: boolean } = {}): Promise<T> {
    const path = await this.objectPath(obj.apiVersion, obj.kind, obj.metadata.namespace, nameOf(obj), opts.subresource);
    return this.call<T>({
      method: 'PUT',
      path,
      query: { fieldManager: opts.fieldManager, dryRun: opts.dryRun ? 'All' : undefined },
      body: JSON.stringify(obj),
    });
  }

  apply<T extends KubeObject = KubeObject>(obj: KubeObject, opts: ApplyOptions): Promise<T> {
    const ref = { apiVersion: obj.apiVersion, kind: obj.kind, name: nameOf(obj), namespace: obj.metadata.namespace };
    return this.patch<T>(ref, obj, { ...opts, type: 'apply' });
  }

  async patch<T extends KubeObject = KubeObject>(ref: ObjectRef, patch: unknown, opts: PatchOptions): Promise<T> {
    const path = await this.objectPath(ref.apiVersion, ref.kind, ref.namespace, ref.name, opts.subresource);
    if (opts.type === 'apply' && !opts.fieldManager) throw new Error('server-side apply needs a fieldManager');
    return this.call<T>({
      method: 'PATCH',
      path,
      query: {
        fieldManager: opts.fieldManager,
        force: opts.type === 'apply' && opts.force ? true : undefined,
        dryRun: opts.dryRun ? 'All' : undefined,
      },
      body: typeof patch === 'string' ? patch : JSON.stringify(patch),
      contentType: CONTENT_TYPES[opts.type],
    });
  }

  async delete(ref: ObjectRef, opts: DeleteOptions = {}): Promise<boolean> {
    const path = await this.objectPath(ref.apiVersion, ref.kind, ref.namespace, ref.name);
    const body = {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      ...(opts.propagationPolicy ? { propagationPolicy: opts.propagationPolicy } : {}),
      ...(opts.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: opts.gracePeriodSeconds } : {}),
      ...(opts.dryRun ? { dryRun: ['All'] } : {}),
    };
    const res = await this.transport.request({ method: 'DELETE', path, body: JSON.stringify(body) });
    if (res.status === 404) {
      const err = ApiError.fromResponse(res.status, res.body, `DELETE ${path}`);
      if (err.reason === 'NotFound') return false;
      throw err;
    }
    this.decode(res, 'DELETE', path);
    return true;
  }

  async watch<T extends KubeObject = KubeObject>(
    apiVersion: string,
    kind: string,
    opts: WatchOptions,
    onEvent: (event: WatchEvent<T>) => void,
  ): Promise<WatchHandle> {
    const path = await this.collectionPath(apiVersion, kind, opts.namespace);
    const query: Query = {
      ...listQuery(opts),
      allowWatchBookmarks: opts.allowWatchBookmarks ? true : undefined,
      timeoutSeconds: opts.timeoutSeconds,
    };
    return openWatch<T>(this.transport, { path, query, signal: opts.signal }, { apiVersion, kind }, onEvent);
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.transport.close();
  }

  /** The collection URL of a kind, scoped to `namespace` when the kind is namespaced. */
  async collectionPath(apiVersion: string, kind: string, namespace?: string, needNamespace = false): Promise<string> {
    const r = await this.resourceFor(apiVersion, kind);
    const base = groupVersionPath(apiVersion);
    if (!r.namespaced) return `${base}/${r.plural}`;
    if (!namespace) {
      if (needNamespace) throw new Error(`${kind} is namespaced: metadata.namespace is required`);
      return `${base}/${r.plural}`;
    }
    return `${base}/namespaces/${encodeURIComponent(namespace)}/${r.plural}`;
  }

  /** The URL of one object (and optionally a subresource such as `status`). */
  async objectPath(apiVersion: string, kind: string, namespace: string | undefined, name: string, subresource?: string): Promise<string> {
    if (!name) throw new Error(`${kind}: a name is required`);
    const base = await this.collectionPath(apiVersion, kind, namespace, true);
    return `${base}/${encodeURIComponent(name)}${subresource ? `/${subresource}` : ''}`;
  }

  private async call<T>(req: HttpRequest): Promise<T> {
    const res = await this.transport.request(req);
    return this.decode<T>(res, req.method, req.path);
  }

  private decode<T>(res: { status: number; body: string }, method: string, path: string): T {
    if (res.status < 200 || res.status > 299) throw ApiError.fromResponse(res.status, res.body, `${method} ${path}`);
    return JSON.parse(res.body) as T;
  }
}

function nameOf(obj: KubeObject): string {
  const name = obj.metadata?.name;
  if (!name) throw new Error(`${obj.kind}: metadata.name is required`);
  return name;
}

function listQuery(opts: ListOptions): Query {
  return {
    labelSelector: opts.labelSelector || undefined,
    fieldSelector: opts.fieldSelector || undefined,
    limit: opts.limit,
    continue: opts.continue,
    resourceVersion: opts.resourceVersion,
  };
}

/** Options of {@link listPages} and {@link listAll}. */
export interface PagedListOptions extends Omit<ListOptions, 'limit' | 'continue'> {
  /** Objects per page. @default 500 */
  pageSize?: number;
}

/** One page of a paginated list. */
export interface ListPage<T extends KubeObject = KubeObject> extends ObjectList<T> {
  /** True when an expired continue token forced a full restart: drop the pages seen before. */
  restarted?: boolean;
}

/** Yields the collection page by page. The last page carries the list's resourceVersion. */
export async function* listPages<T extends KubeObject = KubeObject>(
  client: KubeClient,
  apiVersion: string,
  kind: string,
  opts: PagedListOptions = {},
): AsyncGenerator<ListPage<T>> {
  const { pageSize = 500, ...rest } = opts;
  let token: string | undefined;
  for (;;) {
    let page: ObjectList<T>;
    try {
      page = await client.list<T>(apiVersion, kind, {
        ...rest,
        limit: pageSize,
        ...(token ? { continue: token } : {}),
      });
    } catch (err) {
      if (token === undefined || !isGone(err)) throw err;
      // The continue token expired: start over with a single full list.
      const full = await client.list<T>(apiVersion, kind, rest);
      yield { ...full, restarted: true };
      return;
    }
    yield page;
    if (!page.continue) return;
    token = page.continue;
  }
}

/** Reads the whole collection through {@link listPages}. */
export async function listAll<T extends KubeObject = KubeObject>(
  client: KubeClient,
  apiVersion: string,
  kind: string,
  opts: PagedListOptions = {},
): Promise<ObjectList<T>> {
  let items: T[] = [];
  let resourceVersion = '';
  for await (const page of listPages<T>(client, apiVersion, kind, opts)) {
    if (page.restarted) items = [];
    for (const item of page.items) items.push(item);
    resourceVersion = page.resourceVersion;
  }
  return { items, resourceVersion };
}
