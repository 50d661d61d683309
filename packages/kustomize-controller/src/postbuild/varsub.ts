// SPDX-License-Identifier: Apache-2.0
/**
 * Flux's `postBuild` variable substitution (fluxcd/pkg `kustomize.SubstituteVariables`), run per
 * built resource:
 *
 * - skipped for resources labelled or annotated `kustomize.toolkit.fluxcd.io/substitute: disabled`;
 * - variables come from `substituteFrom` (ConfigMap `data`, Secret `data`, in order, later
 *   overriding earlier; `optional` references may be missing) and then `substitute` (overriding);
 *   newlines are removed from every value;
 * - nothing happens without variables unless `substituteStrategy: Always`;
 * - names must match `^[_[:alpha:]][_[:alpha:][:digit:]]*$`;
 * - undefined variables become `""`, or fail in strict mode (`StrictPostBuildSubstitutions`).
 *
 * Substitution runs on the resource's YAML text; the result is parsed with go-yaml v2 rules (as
 * `sigs.k8s.io/yaml.YAMLToJSON` does).
 */
import { BuildError } from '../build/errors.ts';
import { parseManifest, type KubeObject } from '../build/manifests.ts';
import { envsubst } from './envsubst.ts';

/** The label/annotation that opts a resource out of substitution. */
export const SUBSTITUTE_ANNOTATION = 'kustomize.toolkit.fluxcd.io/substitute';
/** Flux's variable-name rule. */
export const VAR_NAME_PATTERN = /^[_A-Za-z][_A-Za-z0-9]*$/;

/** `spec.postBuild` of a Kustomization. */
export interface PostBuildSpec {
  substitute?: Record<string, string>;
  substituteFrom?: Array<{ kind: string; name: string; optional?: boolean }>;
  substituteStrategy?: 'WithVariables' | 'Always';
}

/** Reads the ConfigMaps and Secrets `substituteFrom` refers to; `undefined` means not found. */
export interface VariableSourceReader {
  getConfigMap(namespace: string, name: string): Promise<{ data?: Record<string, string> } | undefined>;
  getSecret(namespace: string, name: string): Promise<{ data?: Record<string, string> } | undefined>;
}

/** A substitution failure (Flux reason `BuildFailed`). */
export class SubstitutionError extends BuildError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('InvalidManifest', message, options);
  }
}

/**
 * Loads the variables of a Kustomization in `namespace`.
 * @throws SubstitutionError when a required ConfigMap/Secret is missing or unreadable.
 */
export async function loadVariables(
  reader: VariableSourceReader,
  namespace: string,
  spec: PostBuildSpec,
): Promise<Record<string, string>> {
  const vars: Record<string, string> = {};
  for (const ref of spec.substituteFrom ?? []) {
    const kind = ref.kind === 'Secret' || ref.kind === 'ConfigMap' ? ref.kind : undefined;
    if (!kind) continue;
    const data = await readSource(reader, namespace, kind, ref);
    for (const [k, v] of Object.entries(data ?? {})) {
      const value = kind === 'Secret' ? Buffer.from(v, 'base64').toString('utf8') : v;
      vars[k] = value.replaceAll('\n', '');
    }
  }
  for (const [k, v] of Object.entries(spec.substitute ?? {})) vars[k] = String(v).replaceAll('\n', '');
  return vars;
}

/** The `data` of one `substituteFrom` source; `undefined` for a missing optional one. */
async function readSource(
  reader: VariableSourceReader,
  namespace: string,
  kind: 'ConfigMap' | 'Secret',
  ref: { name: string; optional?: boolean },
): Promise<Record<string, string> | undefined> {
  let obj: { data?: Record<string, string> } | undefined;
  try {
    obj = kind === 'ConfigMap' ? await reader.getConfigMap(namespace, ref.name) : await reader.getSecret(namespace, ref.name);
  } catch (err) {
    throw new SubstitutionError(`substitute from '${kind}/${ref.name}' error: ${(err as Error).message}`, { cause: err });
  }
  if (obj) return obj.data ?? {};
  if (ref.optional) return undefined;
  const plural = kind === 'ConfigMap' ? 'configmaps' : 'secrets';
  throw new SubstitutionError(`substitute from '${kind}/${ref.name}' error: ${plural} "${ref.name}" not found`);
}

/** Options of {@link substituteResource}. */
export interface SubstituteOptions {
  vars: Record<string, string>;
  /** Fail on undefined variables without a default. @default false */
  strict?: boolean;
  /** Substitute even without variables (`substituteStrategy: Always`). @default false */
  always?: boolean;
}

/** True when the resource opts out with the `substitute: disabled` label or annotation. */
export function substitutionDisabled(obj: KubeObject): boolean {
  const meta = (obj.metadata ?? {}) as { labels?: Record<string, string>; annotations?: Record<string, string> };
  return meta.labels?.[SUBSTITUTE_ANNOTATION] === 'disabled' || meta.annotations?.[SUBSTITUTE_ANNOTATION] === 'disabled';
}

/** kustomize's `Gvk.String()` (`Kind.version.group`) used in Flux's error messages. */
export function gvkString(obj: KubeObject): string {
  const [group, version] = String(obj.apiVersion ?? '').includes('/')
    ? String(obj.apiVersion).split('/', 2)
    : ['', String(obj.apiVersion ?? '')];
  return `${obj.kind || '[noKind]'}.${version || '[noVer]'}.${group || '[noGrp]'}`;
}

/**
 * Substitutes variables in one resource. Returns the new text and object, or `undefined` when the
 * resource is skipped or its text did not change.
 * @throws SubstitutionError
 */
export function substituteResource(
  text: string,
  obj: KubeObject,
  opts: SubstituteOptions,
): { text: string; object: KubeObject } | undefined {
  if (substitutionDisabled(obj)) return undefined;
  const names = Object.keys(opts.vars);
  if (names.length === 0 && !opts.always) return undefined;
  const where = `${gvkString(obj)}/${String((obj.metadata as { name?: string } | undefined)?.name ?? '')}`;
  for (const n of names) {
    if (!VAR_NAME_PATTERN.test(n)) {
      throw new SubstitutionError(
        `post build failed for '${where}': '${n}' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'`,
      );
    }
  }
  let out: string;
  try {
    out = envsubst(text, (name) => {
      const has = Object.prototype.hasOwnProperty.call(opts.vars, name);
      return [has ? opts.vars[name]! : '', opts.strict ? has : true];
    });
  } catch (err) {
    throw new SubstitutionError(`post build failed for '${where}': variable substitution failed: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (out === text) return undefined;
  try {
    return { text: out, object: parseManifest(out, `post build of '${where}'`) };
  } catch (err) {
    throw new SubstitutionError(`post build failed for '${where}': YAMLToJSON: ${(err as Error).message}`, { cause: err });
  }
}
