// SPDX-License-Identifier: Apache-2.0
/**
 * API discovery: which group versions the apiserver serves (`/api`, `/apis`) and, per group
 * version, its resources (plural, scope, verbs). Answers are cached; a kind that is not found is
 * looked up once more against a fresh answer before {@link ApiError} 404 is thrown, so CRDs
 * installed after start are picked up.
 */
import type { ApiResource } from './types.ts';
import { ApiError } from './errors.ts';
import type { Transport } from './transport.ts';

interface ApiResourceList {
  groupVersion: string;
  resources: Array<{ name: string; kind: string; namespaced: boolean; verbs?: string[] }>;
}

interface ApiGroupList {
  groups: Array<{ name: string; versions: Array<{ groupVersion: string; version: string }>; preferredVersion?: { version: string } }>;
}

/** A served group and its versions, preferred version first. */
export interface ApiGroupInfo {
  name: string;
  versions: string[];
  preferredVersion: string;
}

/** Splits `apps/v1` into `{group: 'apps', version: 'v1'}` and `v1` into `{group: '', version: 'v1'}`. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** The URL prefix of a group version: `/api/v1` or `/apis/<group>/<version>`. */
export function groupVersionPath(apiVersion: string): string {
  const { group, version } = parseApiVersion(apiVersion);
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
}

/** Cached discovery over a {@link Transport}. */
export class Discovery {
  private readonly byGroupVersion = new Map<string, Promise<Map<string, ApiResource>>>();
  private groupsCache: Promise<ApiGroupInfo[]> | undefined;

  constructor(private readonly transport: Transport) {}

  /**
   * The resource serving `kind` in `apiVersion`. Looks again once against a fresh answer when the
   * kind is missing, then throws ApiError 404 (`NotFound`).
   */
  async resourceFor(apiVersion: string, kind: string): Promise<ApiResource> {
    const cached = await this.resources(apiVersion, false).catch(() => undefined);
    const hit = cached?.get(kind);
    if (hit) return hit;
    const fresh = await this.resources(apiVersion, true);
    const found = fresh.get(kind);
    if (found) return found;
    throw noMatch(apiVersion, kind);
  }

  /** Every group the server serves (core `""` included), from `/api` and `/apis`; cached. */
  async groups(refresh = false): Promise<ApiGroupInfo[]> {
    if (refresh || !this.groupsCache) {
      const p = this.loadGroups();
      this.groupsCache = p;
      p.catch(() => {
        if (this.groupsCache === p) this.groupsCache = undefined;
      });
    }
    return this.groupsCache;
  }

  /** Forgets everything; the next lookup asks the server again. */
  invalidate(): void {
    this.byGroupVersion.clear();
    this.groupsCache = undefined;
  }

  private resources(apiVersion: string, refresh: boolean): Promise<Map<string, ApiResource>> {
    let p = refresh ? undefined : this.byGroupVersion.get(apiVersion);
    if (!p) {
      p = this.loadResources(apiVersion);
      this.byGroupVersion.set(apiVersion, p);
      const mine = p;
      p.catch(() => {
        if (this.byGroupVersion.get(apiVersion) === mine) this.byGroupVersion.delete(apiVersion);
      });
    }
    return p;
  }

  private async loadResources(apiVersion: string): Promise<Map<string, ApiResource>> {
    const path = groupVersionPath(apiVersion);
    const res = await this.transport.request({ method: 'GET', path });
    if (res.status === 404) throw noMatch(apiVersion, undefined);
    if (res.status < 200 || res.status > 299) throw ApiError.fromResponse(res.status, res.body, `GET ${path}`);
    const list = JSON.parse(res.body) as ApiResourceList;
    const { group, version } = parseApiVersion(apiVersion);
    const out = new Map<string, ApiResource>();
    for (const r of list.resources ?? []) {
      if (r.name.includes('/')) continue; // subresources
      out.set(r.kind, { group, version, kind: r.kind, plural: r.name, namespaced: r.namespaced, verbs: r.verbs ?? [] });
    }
    return out;
  }

  private async loadGroups(): Promise<ApiGroupInfo[]> {
    const core = await this.transport.request({ method: 'GET', path: '/api' });
    if (core.status !== 200) throw ApiError.fromResponse(core.status, core.body, 'GET /api');
    const versions = (JSON.parse(core.body) as { versions: string[] }).versions;
    const out: ApiGroupInfo[] = [{ name: '', versions, preferredVersion: versions[0] ?? 'v1' }];
    const apis = await this.transport.request({ method: 'GET', path: '/apis' });
    if (apis.status !== 200) throw ApiError.fromResponse(apis.status, apis.body, 'GET /apis');
    for (const g of (JSON.parse(apis.body) as ApiGroupList).groups) {
      const preferred = g.preferredVersion?.version ?? g.versions[0]?.version ?? '';
      const rest = g.versions.map((v) => v.version).filter((v) => v !== preferred);
      out.push({ name: g.name, versions: [preferred, ...rest], preferredVersion: preferred });
    }
    return out;
  }
}

function noMatch(apiVersion: string, kind: string | undefined): ApiError {
  const { group } = parseApiVersion(apiVersion);
  const what = kind ? `kind "${kind}" in version "${apiVersion}"` : `group version "${apiVersion}"`;
  return new ApiError(404, `no matches for ${what}`, {
    reason: 'NotFound',
    details: { group, ...(kind ? { kind } : {}) },
  });
}
