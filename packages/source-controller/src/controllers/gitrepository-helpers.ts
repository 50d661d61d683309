// SPDX-License-Identifier: Apache-2.0
/**
 * Helpers of the GitRepository reconciler: Secret loading, the "did anything that shapes the
 * artifact change" check (Flux's `gitContentConfigChanged` and `requiresVerification`), and the
 * status conditions spec.
 */
import type { GitRepository, GitRepositoryInclude } from '@eddy/api/source/v1';
import { SourceCondition } from '@eddy/api/source/v1';
import type { KubeClient, KubeObject } from '@eddy/runtime/client';
import type { ConditionsSpec } from '@eddy/runtime/summarize';
import type { Artifact } from '../storage/storage.ts';
import { sourceReadyCondition } from './source-reconciler-base.ts';

/** Ready is summarised from these (source-controller `gitRepositoryReadyCondition`). */
export const gitRepositoryReadyCondition: ConditionsSpec = sourceReadyCondition(
  [SourceCondition.StorageOperationFailed, SourceCondition.FetchFailed, SourceCondition.IncludeUnavailable, SourceCondition.ArtifactOutdated],
  [SourceCondition.ArtifactInStorage, SourceCondition.SourceVerified],
);

/** The conditions that represent a failure (for recovery events). */
export const gitRepositoryFailConditions = [
  SourceCondition.FetchFailed,
  SourceCondition.IncludeUnavailable,
  SourceCondition.StorageOperationFailed,
] as const;

/** A Secret as read from the apiserver. */
export interface SecretObject extends KubeObject {
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/** Reads a Secret's data, base64-decoded; undefined when it does not exist. */
export async function readSecretData(client: KubeClient, namespace: string, name: string): Promise<Record<string, Uint8Array> | undefined> {
  const s = await client.get<SecretObject>({ apiVersion: 'v1', kind: 'Secret', namespace, name });
  if (!s) return undefined;
  const out: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(s.data ?? {})) out[k] = Buffer.from(v, 'base64');
  for (const [k, v] of Object.entries(s.stringData ?? {})) out[k] = Buffer.from(v, 'utf8');
  return out;
}

/** The GitRepository status fields this reconciler writes. */
export interface GitRepositoryStatusFields {
  artifact?: Artifact;
  includedArtifacts?: Artifact[];
  observedIgnore?: string;
  observedRecurseSubmodules?: boolean;
  observedInclude?: GitRepositoryInclude[];
  observedSparseCheckout?: string[];
  sourceVerificationMode?: string;
}

/** The verification mode with Flux's normalisation (`head` → `HEAD`). */
export function verificationMode(obj: GitRepository): 'HEAD' | 'Tag' | 'TagAndHEAD' | undefined {
  const m = obj.spec.verify?.mode;
  if (!obj.spec.verify) return undefined;
  if (!m || m === 'head' || m === 'HEAD') return 'HEAD';
  return m as 'Tag' | 'TagAndHEAD';
}

/** Flux's `requiresVerification`: verification is configured and the observed mode does not cover it. */
export function requiresVerification(obj: GitRepository, status: GitRepositoryStatusFields): boolean {
  const mode = verificationMode(obj);
  if (!mode) return false;
  const observed = status.sourceVerificationMode;
  if (!observed) return true;
  if (observed === 'Tag' && (mode === 'HEAD' || mode === 'TagAndHEAD')) return true;
  if (observed === 'HEAD' && (mode === 'Tag' || mode === 'TagAndHEAD')) return true;
  return false;
}

function includeEqual(a: GitRepositoryInclude, b: GitRepositoryInclude | undefined): boolean {
  return !!b && a.repository.name === b.repository.name && (a.fromPath ?? '') === (b.fromPath ?? '') && (a.toPath ?? '') === (b.toPath ?? '');
}

/**
 * Flux's `gitContentConfigChanged`: whether the artifact must be rebuilt although the revision
 * did not change (ignore rules, submodules, includes, sparse checkout or verification changed).
 */
export function contentConfigChanged(obj: GitRepository, status: GitRepositoryStatusFields, includes: Artifact[]): boolean {
  const spec = obj.spec;
  if ((spec.ignore ?? undefined) !== (status.observedIgnore ?? undefined)) return true;
  if (Boolean(spec.recurseSubmodules) !== Boolean(status.observedRecurseSubmodules)) return true;
  const incl = spec.include ?? [];
  if (incl.length !== (status.observedInclude ?? []).length) return true;
  if (requiresVerification(obj, status)) return true;
  const sparse = spec.sparseCheckout ?? [];
  const observedSparse = status.observedSparseCheckout ?? [];
  if (sparse.length !== observedSparse.length || sparse.some((d, i) => d !== observedSparse[i])) return true;
  if (incl.length !== includes.length || incl.length !== (status.includedArtifacts ?? []).length) return true;
  return incl.some((inc, i) => {
    const seen = status.includedArtifacts![i]!;
    const cur = includes[i]!;
    return !includeEqual(inc, status.observedInclude![i]) || seen.revision !== cur.revision || seen.digest !== cur.digest;
  });
}

/** Whether the included artifacts differ from the ones recorded in status. */
export function includesDiffer(current: Artifact[], recorded: Artifact[] | undefined): boolean {
  const r = recorded ?? [];
  if (current.length !== r.length) return true;
  return current.some((a, i) => a.revision !== r[i]!.revision || a.digest !== r[i]!.digest);
}

/** The include's destination path (the repository name by default). */
export function includeToPath(inc: GitRepositoryInclude): string {
  return inc.toPath || inc.repository.name;
}
