// SPDX-License-Identifier: Apache-2.0
/**
 * Helpers of the ArtifactGenerator reconciler, after source-watcher: spec validation
 * (`validateSpec`), the observed state of the sources and its digest (`ObservedSource`,
 * `HashObservedSources`), drift detection (`detectDrift`), and the source index used by watches.
 */
import { createHash } from 'node:crypto';
import type { ArtifactGenerator } from '@eddy/api/source-extensions/v1beta1';
import { ARTIFACT_GENERATOR_LABEL } from '@eddy/api/source-extensions/v1beta1';
import type { KubeClient, KubeObject } from '@eddy/runtime/client';
import { get, isFalse } from '@eddy/runtime/conditions';
import type { Storage } from '../storage/storage.ts';

/** The state of one source as the generator saw it. */
export interface ObservedSource {
  digest: string;
  revision: string;
  /** `org.opencontainers.image.revision` of the source artifact, when present. */
  originRevision?: string;
  url: string;
  /** Storage path of the artifact. */
  path: string;
}

const PLURAL: Record<string, string> = { GitRepository: 'gitrepositories', OCIRepository: 'ocirepositories', Bucket: 'buckets' };

/** source-watcher's `validateSpec`: unique aliases and names, known revision aliases; the problem or undefined. */
export function validateGenerator(obj: ArtifactGenerator): string | undefined {
  const aliases = new Set<string>();
  for (const s of obj.spec.sources) {
    if (aliases.has(s.alias)) return `duplicate source alias '${s.alias}' found`;
    aliases.add(s.alias);
  }
  const names = new Set<string>();
  for (const a of obj.spec.artifacts) {
    if (names.has(a.name)) return `duplicate artifact name '${a.name}' found`;
    if (a.revision && !aliases.has(a.revision.slice(1))) return `artifact ${a.name} revision source alias '${a.revision.slice(1)}' not found`;
    names.add(a.name);
  }
  return undefined;
}

type SourceLike = KubeObject & { status?: { artifact?: { digest?: string; revision: string; url: string; path: string; metadata?: Record<string, string> } } };

/** Reads every source; throws when one is missing or has no artifact yet. */
export async function observeSources(client: KubeClient, obj: ArtifactGenerator): Promise<Map<string, ObservedSource>> {
  const out = new Map<string, ObservedSource>();
  for (const src of obj.spec.sources) {
    const ns = src.namespace || obj.metadata.namespace!;
    if (!PLURAL[src.kind]) throw new Error(`source \`${src.name}\` kind '${src.kind}' not supported`);
    const s = await client.get<SourceLike>({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: src.kind, namespace: ns, name: src.name });
    if (!s) throw new Error(`${PLURAL[src.kind]}.source.toolkit.fluxcd.io "${src.name}" not found`);
    const a = s.status?.artifact;
    if (!a) throw new Error(`source '${src.kind}/${ns}/${src.name}' is not ready`);
    const origin = a.metadata?.['org.opencontainers.image.revision'];
    out.set(src.alias, { digest: a.digest ?? '', revision: a.revision, url: a.url, path: a.path, ...(origin ? { originRevision: origin } : {}) });
  }
  return out;
}

/** source-watcher's `HashObservedSources`: sha256 over the sorted `alias=[digest=…,revision=…,url=…]` parts. */
export function hashObservedSources(sources: ReadonlyMap<string, ObservedSource>): string {
  const parts = [...sources].map(([alias, s]) => `${alias}=[digest=${s.digest},revision=${s.revision},url=${s.url}]`).sort();
  return `sha256:${createHash('sha256').update(parts.join('|')).digest('hex')}`;
}

/**
 * source-watcher's `detectDrift`: the reason a rebuild is needed, or undefined when the stored
 * artifacts and the ExternalArtifacts still match the sources and the spec.
 */
export async function findDrift(client: KubeClient, storage: Storage, obj: ArtifactGenerator, digest: string): Promise<string | undefined> {
  const status = obj.status ?? {};
  if (isFalse(obj as never, 'Ready') || !get(obj as never, 'Ready')) return 'NotReady';
  if (obj.metadata.generation !== get(obj as never, 'Ready')?.observedGeneration) return 'GenerationChanged';
  if (status.observedSourcesDigest !== digest) return 'SourcesChanged';
  const inventory = status.inventory ?? [];
  if (inventory.length !== obj.spec.artifacts.length) return 'ArtifactsChanged';
  for (const r of inventory) {
    const art = storage.newArtifactFor('ExternalArtifact', r.namespace, r.name, '', r.filename);
    if (!(await storage.exists(art))) return 'ArtifactMissing';
    try {
      await storage.verify({ ...art, digest: r.digest });
    } catch {
      await storage.remove(art);
      return 'ArtifactCorrupted';
    }
  }
  const eas = await client.list<SourceLike>('source.toolkit.fluxcd.io/v1', 'ExternalArtifact', {
    namespace: obj.metadata.namespace!,
    labelSelector: `${ARTIFACT_GENERATOR_LABEL}=${obj.metadata.uid ?? ''}`,
  });
  if (eas.items.length !== inventory.length) return 'ExternalArtifactsChanged';
  for (const ea of eas.items) {
    if (!inventory.some((r) => r.name === ea.metadata.name && r.namespace === ea.metadata.namespace && r.digest === ea.status?.artifact?.digest)) return 'ExternalArtifactsChanged';
  }
  return undefined;
}

/** Index values of a generator: `<Kind>/<namespace>/<name>` of each source. */
export function generatorSourceKeys(obj: ArtifactGenerator): string[] {
  return obj.spec.sources.map((s) => `${s.kind}/${s.namespace || obj.metadata.namespace}/${s.name}`);
}
