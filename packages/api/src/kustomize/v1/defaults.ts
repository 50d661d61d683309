// SPDX-License-Identifier: Apache-2.0
/**
 * Defaulting rules of Kustomization fields that the CRD does not default, mirroring the getters
 * of Flux's API types (`GetTimeout`, `GetRetryInterval`, `GetDeletionPolicy`, dependency defaults).
 */
import { parseDuration } from '../../helpers/duration.ts';
import { ok } from '../../helpers/result.ts';
import type { Result } from '../../helpers/result.ts';
import type { KustomizationDependencyReference, KustomizationSpec } from './kustomization-spec.ts';

const THIRTY_SECONDS_MS = 30_000;

/**
 * The timeout of one run in milliseconds: `spec.timeout`, else `spec.interval` minus 30s, and never
 * less than 30s.
 */
export function kustomizationTimeoutMs(spec: Pick<KustomizationSpec, 'interval' | 'timeout'>): Result<number> {
  const interval = parseDuration(spec.interval);
  if (!interval.ok) return interval;
  let timeout = interval.value - THIRTY_SECONDS_MS;
  if (spec.timeout !== undefined) {
    const parsed = parseDuration(spec.timeout);
    if (!parsed.ok) return parsed;
    timeout = parsed.value;
  }
  return ok(Math.max(timeout, THIRTY_SECONDS_MS));
}

/** The interval between retries after a failure in milliseconds: `spec.retryInterval`, else `spec.interval`. */
export function kustomizationRetryIntervalMs(spec: Pick<KustomizationSpec, 'interval' | 'retryInterval'>): Result<number> {
  return parseDuration(spec.retryInterval ?? spec.interval);
}

/** The effective deletion policy: `spec.deletionPolicy`, else `MirrorPrune`. */
export function kustomizationDeletionPolicy(
  spec: Pick<KustomizationSpec, 'deletionPolicy'>,
): NonNullable<KustomizationSpec['deletionPolicy']> {
  return spec.deletionPolicy ?? 'MirrorPrune';
}

/** A dependency with Eddy's defaults applied. */
export interface ResolvedDependency {
  readonly apiVersion: string;
  readonly kind: 'Kustomization' | 'HelmRelease';
  readonly name: string;
  readonly namespace: string;
  readonly readyExpr?: string;
}

/**
 * Applies the defaults of a `dependsOn` entry: kind Kustomization, the API version of the kind,
 * and the namespace of the depending Kustomization.
 */
export function resolveKustomizationDependency(dep: KustomizationDependencyReference, namespace: string): ResolvedDependency {
  const kind = dep.kind ?? 'Kustomization';
  const apiVersion = dep.apiVersion ?? (kind === 'HelmRelease' ? 'helm.toolkit.fluxcd.io/v2' : 'kustomize.toolkit.fluxcd.io/v1');
  const resolved = { apiVersion, kind, name: dep.name, namespace: dep.namespace ?? namespace };
  return dep.readyExpr === undefined ? resolved : { ...resolved, readyExpr: dep.readyExpr };
}
