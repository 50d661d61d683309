// SPDX-License-Identifier: Apache-2.0
/**
 * Where remote charts come from: an HTTP repository whose index is a HelmRepository artifact in
 * storage (read one chart at a time, {@link readChartVersions}), or an OCI registry. Version
 * selection follows Flux's `ChartRepository.getChartVersion`: an exact version string wins, then the
 * highest strict-SemVer version matching the constraint (`*` or empty: latest stable), ties broken
 * by the `created` time; OCI tags follow `OCIChartRepository.GetChartVersion` (`_` stands for `+`).
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseConstraint, parseTagVersion } from '@eddy/runtime/git';
import type { OciClient } from '@eddy/runtime/oci';
import semver from 'semver';
import type { HelmClientOptions } from '../controllers/helm-repository-auth.ts';
import { httpOptionsFor, resolveReferenceURL } from '../controllers/helm-repository-auth.ts';
import { downloadToFile } from '../fetch/http.ts';
import { readChartVersions } from './index-file.ts';

/** The chosen version of a chart. */
export interface ChartVersionRef {
  name: string;
  version: string;
  urls: string[];
  created?: string;
  digest?: string;
}

/** A chart that cannot be found as referenced (Flux: ErrChartReference). */
export class ChartReferenceError extends Error {
  override readonly name = 'ChartReferenceError';
}

/** A remote chart source. */
export interface ChartRemote {
  /** Resolves `version` (exact, range, or `*`) of chart `name`. */
  getChartVersion(name: string, version: string): Promise<ChartVersionRef>;
  /** Downloads the packaged chart into `file` (at most `maxBytes`). */
  downloadChart(cv: ChartVersionRef, file: string, maxBytes: number): Promise<void>;
}

/** Flux's default `--helm-chart-max-size`: 10 MiB. */
export const DEFAULT_MAX_CHART_SIZE = 10 << 20;

function constraintOf(ver: string): ReturnType<typeof parseConstraint> {
  const c = ver === '' || ver === '*' ? '*' : ver;
  try {
    return parseConstraint(c);
  } catch {
    throw new ChartReferenceError(`improper constraint: ${ver}`);
  }
}

/** Picks the version per Flux's `getChartVersion`; throws {@link ChartReferenceError}. */
export function selectChartVersion(versions: readonly Record<string, unknown>[], name: string, ver: string): Record<string, unknown> {
  if (versions.length === 0) throw new ChartReferenceError('no chart version found');
  if (ver !== '') {
    const exact = versions.find((v) => v.version === ver);
    if (exact) return exact;
  }
  const c = constraintOf(ver);
  let best: { cv: Record<string, unknown>; v: semver.SemVer; t: number } | undefined;
  for (const cv of versions) {
    const v = parseTagVersion(String(cv.version ?? '').replace(/^v+/, 'v'));
    if (!v || !c.test(v)) continue;
    const t = Date.parse(String(cv.created ?? '')) || 0;
    if (!best) best = { cv, v, t };
    else {
      const cmp = semver.compare(v, best.v);
      if (cmp > 0 || (cmp === 0 && t > best.t)) best = { cv, v, t };
    }
  }
  if (!best) throw new ChartReferenceError(`no '${name}' chart with version matching '${ver}' found`);
  return best.cv;
}

/** An HTTP chart repository whose index is a stored HelmRepository artifact. */
export class HttpChartRepository implements ChartRemote {
  constructor(
    private readonly indexFile: string,
    private readonly repoURL: string,
    private readonly client: HelmClientOptions,
    private readonly signal?: AbortSignal,
  ) {}

  async getChartVersion(name: string, version: string): Promise<ChartVersionRef> {
    const versions = await readChartVersions(this.indexFile, name);
    if (!versions) throw new ChartReferenceError('no chart name found');
    const cv = selectChartVersion(versions, name, version);
    return {
      name: String(cv.name ?? name),
      version: String(cv.version),
      urls: (cv.urls as string[] | undefined) ?? [],
      ...(cv.created ? { created: String(cv.created) } : {}),
      ...(cv.digest ? { digest: String(cv.digest) } : {}),
    };
  }

  async downloadChart(cv: ChartVersionRef, file: string, maxBytes: number): Promise<void> {
    if (cv.urls.length === 0) throw new Error(`chart '${cv.name}' has no downloadable URLs`);
    const url = resolveReferenceURL(this.repoURL, cv.urls[0]!);
    await downloadToFile(url, file, {
      ...httpOptionsFor(url, this.repoURL, this.client, this.signal),
      maxBytes,
      tooLargeMessage: (max) => `chart exceeds the maximum chart size of ${max} bytes`,
    });
  }
}

/** The Helm chart layer media type. */
export const HELM_CHART_LAYER = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';

/** An OCI registry holding charts under `<url>/<chart name>`. */
export class OciChartRepository implements ChartRemote {
  constructor(
    private readonly url: string,
    private readonly client: OciClient,
  ) {}

  private repo(name: string): string {
    return `${this.url.replace(/^oci:\/\//, '').replace(/\/+$/, '')}/${name}`;
  }

  async getChartVersion(name: string, version: string): Promise<ChartVersionRef> {
    let tag = version;
    if (!parseTagVersion(version.replace(/^v+/, 'v'))) {
      const tags = await this.client.listTags(this.repo(name));
      if (tags.length === 0) throw new Error(`unable to locate any tags in provided repository: oci://${this.repo(name)}`);
      const c = constraintOf(version);
      let best: { tag: string; v: semver.SemVer } | undefined;
      for (const t of tags) {
        const v = parseTagVersion(t.replace(/_/g, '+'));
        if (v && c.test(v) && (!best || semver.compare(v, best.v) > 0)) best = { tag: t, v };
      }
      if (!best) throw new Error(`could not locate a version matching provided version string ${version}`);
      tag = best.tag.replace(/_/g, '+');
    }
    return { name, version: tag, urls: [`${this.repo(name)}:${tag.replace(/\+/g, '_')}`] };
  }

  async downloadChart(cv: ChartVersionRef, file: string, maxBytes: number): Promise<void> {
    const ref = cv.urls[0]!;
    const m = await this.client.getManifest(ref);
    const layer = m.manifest.layers.find((l) => l.mediaType === HELM_CHART_LAYER);
    if (!layer) throw new Error(`artifact ${ref} has no layer of media type '${HELM_CHART_LAYER}'`);
    const stream = await this.client.fetchBlob(ref.slice(0, ref.lastIndexOf(':')), layer.digest, maxBytes);
    try {
      await pipeline(Readable.fromWeb(stream as never), createWriteStream(file, { mode: 0o600 }));
    } catch (err) {
      await rm(file, { force: true });
      throw err;
    }
  }
}
