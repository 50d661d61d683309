// SPDX-License-Identifier: Apache-2.0
/**
 * Composes a HelmRelease's values the way Flux does (fluxcd/pkg `chartutil.ChartValuesFromReferences`):
 * each `valuesFrom` reference is resolved in order and merged over the result; a reference with a
 * `targetPath` first merges the inline `values`, then sets its (flat) value at the path with Helm's
 * `--set` semantics; the inline `values` are merged last.
 */
import { parse as parseYaml } from 'yaml';
import type { KubeClient, KubeObject } from '@eddy/runtime/client';
import { isValuesMap, mergeMaps, type Values } from './merge.ts';
import { replacePathValue } from './strvals.ts';

/** A `meta.ValuesReference`. */
export interface ValuesReference {
  kind: 'ConfigMap' | 'Secret' | string;
  name: string;
  /** @default `values.yaml` */
  valuesKey?: string;
  targetPath?: string;
  optional?: boolean;
  literal?: boolean;
}

/** Why a values reference could not be used (Flux's `ErrValuesRefReason`). */
export type ValuesErrorReason =
  | 'resource not found'
  | 'key not found'
  | 'unsupported values reference kind'
  | 'failed to read values data'
  | 'failed to merge value';

const BRAND = Symbol.for('eddy.helm-controller.ValuesReferenceError');

/** A values reference error with Flux's message format. */
export class ValuesReferenceError extends Error {
  readonly [BRAND] = true;
  override readonly name = 'ValuesReferenceError';
  constructor(
    readonly reason: ValuesErrorReason,
    readonly ref: ValuesReference,
    readonly namespace: string,
    detail?: string,
  ) {
    super(
      `could not resolve${ref.optional ? ' optional' : ''}${ref.kind ? ` ${ref.kind}` : ''} chart values reference ` +
        `'${namespace}/${ref.name}' with key '${ref.valuesKey || 'values.yaml'}': ${detail ?? reason}`,
    );
  }
  /** True for this error from any copy of the package. */
  static is(e: unknown): e is ValuesReferenceError {
    return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** Converts what a YAML 1.1 parser returns into what Go's `sigs.k8s.io/yaml` would: JSON values. */
function toJsonLike(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString().replace('.000Z', 'Z');
  if (Array.isArray(v)) return v.map(toJsonLike);
  if (v !== null && typeof v === 'object') {
    const out: Values = {};
    for (const [k, x] of Object.entries(v)) out[k] = toJsonLike(x);
    return out;
  }
  if (typeof v === 'bigint') return Number(v);
  return v;
}

/**
 * Helm's `chartutil.ReadValues`: a YAML (1.1, as go-yaml v2 reads it) document that must be a map;
 * an empty document is an empty map.
 */
export function readValues(text: string): Values {
  let doc: unknown;
  try {
    doc = parseYaml(text, { version: '1.1', merge: true, uniqueKeys: false, maxAliasCount: 1000 });
  } catch (e) {
    throw new Error(`error converting YAML to JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (!isValuesMap(doc)) {
    const t = Array.isArray(doc) ? 'array' : typeof doc;
    throw new Error(`error unmarshaling JSON: json: cannot unmarshal ${t} into Go value of type map[string]interface {}`);
  }
  return toJsonLike(doc) as Values;
}

function dataOf(obj: KubeObject, key: string): string | undefined {
  if (obj.kind === 'Secret') {
    const b64 = (obj as { data?: Record<string, string> }).data?.[key];
    return b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString('utf8');
  }
  return (obj as { data?: Record<string, string> }).data?.[key];
}

/**
 * Resolves `refs` in `namespace` and merges them with the inline `values`. Throws
 * {@link ValuesReferenceError} for bad references; transient apiserver errors propagate as they are.
 */
export async function composeValues(
  client: Pick<KubeClient, 'get'>,
  namespace: string,
  values: Values | undefined,
  refs: readonly ValuesReference[] = [],
): Promise<Values> {
  let result: Values = {};
  const cache = new Map<string, KubeObject | null>();
  for (const ref of refs) {
    if (ref.kind !== 'ConfigMap' && ref.kind !== 'Secret') {
      throw new ValuesReferenceError('unsupported values reference kind', ref, namespace);
    }
    const index = `${ref.kind}/${ref.name}`;
    let obj = cache.get(index);
    if (obj === undefined) {
      obj = (await client.get({ apiVersion: 'v1', kind: ref.kind, namespace, name: ref.name })) ?? null;
      cache.set(index, obj);
    }
    if (obj === null) {
      if (ref.optional) continue;
      throw new ValuesReferenceError('resource not found', ref, namespace, `${ref.kind.toLowerCase()}s "${ref.name}" not found`);
    }
    const key = ref.valuesKey || 'values.yaml';
    const data = dataOf(obj, key);
    if (data === undefined) {
      if (ref.optional) continue;
      throw new ValuesReferenceError('key not found', ref, namespace);
    }
    if (ref.targetPath) {
      result = mergeMaps(result, values);
      try {
        replacePathValue(result, ref.targetPath, data, ref.literal === true);
      } catch (e) {
        throw new ValuesReferenceError('failed to merge value', ref, namespace, (e as Error).message);
      }
      continue;
    }
    let parsed: Values;
    try {
      parsed = readValues(data);
    } catch (e) {
      throw new ValuesReferenceError('failed to read values data', ref, namespace, (e as Error).message);
    }
    result = mergeMaps(result, parsed);
  }
  return mergeMaps(result, values);
}
