// SPDX-License-Identifier: Apache-2.0
/**
 * OCI references: `oci://host[:port]/repo[:tag][@sha256:…]`, the same without the scheme, and
 * Docker Hub short forms (`nginx`, `library/nginx:1.25`).
 */

/** The media types of manifests this client understands. */
export const MediaTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  /** Flux artifacts (`flux push artifact`). */
  fluxConfig: 'application/vnd.cncf.flux.config.v1+json',
  fluxContent: 'application/vnd.cncf.flux.content.v1.tar+gzip',
} as const;

/** Default registry for references without a host. */
export const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_API = 'registry-1.docker.io';

/** A parsed reference. */
export interface OciReference {
  /** Registry host as written (`ghcr.io`, `localhost:5000`, `docker.io`). */
  registry: string;
  /** Repository path (`org/app`; Docker Hub single names get `library/`). */
  repository: string;
  tag?: string;
  /** `sha256:<hex>` */
  digest?: string;
}

/** Thrown for references that do not parse. */
export class InvalidReferenceError extends Error {
  override readonly name = 'InvalidReferenceError';
}

const REPO_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** Parses an OCI reference, with or without `oci://`. */
export function parseReference(input: string): OciReference {
  let s = input.trim();
  if (s.startsWith('oci://')) s = s.slice('oci://'.length);
  if (s === '' || /\s/.test(s)) throw new InvalidReferenceError(`invalid reference '${input}'`);
  let digest: string | undefined;
  const at = s.indexOf('@');
  if (at >= 0) {
    digest = s.slice(at + 1);
    s = s.slice(0, at);
    if (!DIGEST.test(digest)) throw new InvalidReferenceError(`invalid digest in '${input}'`);
  }
  let tag: string | undefined;
  const slash = s.lastIndexOf('/');
  const colon = s.lastIndexOf(':');
  if (colon > slash) {
    tag = s.slice(colon + 1);
    s = s.slice(0, colon);
    if (!TAG.test(tag)) throw new InvalidReferenceError(`invalid tag in '${input}'`);
  }
  const parts = s.split('/');
  let registry = DOCKER_HUB;
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    parts.shift();
  }
  if (registry === 'index.docker.io' || registry === DOCKER_HUB_API) registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift('library');
  if (parts.length === 0 || !parts.every((p) => REPO_COMPONENT.test(p))) {
    throw new InvalidReferenceError(`invalid repository in '${input}'`);
  }
  const ref: OciReference = { registry, repository: parts.join('/') };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** `registry/repository[:tag][@digest]`. */
export function formatReference(ref: OciReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The host to contact for a registry name (Docker Hub's API host for `docker.io`). */
export function apiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
}

/** The tag or digest to fetch a manifest by; `latest` when neither is given. */
export function referenceTarget(ref: OciReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}
