// SPDX-License-Identifier: Apache-2.0
/**
 * Pushing a small OCI image or artifact (config + one tar.gz layer + manifest) to a registry with plain fetch,
 * following the OCI distribution spec (blob upload POST then monolithic PUT, then manifest PUT).
 * @module
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { gzipSync } from 'node:zlib';
import { create as createTar } from 'tar';
import { HttpStatusError, TestEnvError } from './errors.ts';

/** The OCI image manifest media type. */
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
/** The default layer media type. */
export const OCI_LAYER_TGZ = 'application/vnd.oci.image.layer.v1.tar+gzip';
/** The OCI image config media type. */
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
/** The OCI 1.1 empty descriptor media type, used as config of artifacts. */
export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';

/** Options of a push. */
export interface PushOptions {
  /** Files of the layer, relative path → content (default: one `README.md`). */
  files?: Record<string, string>;
  /**
   * The layer's media type (default `application/vnd.oci.image.layer.v1.tar+gzip`; Flux artifacts use
   * `application/vnd.cncf.flux.content.v1.tar+gzip`).
   */
  mediaType?: string;
  /** Manifest annotations (e.g. `org.opencontainers.image.revision`). */
  annotations?: Record<string, string>;
  /** The manifest's `artifactType` (OCI 1.1); the config is the empty descriptor unless `configMediaType` is set. */
  artifactType?: string;
  /**
   * The config's media type (default: an OCI image config, or the empty descriptor for artifacts; Flux artifacts use
   * `application/vnd.cncf.flux.config.v1+json`). Its content is `{}` unless it is an image config.
   */
  configMediaType?: string;
}

/** A descriptor of a blob. */
export interface Descriptor {
  /** Media type. */
  mediaType: string;
  /** `sha256:<hex>`. */
  digest: string;
  /** Size in bytes. */
  size: number;
}

const sha256 = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/**
 * Builds a gzipped tar of the given files (sorted, no mtimes) and the digest of the uncompressed tar.
 * @param files - relative path → content.
 */
export async function buildLayer(files: Record<string, string>): Promise<{ tgz: Buffer; diffId: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-layer-'));
  try {
    const names = Object.keys(files).sort();
    for (const name of names) {
      const file = join(dir, normalize(name));
      if (!file.startsWith(`${dir}/`)) throw new TestEnvError(`layer file ${name} escapes the layer`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, files[name]!);
    }
    const chunks: Buffer[] = [];
    const stream = createTar({ cwd: dir, portable: true, noMtime: true }, names.map(normalize));
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
    const tar = Buffer.concat(chunks);
    return { tgz: gzipSync(tar), diffId: sha256(tar) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Where to push and how to authenticate. */
export interface RegistryTarget {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Basic auth, if the registry needs it. */
  auth?: { username: string; password: string };
}

function headers(target: RegistryTarget, extra: Record<string, string> = {}): Record<string, string> {
  const h: Record<string, string> = { ...extra };
  if (target.auth) {
    h.authorization = `Basic ${Buffer.from(`${target.auth.username}:${target.auth.password}`).toString('base64')}`;
  }
  return h;
}

async function expectStatus(res: Response, method: string, url: string, ...ok: number[]): Promise<void> {
  if (!ok.includes(res.status)) throw new HttpStatusError(method, url, res.status, await res.text());
}

/**
 * Uploads one blob (POST to start an upload session, then a monolithic PUT with the digest).
 * @returns its descriptor.
 */
export async function pushBlob(
  target: RegistryTarget,
  repo: string,
  data: Buffer,
  mediaType: string,
): Promise<Descriptor> {
  const digest = sha256(data);
  const start = `${target.url}/v2/${repo}/blobs/uploads/`;
  const res = await fetch(start, { method: 'POST', headers: headers(target) });
  await expectStatus(res, 'POST', start, 202);
  const location = new URL(res.headers.get('location') ?? '', target.url);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: headers(target, { 'content-type': 'application/octet-stream' }),
    body: data,
  });
  await expectStatus(put, 'PUT', location.href, 201);
  return { mediaType, digest, size: data.length };
}

function configFor(opts: PushOptions, diffId: string): { mediaType: string; data: Buffer } {
  const mediaType = opts.configMediaType ?? (opts.artifactType ? OCI_EMPTY : OCI_CONFIG);
  if (mediaType !== OCI_CONFIG) return { mediaType, data: Buffer.from('{}') };
  const config = { architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [diffId] } };
  return { mediaType, data: Buffer.from(JSON.stringify(config)) };
}

/** What a push returns. */
export interface PushResult {
  /** The manifest digest, `sha256:<hex>`. */
  digest: string;
  /** The manifest as pushed. */
  manifest: Record<string, unknown>;
}

/**
 * Pushes a manifest with one tar.gz layer under a tag.
 * @param target - registry URL and credentials.
 * @param repo - repository name, e.g. `apps/podinfo`.
 * @param tag - the tag.
 * @param opts - layer files, media types, annotations, artifactType.
 * @returns the manifest digest and the manifest itself.
 * @throws {@link HttpStatusError} when the registry refuses a request.
 */
export async function pushImage(
  target: RegistryTarget,
  repo: string,
  tag: string,
  opts: PushOptions = {},
): Promise<PushResult> {
  const { tgz, diffId } = await buildLayer(opts.files ?? { 'README.md': `${repo}:${tag}\n` });
  const layer = await pushBlob(target, repo, tgz, opts.mediaType ?? OCI_LAYER_TGZ);
  const cfg = configFor(opts, diffId);
  const config = await pushBlob(target, repo, cfg.data, cfg.mediaType);
  const manifest: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    ...(opts.artifactType ? { artifactType: opts.artifactType } : {}),
    config,
    layers: [layer],
    ...(opts.annotations ? { annotations: opts.annotations } : {}),
  };
  const body = Buffer.from(JSON.stringify(manifest));
  const url = `${target.url}/v2/${repo}/manifests/${tag}`;
  const res = await fetch(url, { method: 'PUT', headers: headers(target, { 'content-type': OCI_MANIFEST }), body });
  await expectStatus(res, 'PUT', url, 201);
  const digest = sha256(body);
  const echoed = res.headers.get('docker-content-digest');
  if (echoed && echoed !== digest) throw new TestEnvError(`registry stored manifest as ${echoed}, expected ${digest}`);
  return { digest, manifest };
}

/**
 * Lists the tags of a repository (`GET /v2/<repo>/tags/list`); [] when the repository does not exist.
 * @throws {@link HttpStatusError} on other errors (401 without credentials on a registry with auth).
 */
export async function listTags(target: RegistryTarget, repo: string): Promise<string[]> {
  const url = `${target.url}/v2/${repo}/tags/list`;
  const res = await fetch(url, { headers: headers(target) });
  if (res.status === 404) return [];
  await expectStatus(res, 'GET', url, 200);
  return ((await res.json()) as { tags?: string[] | null }).tags ?? [];
}
