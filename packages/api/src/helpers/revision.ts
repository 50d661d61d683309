// SPDX-License-Identifier: Apache-2.0
/**
 * Source revisions as Flux writes them to `status.artifact.revision`:
 *
 * | source | form | example |
 * | --- | --- | --- |
 * | Git branch or tag | `<name>@<algo>:<hex>` | `main@sha1:363a…` |
 * | Git `ref.name` | `<ref>@<algo>:<hex>` | `refs/heads/main@sha1:363a…` |
 * | Git commit only | `<algo>:<hex>` | `sha1:363a…` |
 * | OCI tag | `<tag>@sha256:<hex>` | `6.0.3@sha256:9f2…` |
 * | OCI digest, HelmRepository, Bucket | `sha256:<hex>` | |
 * | HelmChart | chart version, maybe with build metadata | `6.0.3`, `6.0.3+4`, `6.0.3+1c8a7e2b9d4f` |
 * | legacy (before Flux 2.0) | `<branch>/<sha>` | `main/363a…` |
 */
import { parseDigest } from './digest.ts';
import type { Digest } from './digest.ts';
import { fail, ok } from './result.ts';
import type { Result } from './result.ts';

/** A parsed source revision. */
export interface Revision {
  /** The named part before `@` (branch, tag, ref name), if any. */
  readonly name?: string;
  /** The content digest after `@` (or the whole revision when it is a bare digest). */
  readonly digest: Digest;
  /** Set when the revision was in the legacy `<name>/<sha>` form. */
  readonly legacy?: boolean;
}

/** Writes `<name>@<algo>:<hex>`, or `<algo>:<hex>` when there is no name. */
export function formatRevision(revision: { readonly name?: string; readonly digest: Digest }): string {
  const digest = `${revision.digest.algorithm}:${revision.digest.encoded}`;
  return revision.name === undefined || revision.name === '' ? digest : `${revision.name}@${digest}`;
}

const LEGACY_SHA = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/;

function parseLegacy(input: string): Result<Revision> | undefined {
  const slash = input.lastIndexOf('/');
  if (slash <= 0) return undefined;
  const sha = input.slice(slash + 1);
  if (!LEGACY_SHA.test(sha)) return undefined;
  const algorithm = sha.length === 40 ? 'sha1' : 'sha256';
  return ok({ name: input.slice(0, slash), digest: { algorithm, encoded: sha }, legacy: true });
}

/**
 * Parses a Git, OCI, HelmRepository or Bucket revision (not a chart version: see
 * {@link parseChartRevision}). The name is everything before the last `@`, so names containing
 * `@` keep it.
 */
export function parseRevision(input: string): Result<Revision> {
  if (input === '') return fail('InvalidRevision', input, 'empty revision');
  const at = input.lastIndexOf('@');
  if (at === -1) {
    const digest = parseDigest(input);
    if (digest.ok) return ok({ digest: digest.value });
    const legacy = parseLegacy(input);
    if (legacy !== undefined) return legacy;
    return fail('InvalidRevision', input, 'expected <name>@<algo>:<hex>, <algo>:<hex> or legacy <name>/<sha>');
  }
  const name = input.slice(0, at);
  if (name === '') return fail('InvalidRevision', input, 'empty name before @');
  const digest = parseDigest(input.slice(at + 1));
  if (!digest.ok) return fail('InvalidRevision', input, digest.error.message);
  return ok({ name, digest: digest.value });
}

/**
 * Rewrites a legacy `<name>/<sha>` revision into today's `<name>@sha1:<sha>`; other revisions are
 * returned unchanged (Flux's `TransformLegacyRevision`).
 */
export function transformLegacyRevision(input: string): string {
  const parsed = parseRevision(input);
  return parsed.ok && parsed.value.legacy === true ? formatRevision(parsed.value) : input;
}

/**
 * Whether two revisions point at the same content: equal digests, ignoring the name part and
 * the legacy form. Malformed revisions compare as plain strings.
 */
export function sameRevision(a: string, b: string): boolean {
  const pa = parseRevision(a);
  const pb = parseRevision(b);
  if (!pa.ok || !pb.ok) return a === b;
  return pa.value.digest.algorithm === pb.value.digest.algorithm && pa.value.digest.encoded === pb.value.digest.encoded;
}

/** A parsed HelmChart artifact revision. */
export interface ChartRevision {
  /** The chart version, without build metadata, e.g. `6.0.3` or `1.0.0-rc.1`. */
  readonly version: string;
  /** Build metadata after `+`: the HelmChart generation or the first 12 hex of a source digest. */
  readonly build?: string;
}

const SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

/** Parses a chart revision such as `6.0.3`, `6.0.3+4` or `6.0.3+1c8a7e2b9d4f`. */
export function parseChartRevision(input: string): Result<ChartRevision> {
  const m = SEMVER.exec(input);
  if (m === null) return fail('InvalidChartVersion', input, 'expected a semantic version');
  const plus = input.indexOf('+');
  const version = plus === -1 ? input : input.slice(0, plus);
  return ok(m[5] === undefined ? { version } : { version, build: m[5] });
}

/**
 * Writes a chart revision with build metadata the way source-controller does: the HelmChart
 * generation when values files are merged from a HelmRepository chart, or the first 12 characters
 * of the source digest with `reconcileStrategy: Revision`.
 */
export function formatChartRevision(version: string, build?: string | number): string {
  if (build === undefined || build === '') return version;
  return `${version}+${typeof build === 'number' ? String(build) : build.slice(0, 12)}`;
}
