// SPDX-License-Identifier: Apache-2.0
/**
 * `ImageRepository.spec.image` parsing with the rules Flux gets from go-containerregistry's
 * `name.ParseReference` and its own `registry.ParseImageReference`:
 *
 * - no URL scheme (`https://…` is rejected with Flux's message), no tag or digest;
 * - the first path component is a registry when it contains `.` or `:`; otherwise the image is on
 *   Docker Hub (`index.docker.io`, `library/` added to single-component names);
 * - `docker.io` is rewritten to `index.docker.io`;
 * - the canonical name (`status.canonicalImageName`) is `<registry>/<repository>`.
 */

/** Docker Hub's registry host as go-containerregistry spells it. */
export const DEFAULT_REGISTRY = 'index.docker.io';

/** The image is not a valid repository reference (Flux: `ImageURLInvalid`, stalls). */
export class ImageUrlInvalidError extends Error {
  override readonly name = 'ImageUrlInvalidError';
}

/** A parsed image repository reference. */
export interface ImageRepositoryRef {
  /** Registry host[:port], e.g. `ghcr.io`, `index.docker.io`, `localhost:5000`. */
  readonly registry: string;
  /** Repository path, e.g. `stefanprodan/podinfo`, `library/alpine`. */
  readonly repository: string;
  /** `<registry>/<repository>`. */
  readonly canonicalName: string;
  /** Plain HTTP allowed (`spec.insecure`). */
  readonly insecure: boolean;
}

const REPO_CHARS = /^[a-z0-9_./-]+$/;
const REGISTRY = /^[A-Za-z0-9.-]+(:[0-9]+)?$|^\[[0-9A-Fa-f:.]+\](:[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;

function splitRegistry(name: string): [string, string] {
  const slash = name.indexOf('/');
  if (slash > 0) {
    const first = name.slice(0, slash);
    if (first.includes('.') || first.includes(':')) return [first, name.slice(slash + 1)];
  }
  return [DEFAULT_REGISTRY, name];
}

/**
 * Parses `spec.image`. Throws {@link ImageUrlInvalidError} with Flux's wording for a scheme, a
 * tag or a digest, and for names go-containerregistry rejects.
 */
export function parseImageRepository(image: string, insecure = false): ImageRepositoryRef {
  const scheme = image.split('://');
  if (scheme.length > 1) {
    throw new ImageUrlInvalidError(`image '${image}' should not include URL scheme; remove '${scheme[0]}://'`);
  }
  let name = image;
  const at = name.indexOf('@');
  if (at >= 0) name = name.slice(0, at);
  let [registry, repository] = splitRegistry(name);
  const colon = repository.lastIndexOf(':');
  if (colon >= 0 || at >= 0) {
    const rest = image.slice(registry === DEFAULT_REGISTRY ? 0 : registry.length);
    const parts = rest.split(':');
    if (colon >= 0 && !TAG.test(repository.slice(colon + 1))) {
      throw new ImageUrlInvalidError(`could not parse reference: ${image}`);
    }
    throw new ImageUrlInvalidError(`image '${image}' should not include a tag; remove ':${parts[1] ?? ''}'`);
  }
  if (registry === 'docker.io') registry = DEFAULT_REGISTRY;
  if (!REGISTRY.test(registry)) throw new ImageUrlInvalidError(`could not parse reference: ${image}`);
  if (registry === DEFAULT_REGISTRY && !repository.includes('/')) repository = `library/${repository}`;
  const components = repository.split('/');
  if (repository === '' || !REPO_CHARS.test(repository) || components.some((c) => c === '' || !/^[a-z0-9]/.test(c))) {
    throw new ImageUrlInvalidError(`could not parse reference: ${image}`);
  }
  if (repository.length > 255) throw new ImageUrlInvalidError(`could not parse reference: ${image}`);
  return { registry, repository, canonicalName: `${registry}/${repository}`, insecure };
}

/** True for registries served over plain HTTP by default (loopback), as go-containerregistry decides. */
export function defaultsToHttp(registry: string): boolean {
  const host = registry.replace(/:[0-9]+$/, '');
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || host.endsWith('.local');
}
