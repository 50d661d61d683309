// SPDX-License-Identifier: Apache-2.0
/**
 * Defaulting rules of HelmRelease fields the CRD does not default (Flux's `GetReleaseName`,
 * `GetHelmChartName`, `GetTimeout`, `GetMaxHistory`, ...).
 */
import { createHash } from 'node:crypto';
import type { ObjectMeta } from '../../meta/object-meta.ts';
import type { HelmReleaseSpec } from './helm-release.ts';

/** Longest Helm release name. */
export const MAX_RELEASE_NAME_LENGTH = 53;

/** `spec.timeout` when empty. */
export const DEFAULT_HELM_TIMEOUT = '5m0s';

/** `spec.maxHistory` when empty. */
export const DEFAULT_MAX_HISTORY = 5;

/** Values key read from a valuesFrom object when `valuesKey` is empty. */
export const DEFAULT_VALUES_KEY = 'values.yaml';

type Named = { readonly metadata: Pick<ObjectMeta, 'name' | 'namespace'> };

/**
 * The Helm release name: `spec.releaseName`, else `<targetNamespace>-<name>` with a target
 * namespace, else the object name.
 */
export function helmReleaseName(hr: Named & { readonly spec: Pick<HelmReleaseSpec, 'releaseName' | 'targetNamespace'> }): string {
  if (hr.spec.releaseName !== undefined && hr.spec.releaseName !== '') return hr.spec.releaseName;
  const name = hr.metadata.name ?? '';
  if (hr.spec.targetNamespace !== undefined && hr.spec.targetNamespace !== '') return `${hr.spec.targetNamespace}-${name}`;
  return name;
}

/**
 * Shortens a release name longer than 53 characters the way helm-controller does: the first 40
 * characters, a dash and the first 12 hex characters of the SHA-256 of the full name.
 */
export function shortenReleaseName(name: string): string {
  if (name.length <= MAX_RELEASE_NAME_LENGTH) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 12);
  return `${name.slice(0, MAX_RELEASE_NAME_LENGTH - 13)}-${hash}`;
}

/** The namespace the release is installed in: `spec.targetNamespace`, else the object namespace. */
export function helmReleaseNamespace(hr: Named & { readonly spec: Pick<HelmReleaseSpec, 'targetNamespace'> }): string {
  return hr.spec.targetNamespace || (hr.metadata.namespace ?? '');
}

/** The namespace of the Helm storage: `spec.storageNamespace`, else the object namespace. */
export function helmStorageNamespace(hr: Named & { readonly spec: Pick<HelmReleaseSpec, 'storageNamespace'> }): string {
  return hr.spec.storageNamespace || (hr.metadata.namespace ?? '');
}

/** Name of the HelmChart created for `spec.chart`: `<namespace>-<name>`. */
export function helmChartName(hr: Named): string {
  return `${hr.metadata.namespace ?? ''}-${hr.metadata.name ?? ''}`;
}

/** Namespace of the HelmChart created for `spec.chart`: the source namespace, else the object namespace. */
export function helmChartNamespace(hr: Named & { readonly spec: Pick<HelmReleaseSpec, 'chart'> }): string {
  return hr.spec.chart?.spec.sourceRef.namespace || (hr.metadata.namespace ?? '');
}

/** `spec.timeout`, else 5m0s. */
export function helmReleaseTimeout(spec: Pick<HelmReleaseSpec, 'timeout'>): string {
  return spec.timeout ?? DEFAULT_HELM_TIMEOUT;
}

/** `spec.maxHistory`, else 5 (0 means unlimited). */
export function helmReleaseMaxHistory(spec: Pick<HelmReleaseSpec, 'maxHistory'>): number {
  return spec.maxHistory ?? DEFAULT_MAX_HISTORY;
}

/** `spec.persistentClient`, else true. */
export function helmReleasePersistentClient(spec: Pick<HelmReleaseSpec, 'persistentClient'>): boolean {
  return spec.persistentClient ?? true;
}
