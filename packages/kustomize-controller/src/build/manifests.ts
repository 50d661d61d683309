// SPDX-License-Identifier: Apache-2.0
/**
 * The multi-document YAML that kustomize emits, as a list of per-resource texts and objects.
 * Kustomize writes each resource with `sigs.k8s.io/yaml` (go-yaml v2, YAML 1.1) and separates
 * them with `---\n`; the texts are kept verbatim so the build output Flux digests for
 * `status.history` can be reproduced byte for byte.
 */
import { parseAllDocuments, type ParseOptions, type DocumentOptions, type SchemaOptions } from 'yaml';
import { BuildError } from './errors.ts';

const GO_YAML_DROPPED_TAGS = new Set(['TIME']);

/**
 * `yaml` parse options that resolve plain scalars like go-yaml v2 does when decoding into
 * `interface{}` (the path of `sigs.k8s.io/yaml`): YAML 1.1 booleans, octal and hex integers, but
 * timestamps and sexagesimal numbers stay strings.
 */
export const GO_YAML_V2: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  uniqueKeys: false,
  customTags: (tags) =>
    tags.filter((t) => {
      if (typeof t !== 'object') return true;
      if (t.tag === 'tag:yaml.org,2002:timestamp') return false;
      return !('format' in t && GO_YAML_DROPPED_TAGS.has(String(t.format)));
    }),
};

/** A Kubernetes object as plain JSON-like data. */
export type KubeObject = Record<string, unknown> & {
  apiVersion?: string;
  kind?: string;
  metadata?: Record<string, unknown>;
};

/** One built resource: its exact text and parsed object. */
export interface Manifest {
  text: string;
  object: KubeObject;
}

/** Splits kustomize output into per-resource documents (each ending with a newline). */
export function splitDocuments(output: string): string[] {
  if (output.trim() === '') return [];
  const docs: string[] = [];
  let current: string[] = [];
  for (const line of output.split(/(?<=\n)/)) {
    if (line === '---\n' || line === '---') {
      docs.push(current.join(''));
      current = [];
    } else current.push(line);
  }
  docs.push(current.join(''));
  return docs.filter((d) => d.trim() !== '');
}

/** Joins documents back the way kustomize's `AsYaml` does. */
export function joinDocuments(docs: string[]): string {
  return docs.join('---\n');
}

/**
 * Parses one YAML document into an object with go-yaml v2 (YAML 1.1) scalar rules.
 * @throws BuildError `InvalidManifest` when it is not a single mapping.
 */
export function parseManifest(text: string, what = 'resource'): KubeObject {
  const docs = parseAllDocuments(text, GO_YAML_V2);
  const list = (Array.isArray(docs) ? docs : [docs]).filter((d) => d.contents !== null || d.errors.length > 0);
  if (list.length !== 1) {
    throw new BuildError('InvalidManifest', `${what}: expected one YAML document, found ${list.length}`);
  }
  const doc = list[0]!;
  if (doc.errors.length > 0) throw new BuildError('InvalidManifest', `${what}: ${doc.errors[0]!.message.split('\n')[0]}`);
  const js: unknown = doc.toJS({ maxAliasCount: 1000 });
  if (!js || typeof js !== 'object' || Array.isArray(js)) {
    throw new BuildError('InvalidManifest', `${what}: expected a YAML mapping`);
  }
  return normalizeScalars(js) as KubeObject;
}

/** Converts YAML leftovers (bigints, binary) into JSON-compatible values. */
function normalizeScalars(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map(normalizeScalars);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, normalizeScalars(x)]));
  }
  return v;
}

/** Parses kustomize output into manifests and checks the Kubernetes object conventions Flux checks. */
export function parseBuildOutput(output: string): Manifest[] {
  return splitDocuments(output).map((text) => {
    const object = parseManifest(text);
    const name = (object.metadata as { name?: unknown } | undefined)?.name;
    if (!object.apiVersion || !object.kind || typeof name !== 'string' || name === '') {
      throw new BuildError(
        'InvalidManifest',
        `failed to decode Kubernetes apiVersion, kind and name from: ${text.trim().slice(0, 200)}`,
      );
    }
    return { text, object };
  });
}
