// SPDX-License-Identifier: Apache-2.0
/**
 * Values merging with Helm/Flux semantics (fluxcd/pkg `chartutil.MergeMaps`, copied from Helm's
 * `cli/values`): maps merge recursively, anything else (lists included) is replaced, and a map may
 * replace a scalar and vice versa.
 */

/** A values map as Helm sees it: JSON-like. */
export type Values = Record<string, unknown>;

/** True for a plain JSON object (not null, not an array). */
export function isValuesMap(v: unknown): v is Values {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Returns a new map with `b` merged into `a`; neither input is mutated. */
export function mergeMaps(a: Values, b: Values | undefined): Values {
  const out: Values = { ...a };
  if (!b) return out;
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] = isValuesMap(v) && isValuesMap(cur) ? mergeMaps(cur, v) : v;
  }
  return out;
}
