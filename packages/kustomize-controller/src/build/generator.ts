// SPDX-License-Identifier: Apache-2.0
/**
 * The Flux kustomization generator (fluxcd/pkg `kustomize.Generator`): makes sure `spec.path`
 * has a kustomization file and writes the Kustomization's transforms into it.
 *
 * - No kustomization file: one is generated listing every `.yaml`/`.yml` file below the path
 *   (recursively, in lexical walk order); a sub-directory holding a kustomization file is listed as
 *   a directory and not descended into. Nothing found: `namespace: _placeholder`, so kustomize
 *   does not fail on an empty kustomization (fluxcd/pkg#718).
 * - An existing file without `resources` gets `buildMetadata: [originAnnotations]`, for the same
 *   reason (fluxcd/pkg#757).
 * - Then: `targetNamespace` → `namespace`, `namePrefix`, `nameSuffix`, `patches` appended,
 *   `components` appended (local relative paths only; missing ones dropped with
 *   `ignoreMissingComponents`), `images` merged by name field by field, `buildMetadata` replaced.
 *
 * Like Flux (which round-trips the file through kustomize's Go type) unknown top-level fields are
 * dropped. `commonMetadata` is not a kustomize transform in Flux: it is applied to the built
 * objects before apply (see the apply stage).
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseAllDocuments, parseDocument, stringify } from 'yaml';
import { BuildError } from './errors.ts';
import { isLocalRelativePath } from './paths.ts';

/** kustomize's recognised kustomization file names, in lookup order. */
export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

/** A kustomize selector (Flux `kustomize.Selector`). */
export interface Selector {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

/** The parts of a Flux Kustomization spec that shape the kustomize build. */
export interface BuildSpec {
  targetNamespace?: string;
  namePrefix?: string;
  nameSuffix?: string;
  patches?: Array<{ patch: string; target?: Selector }>;
  images?: Array<{ name: string; newName?: string; newTag?: string; digest?: string }>;
  components?: string[];
  ignoreMissingComponents?: boolean;
  buildMetadata?: string[];
}

/** What the generator did. */
export interface GenerateResult {
  /** `created` when no kustomization file existed. */
  action: 'created' | 'unchanged';
  /** The kustomization file written. */
  file: string;
  /** Its final content. */
  content: string;
}

// Top-level fields of kustomize's types.Kustomization (v5.8.1), plus the type meta.
const KNOWN_FIELDS = new Set(
  (
    'apiVersion kind metadata openapi namePrefix nameSuffix namespace commonLabels labels commonAnnotations ' +
    'patchesStrategicMerge patchesJson6902 patches images imageTags replacements replicas vars sortOptions ' +
    'resources components crds bases configMapGenerator secretGenerator helmGlobals helmCharts ' +
    'helmChartInflationGenerator generatorOptions configurations generators transformers validators buildMetadata'
  ).split(' '),
);

/** Returns the kustomization file in `dir`, if any. */
export async function findKustomizationFile(dir: string): Promise<string | undefined> {
  for (const name of KUSTOMIZATION_FILES) {
    const p = join(dir, name);
    const st = await stat(p).catch(() => undefined);
    if (st && !st.isDirectory()) return p;
  }
  return undefined;
}

/** Lists the resources of a generated kustomization: YAML files and kustomization dirs. */
export async function scanResources(base: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (await findKustomizationFile(p)) out.push(p);
        else await walk(p);
        continue;
      }
      if (!e.isFile() || !/\.ya?ml$/.test(e.name)) continue;
      const text = await readFile(p, 'utf8');
      const docs = parseAllDocuments(text);
      const bad = (Array.isArray(docs) ? docs : [docs]).find((d) => d.errors.length > 0);
      if (bad) {
        throw new BuildError(
          'InvalidManifest',
          `failed to decode Kubernetes YAML from ${p}: ${bad.errors[0]!.message.split('\n')[0]}`,
        );
      }
      out.push(p);
    }
  };
  await walk(base);
  return out.map((p) => `./${relative(base, p).split('\\').join('/')}`);
}

function asRecord(v: unknown, file: string): Record<string, unknown> {
  if (v === null || v === undefined) return {};
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw new BuildError('InvalidKustomization', `${file}: kustomization file is not a YAML mapping`);
  }
  return v as Record<string, unknown>;
}

function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as T;
}

function mergeImages(existing: unknown, images: NonNullable<BuildSpec['images']>): Array<Record<string, unknown>> {
  const list = Array.isArray(existing) ? (existing as Array<Record<string, unknown>>).map((i) => ({ ...i })) : [];
  for (const img of images) {
    const idx = list.findIndex((i) => i.name === img.name);
    if (idx < 0) {
      list.push(compact({ name: img.name, newName: img.newName, newTag: img.newTag, digest: img.digest }));
      continue;
    }
    const cur = list[idx]!;
    if (img.newName) cur.newName = img.newName;
    if (img.newTag) cur.newTag = img.newTag;
    if (img.digest) cur.digest = img.digest;
  }
  return list;
}

async function applyComponents(k: Record<string, unknown>, spec: BuildSpec, dir: string): Promise<void> {
  if (!spec.components || spec.components.length === 0) return;
  const list = Array.isArray(k.components) ? [...(k.components as unknown[])] : [];
  for (const c of spec.components) {
    if (!isLocalRelativePath(c)) {
      throw new BuildError('InvalidKustomization', `component path '${c}' must be local and relative`);
    }
    if (spec.ignoreMissingComponents) {
      const exists = await stat(join(dir, c.replace(/^file:\/\//i, ''))).then(
        () => true,
        () => false,
      );
      if (!exists) continue;
    }
    list.push(c);
  }
  if (list.length > 0) k.components = list;
}

/** An existing kustomization file, reduced to the fields Flux's typed round trip keeps. */
async function loadExisting(existing: string): Promise<Record<string, unknown>> {
  const doc = parseDocument(await readFile(existing, 'utf8'), { version: '1.1' });
  if (doc.errors.length > 0) {
    throw new BuildError('InvalidKustomization', `${existing}: ${doc.errors[0]!.message.split('\n')[0]}`);
  }
  const raw = asRecord(doc.toJS({ maxAliasCount: 100 }), existing);
  const k = Object.fromEntries(Object.entries(raw).filter(([key]) => KNOWN_FIELDS.has(key)));
  if (!Array.isArray(k.resources) || k.resources.length === 0) k.buildMetadata = ['originAnnotations'];
  return k;
}

/** A kustomization listing the manifests of `dir` (Flux's placeholder namespace when none). */
async function generated(dir: string): Promise<Record<string, unknown>> {
  const resources = await scanResources(dir);
  return resources.length > 0 ? { resources } : { namespace: '_placeholder' };
}

/** Appends the spec's patches to the file's. */
function applyPatches(k: Record<string, unknown>, spec: BuildSpec): void {
  if (!spec.patches || spec.patches.length === 0) return;
  const list = Array.isArray(k.patches) ? [...(k.patches as unknown[])] : [];
  for (const p of spec.patches) list.push(p.target ? { patch: p.patch, target: compact({ ...p.target }) } : { patch: p.patch });
  k.patches = list;
}

/** `targetNamespace`, `namePrefix` and `nameSuffix`. */
function applyNaming(k: Record<string, unknown>, spec: BuildSpec): void {
  if (spec.targetNamespace) k.namespace = spec.targetNamespace;
  if (spec.namePrefix) k.namePrefix = spec.namePrefix;
  if (spec.nameSuffix) k.nameSuffix = spec.nameSuffix;
}

/**
 * Generates (when missing) and rewrites the kustomization file of `dir` with the spec's
 * transforms. The directory is a scratch copy: nothing is restored afterwards.
 */
export async function generateKustomization(dir: string, spec: BuildSpec = {}): Promise<GenerateResult> {
  const existing = await findKustomizationFile(dir);
  const file = existing ?? join(dir, KUSTOMIZATION_FILES[0]);
  const k = existing ? await loadExisting(existing) : await generated(dir);
  k.apiVersion ??= 'kustomize.config.k8s.io/v1beta1';
  k.kind ??= 'Kustomization';
  applyNaming(k, spec);
  applyPatches(k, spec);
  await applyComponents(k, spec, dir);
  if (spec.images && spec.images.length > 0) k.images = mergeImages(k.images, spec.images);
  if (spec.buildMetadata && spec.buildMetadata.length > 0) k.buildMetadata = [...spec.buildMetadata];
  const content = stringify(k, { lineWidth: 0, version: '1.1' });
  await writeFile(file, content, { mode: 0o600 });
  return { action: existing ? 'unchanged' : 'created', file, content };
}
