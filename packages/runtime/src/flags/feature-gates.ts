// SPDX-License-Identifier: Apache-2.0
/**
 * `--feature-gates` as Flux's controllers read it (fluxcd/pkg `runtime/features`): each controller
 * declares the gates it supports with their defaults, and the flag's values (`A=true,B=false`,
 * repeatable, later entries winning) switch them. A gate the controller does not support is an
 * error at start-up (`feature-gate 'X' not supported`), as is a value that is not a Go boolean.
 * Eddy also reads a bare `Name` as `Name=true`.
 *
 * A binary checks the gates strictly at start-up; a setup shared with the one-process mode, where
 * one `--feature-gates` list serves several controllers, passes `ignoreUnsupported` and leaves the
 * gates of the other controllers alone.
 *
 * ```ts
 * const gates = parseFeatureGates(values.featureGates, { ExternalArtifact: false, FailFast: false });
 * if (gates.ExternalArtifact) …
 * ```
 */
import { FlagError, parseGoBool } from './flags.ts';

/** The state of every gate a controller supports, keyed by gate name. */
export type FeatureGates<G extends Readonly<Record<string, boolean>>> = { -readonly [K in keyof G]: boolean };

/** Options of {@link parseFeatureGates}. */
export interface ParseFeatureGatesOptions {
  /** Skip gates not in `known` (another controller's, in one-process mode) instead of failing. @default false */
  ignoreUnsupported?: boolean;
}

/**
 * Reads `--feature-gates` values against the gates a controller supports (`known`, with their
 * defaults) and returns the state of each.
 * @throws FlagError naming the gate when it is not supported (unless `ignoreUnsupported`) or its value is not a boolean.
 */
export function parseFeatureGates<G extends Readonly<Record<string, boolean>>>(values: readonly string[], known: G, opts: ParseFeatureGatesOptions = {}): FeatureGates<G> {
  const gates: Record<string, boolean> = { ...known };
  for (const entry of values.flatMap((v) => v.split(','))) {
    if (entry.trim() === '') continue;
    const eq = entry.indexOf('=');
    const name = (eq < 0 ? entry : entry.slice(0, eq)).trim();
    const raw = eq < 0 ? 'true' : entry.slice(eq + 1).trim();
    if (!Object.hasOwn(known, name)) {
      if (opts.ignoreUnsupported) continue;
      throw new FlagError(`feature-gate '${name}' not supported`);
    }
    const on = parseGoBool(raw);
    if (on === undefined) throw new FlagError(`invalid value of feature-gate '${name}': '${raw}' (expected true or false)`);
    gates[name] = on;
  }
  return gates as FeatureGates<G>;
}
