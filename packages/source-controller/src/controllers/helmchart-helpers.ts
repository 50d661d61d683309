// SPDX-License-Identifier: Apache-2.0
/**
 * Helpers of the HelmChart reconciler: the build metadata of `reconcileStrategy: Revision`, the
 * OCI chart client of a `type: oci` HelmRepository, and the downloader of remote chart
 * dependencies, which uses the credentials of a HelmRepository with the same URL in the namespace
 * (Flux's `namespacedChartRepositoryCallback`), or none.
 */
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { HelmChart, HelmRepository } from '@eddy/api/source/v1';
import type { KubeClient } from '@eddy/runtime/client';
import type { RegistryCredentials } from '@eddy/runtime/oci';
import { credentialsFromDockerConfig, OciClient, parseReference } from '@eddy/runtime/oci';
import { downloadToFile } from '../fetch/http.ts';
import { secretText } from '../fetch/secrets.ts';
import type { Dependency } from '../helm/chart-files.ts';
import type { ChartRemote } from '../helm/chart-repository.ts';
import { DEFAULT_MAX_CHART_SIZE, HttpChartRepository, OciChartRepository } from '../helm/chart-repository.ts';
import { DEFAULT_MAX_INDEX_SIZE, normalizeIndex } from '../helm/index-file.ts';
import type { Storage } from '../storage/storage.ts';
import type { HelmClientOptions } from './helm-repository-auth.ts';
import { helmClientOptions, httpOptionsFor, indexURL, normalizeRepositoryURL } from './helm-repository-auth.ts';
import { usesPlainHttp } from './ocirepository-helpers.ts';
import { SOURCE_INDEX } from './source-watch.ts';

/**
 * The build metadata of `reconcileStrategy: Revision`: the first 12 hex characters of the source
 * revision's hash (`main@sha1:<hex>`, `sha1:<hex>`, legacy `main/<hex>`, Bucket `sha256:<hex>`).
 */
export function revisionMetadata(kind: string, revision: string): string {
  let rev = revision;
  if (kind === 'GitRepository') {
    rev = rev.slice(rev.lastIndexOf('@') + 1);
    if (rev.includes(':')) rev = rev.slice(rev.indexOf(':') + 1);
    else if (rev.includes('/')) rev = rev.slice(rev.lastIndexOf('/') + 1);
  } else if (kind === 'Bucket' && /^[a-z0-9]+:[0-9a-f]+$/.test(rev)) {
    rev = rev.slice(rev.indexOf(':') + 1);
  }
  return rev.slice(0, 12);
}

/** The index value of a HelmChart for {@link SOURCE_INDEX}. */
export function helmChartSourceKey(hc: HelmChart): string[] {
  return [`${hc.spec.sourceRef.kind}/${hc.spec.sourceRef.name}`];
}

export { SOURCE_INDEX };

function registryCredentials(url: string, o: HelmClientOptions): RegistryCredentials | undefined {
  const host = parseReference(`${url.replace(/^oci:\/\//, '')}/x`).registry;
  const dockerConfig = secretText(o.secret, '.dockerconfigjson');
  if (dockerConfig) return credentialsFromDockerConfig(dockerConfig, host);
  return o.basicAuth ? { username: o.basicAuth.username, password: o.basicAuth.password } : undefined;
}

/** The OCI chart repository of a `type: oci` HelmRepository (credentials, TLS, `insecure`). */
export function ociChartRepository(url: string, repo: HelmRepository, o: HelmClientOptions, timeoutMs: number, signal?: AbortSignal): OciChartRepository {
  const credentials = registryCredentials(url, o);
  const client = new OciClient({
    ...(credentials ? { credentials } : {}),
    insecure: usesPlainHttp(parseReference(`${url.replace(/^oci:\/\//, '')}/x`).registry, Boolean(repo.spec.insecure)),
    ...(o.tls ? { tls: o.tls } : {}),
    timeoutMs,
    ...(signal ? { signal } : {}),
  });
  return new OciChartRepository(url, client);
}

async function repositoryFor(client: KubeClient, namespace: string, url: string): Promise<HelmRepository | undefined> {
  const want = normalizeRepositoryURL(url);
  const list = await client.list<HelmRepository>('source.toolkit.fluxcd.io/v1', 'HelmRepository', { namespace });
  return list.items.find((r) => {
    try {
      return normalizeRepositoryURL(r.spec.url) === want;
    } catch {
      return false;
    }
  });
}

/**
 * A downloader of remote dependencies into `charts/` (`<name>-<version>.tgz`): the version range
 * of the dependency is resolved against the repository's index (the stored artifact of a matching
 * HelmRepository, else a fresh anonymous download of `index.yaml`) or OCI tags.
 */
export function dependencyDownloader(client: KubeClient, storage: Storage, namespace: string, scratch: string, signal?: AbortSignal) {
  return async (dep: Dependency, chartsDir: string): Promise<void> => {
    const url = dep.repository ?? '';
    if (!/^(https?|oci):\/\//.test(url)) throw new Error(`dependency '${dep.name}': repository '${url}' is not supported (use a URL)`);
    await mkdir(scratch, { recursive: true });
    const repo = await repositoryFor(client, namespace, url);
    const opts: HelmClientOptions = repo ? await helmClientOptions(client, repo) : { passCredentials: false, timeoutMs: 60_000, deprecatedTls: false };
    const base = normalizeRepositoryURL(url);
    let remote: ChartRemote;
    if (url.startsWith('oci://')) {
      remote = ociChartRepository(base, repo ?? ({ spec: { url } } as HelmRepository), opts, opts.timeoutMs, signal);
    } else if (repo?.status?.artifact && repo.spec.type !== 'oci') {
      remote = new HttpChartRepository(storage.localPath(repo.status.artifact as { path: string }), base, opts, signal);
    } else {
      const raw = join(scratch, `${dep.name}-index.yaml`);
      const idx = indexURL(base);
      await downloadToFile(idx, raw, { ...httpOptionsFor(idx, base, opts, signal), maxBytes: DEFAULT_MAX_INDEX_SIZE });
      await normalizeIndex(raw, `${raw}.json`);
      remote = new HttpChartRepository(`${raw}.json`, base, opts, signal);
    }
    const cv = await remote.getChartVersion(dep.name, dep.version ?? '*');
    const tmp = join(scratch, `${dep.name}.tgz`);
    await remote.downloadChart(cv, tmp, DEFAULT_MAX_CHART_SIZE);
    await rename(tmp, join(chartsDir, `${dep.name}-${cv.version}.tgz`));
  };
}
