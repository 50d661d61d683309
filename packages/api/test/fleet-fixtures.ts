// SPDX-License-Identifier: Apache-2.0
/**
 * Loads the Flux-kind manifests of the shared fleet fixtures (`../shared/fixtures/fleets`, or
 * `$EDDY_FIXTURES/fleets`) as the objects Flux would see. Files that a kustomization.yaml lists
 * under `patches[].path` are partial objects: they are merged onto the object they patch, as
 * kustomize would, so each resulting manifest is a whole object.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { findKind } from '../src/kinds.ts';

/** One Flux object from the fixtures. */
export interface FleetManifest {
  /** Path of the file relative to the fleets directory, plus `+patch` when a patch was merged. */
  readonly source: string;
  readonly object: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [key: string]: unknown };
}

/** The fleets directory, or undefined when the fixtures are not on this machine. */
export function fleetsDir(): string | undefined {
  const repoRoot = resolve(import.meta.dirname, '..', '..', '..');
  const candidates = [process.env.EDDY_FIXTURES ? join(process.env.EDDY_FIXTURES, 'fleets') : '', join(repoRoot, '..', 'shared', 'fixtures', 'fleets')];
  return candidates.find((c) => c !== '' && existsSync(c));
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join(dir, f))
    .sort();
}

function patchFiles(files: readonly string[]): Set<string> {
  const patches = new Set<string>();
  for (const file of files.filter((f) => /kustomization\.ya?ml$/.test(f))) {
    const doc = parseAllDocuments(readFileSync(file, 'utf8'))[0]?.toJS() as { kind?: string; patches?: { path?: string }[] } | undefined;
    if (doc?.kind !== 'Kustomization') continue;
    for (const p of doc.patches ?? []) if (p.path !== undefined) patches.add(join(dirname(file), p.path));
  }
  return patches;
}

function merge(base: unknown, patch: unknown): unknown {
  if (typeof base !== 'object' || base === null || Array.isArray(base) || typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    return patch;
  }
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(patch)) out[k] = merge(out[k], v);
  return out;
}

function isFluxObject(doc: unknown): doc is FleetManifest['object'] {
  if (typeof doc !== 'object' || doc === null) return false;
  const { apiVersion, kind } = doc as { apiVersion?: unknown; kind?: unknown };
  return typeof apiVersion === 'string' && typeof kind === 'string' && findKind(apiVersion, kind) !== undefined;
}

function key(o: FleetManifest['object']): string {
  return `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** Every Flux object of the fixtures, with patches merged onto their targets. */
export function loadFleetManifests(dir: string): FleetManifest[] {
  const files = yamlFiles(dir);
  const patches = patchFiles(files);
  const objects: FleetManifest[] = [];
  const patchDocs: FleetManifest[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const value: unknown = doc.toJS();
      if (!isFluxObject(value)) continue;
      (patches.has(file) ? patchDocs : objects).push({ source: relative(dir, file), object: value });
    }
  }
  const bases = new Map(objects.map((m) => [key(m.object), m]));
  const merged = patchDocs.map((p) => {
    const base = bases.get(key(p.object));
    if (base === undefined) throw new Error(`patch ${p.source} matches no object`);
    return { source: `${base.source}+${p.source}`, object: merge(base.object, p.object) as FleetManifest['object'] };
  });
  return [...objects, ...merged];
}
