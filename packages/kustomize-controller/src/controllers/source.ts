// SPDX-License-Identifier: Apache-2.0
/**
 * Resolving a Kustomization's source (kustomize-controller `getSource`) and checking its
 * dependencies (`checkDependencies`, plus Eddy's `dependsOn[].kind: HelmRelease`).
 */
import { ORIGIN_REVISION_ANNOTATION, resolveKustomizationDependency, sameRevision, type Artifact, type Kustomization } from '@eddy/api';
import type { KubeClient, KubeObject as ClientObject } from '@eddy/runtime/client';
import { CelExpression, InvalidCELExpressionError } from '@eddy/runtime/cel';

/** The source kinds a Kustomization may reference. */
export const SOURCE_KINDS: Record<string, string> = {
  GitRepository: 'source.toolkit.fluxcd.io/v1',
  OCIRepository: 'source.toolkit.fluxcd.io/v1',
  Bucket: 'source.toolkit.fluxcd.io/v1',
  ExternalArtifact: 'source.toolkit.fluxcd.io/v1',
};

/** The source was not found (Flux requeues at the retry interval). */
export class SourceNotFoundError extends Error {
  override readonly name = 'SourceNotFoundError';
}

/** Cross-namespace or feature-gated access was refused (Flux stalls with `AccessDenied`). */
export class AccessDeniedError extends Error {
  override readonly name = 'AccessDeniedError';
  readonly reason = 'AccessDenied';
}

/** A resolved source object. */
export type SourceObject = ClientObject & { status?: { artifact?: Artifact } };

/** Options of {@link getSource}. */
export interface SourceOptions {
  noCrossNamespaceRefs?: boolean;
  allowExternalArtifact?: boolean;
}

/**
 * Fetches the source object of a Kustomization.
 * @throws SourceNotFoundError, AccessDeniedError, or the client's error.
 */
export async function getSource(client: KubeClient, obj: Kustomization, opts: SourceOptions = {}): Promise<SourceObject> {
  const ref = obj.spec.sourceRef;
  const namespace = ref.namespace || obj.metadata.namespace || '';
  const nn = `${namespace}/${ref.name}`;
  if (opts.noCrossNamespaceRefs && namespace !== obj.metadata.namespace) {
    throw new AccessDeniedError(`can't access '${ref.kind}/${nn}', cross-namespace references have been blocked`);
  }
  if (ref.kind === 'ExternalArtifact' && !opts.allowExternalArtifact) {
    throw new AccessDeniedError(`can't access '${ref.kind}/${nn}', ExternalArtifact feature gate is disabled`);
  }
  const apiVersion = SOURCE_KINDS[ref.kind];
  if (!apiVersion) throw new Error(`source \`${ref.name}\` kind '${ref.kind}' not supported`);
  let src: SourceObject | undefined;
  try {
    src = await client.get<SourceObject>({ apiVersion: ref.apiVersion ?? apiVersion, kind: ref.kind, namespace, name: ref.name });
  } catch (err) {
    throw new Error(`unable to get source '${nn}': ${(err as Error).message}`, { cause: err });
  }
  if (!src) throw new SourceNotFoundError(`${ref.kind}.source.toolkit.fluxcd.io "${ref.name}" not found`);
  return src;
}

/** The origin revision of an artifact (`org.opencontainers.image.revision`), or ''. */
export function originRevision(artifact: Artifact | undefined): string {
  return artifact?.metadata?.[ORIGIN_REVISION_ANNOTATION] ?? '';
}

/** A dependency is not ready (Flux `DependencyNotReady`). */
export class DependencyNotReadyError extends Error {
  override readonly name = 'DependencyNotReadyError';
  readonly reason = 'DependencyNotReady';
}

type Dep = ClientObject & {
  spec?: { sourceRef?: { kind?: string; name?: string; namespace?: string } };
  status?: { observedGeneration?: number; conditions?: Array<{ type: string; status: string }>; lastAppliedRevision?: string };
};

function readyTrue(d: Dep): boolean {
  return (d.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/**
 * Checks `spec.dependsOn` as Flux does: a dependency must exist, satisfy its `readyExpr` (which
 * replaces the built-in check unless `additive`), have observed its generation and be Ready; a
 * Kustomization on the same source must have applied the current revision. Eddy extension:
 * `kind: HelmRelease` dependencies are ready when Ready=True at their current generation.
 * @throws DependencyNotReadyError; InvalidCELExpressionError for a malformed `readyExpr`.
 */
export async function checkDependencies(client: KubeClient, obj: Kustomization, artifact: Artifact, opts: { additiveCEL?: boolean } = {}): Promise<void> {
  for (const raw of obj.spec.dependsOn ?? []) {
    await checkDependency(client, obj, artifact, resolveKustomizationDependency(raw, obj.metadata.namespace ?? ''), opts.additiveCEL ?? false);
  }
}

type ResolvedDependency = ReturnType<typeof resolveKustomizationDependency>;

async function getDependency(client: KubeClient, dep: ResolvedDependency): Promise<Dep> {
  const nn = `${dep.namespace}/${dep.name}`;
  let d: Dep | undefined;
  try {
    d = await client.get<Dep>({ apiVersion: dep.apiVersion, kind: dep.kind, namespace: dep.namespace, name: dep.name });
  } catch (err) {
    throw new DependencyNotReadyError(`dependency '${nn}' not found: ${(err as Error).message}`);
  }
  if (!d) throw new DependencyNotReadyError(`dependency '${nn}' not found: ${dep.kind}.${dep.apiVersion.split('/')[0]} "${dep.name}" not found`);
  return d;
}

function readyByExpr(obj: Kustomization, dep: ResolvedDependency, d: Dep): boolean {
  let expr: CelExpression;
  try {
    expr = CelExpression.parse(dep.readyExpr ?? '');
  } catch (err) {
    throw new InvalidCELExpressionError(`failed to evaluate dependency ${dep.name}: ${(err as Error).message}`);
  }
  try {
    return expr.evaluateBoolean({ self: obj, dep: d });
  } catch (err) {
    throw new DependencyNotReadyError((err as Error).message);
  }
}

async function checkDependency(client: KubeClient, obj: Kustomization, artifact: Artifact, dep: ResolvedDependency, additiveCEL: boolean): Promise<void> {
  const nn = `${dep.namespace}/${dep.name}`;
  const d = await getDependency(client, dep);
  if (dep.readyExpr) {
    if (!readyByExpr(obj, dep, d)) throw new DependencyNotReadyError(`dependency '${nn}' is not ready according to readyExpr eval`);
    if (!additiveCEL) return;
  }
  if (!readyAtGeneration(d)) throw new DependencyNotReadyError(`dependency '${nn}' is not ready`);
  if (dep.kind === 'Kustomization' && behindOnSameSource(obj, d, artifact)) {
    throw new DependencyNotReadyError(`dependency '${nn}' revision is not up to date`);
  }
}

/** Has conditions, observed its generation, and is Ready. */
function readyAtGeneration(d: Dep): boolean {
  const conditions = d.status?.conditions ?? [];
  return conditions.length > 0 && d.metadata.generation === d.status?.observedGeneration && readyTrue(d);
}

/** A Kustomization dependency on the same source that has not applied `artifact`'s revision. */
function behindOnSameSource(obj: Kustomization, d: Dep, artifact: Artifact): boolean {
  const a = d.spec?.sourceRef ?? {};
  const b = obj.spec.sourceRef;
  const sameSource = a.name === b.name && a.kind === b.kind && (a.namespace || d.metadata.namespace) === (b.namespace || obj.metadata.namespace);
  return sameSource && !sameRevision(artifact.revision, d.status?.lastAppliedRevision ?? '');
}
