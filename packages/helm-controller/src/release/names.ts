// SPDX-License-Identifier: Apache-2.0
/** Release and chart naming rules shared with Flux. */
import { createHash } from 'node:crypto';

/**
 * Flux's `ShortenName`: names over 53 characters become the first 40 characters, a dash, and the
 * first 12 hex characters of the SHA-256 of the full name.
 */
export function shortenName(name: string): string {
  if (name.length <= 53) return name;
  const sum = createHash('sha256').update(name).digest('hex');
  return `${name.slice(0, 53 - 13)}-${sum.slice(0, 12)}`;
}

/** The name of the HelmChart a HelmRelease's `spec.chart` template produces: `<namespace>-<name>`. */
export function helmChartNameOf(namespace: string, name: string): string {
  return `${namespace}-${name}`;
}

/**
 * Flux's chart version for OCIRepository sources: `<version>+<first 12 hex of the digest>`, replacing
 * any build metadata, so a re-pushed tag with new content is a new version.
 */
export function versionWithDigest(version: string, digest: string): string {
  const hex = digest.includes(':') ? digest.split(':')[1]! : digest;
  return `${version.split('+')[0]}+${hex.slice(0, 12)}`;
}
