// SPDX-License-Identifier: Apache-2.0
/**
 * SemVer tag selection with the semantics Flux gets from Masterminds/semver v3:
 * - a tag is a version when it is strict SemVer 2.0 after removing one leading `v`
 *   (fluxcd/pkg `version.ParseVersion`);
 * - constraints use Masterminds syntax: `,` is AND (as is whitespace), `||` is OR, `^ ~ x * =`;
 * - pre-releases match only when the constraint itself names a pre-release;
 * - among equal versions (differing only in build metadata) the one with the newest
 *   timestamp wins (fluxcd/pkg `gogit/clone.go#cloneSemVer`).
 * Shared by git checkouts, OCIRepository and image policies.
 */
import semver from 'semver';
import { GitError } from './errors.ts';

const STRICT = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** The version of a tag (`v1.2.3` or `1.2.3`), or undefined when it is not strict SemVer. */
export function parseTagVersion(tag: string): semver.SemVer | undefined {
  const bare = tag.startsWith('v') ? tag.slice(1) : tag;
  if (!STRICT.test(bare)) return undefined;
  return semver.parse(bare) ?? undefined;
}

/** A compiled constraint. */
export interface SemverConstraint {
  readonly source: string;
  test(version: semver.SemVer): boolean;
}

/**
 * Compiles a Masterminds-style constraint. Throws GitError InvalidOptions when it does not
 * parse (Flux: `semver parse error`).
 */
export function parseConstraint(source: string): SemverConstraint {
  const normalized = source
    .split('||')
    .map((part) =>
      part
        .replace(/,/g, ' ')
        // Masterminds allows `>= 1.2`; node-semver needs the operator attached.
        .replace(/(>=|<=|>|<|=|~>|~|\^)\s+/g, (_m, op: string) => (op === '~>' ? '~' : op))
        .replace(/\bv(?=\d)/g, '')
        .trim(),
    )
    .join(' || ');
  const includePrerelease = /\d+\.\d+\.\d+-[0-9A-Za-z]/.test(normalized);
  let range: semver.Range;
  try {
    range = new semver.Range(normalized === '' ? '*' : normalized, { includePrerelease });
  } catch (err) {
    throw new GitError('InvalidOptions', `semver parse error: ${(err as Error).message}`);
  }
  return {
    source,
    test: (v) => range.test(v),
  };
}

/** One candidate for {@link selectSemver}. */
export interface VersionCandidate {
  /** The tag or reference name as written. */
  name: string;
  /** Tie-breaker among equal versions: higher wins (e.g. commit time in ms). */
  timestamp?: number;
}

/**
 * Picks the highest version matching `constraint` among `candidates`, or undefined. Equal
 * versions (build metadata only differs) are ordered by `timestamp`, then by name.
 */
export function selectSemver<T extends VersionCandidate>(candidates: readonly T[], constraint: string | SemverConstraint): T | undefined {
  const c = typeof constraint === 'string' ? parseConstraint(constraint) : constraint;
  let best: { cand: T; v: semver.SemVer } | undefined;
  for (const cand of candidates) {
    const v = parseTagVersion(cand.name);
    if (!v || !c.test(v)) continue;
    if (!best) {
      best = { cand, v };
      continue;
    }
    const cmp = semver.compare(v, best.v);
    if (cmp > 0 || (cmp === 0 && (cand.timestamp ?? 0) > (best.cand.timestamp ?? 0))) best = { cand, v };
  }
  return best?.cand;
}

/** All candidates that tie with the best match (same version, differing build metadata). */
export function semverTies<T extends VersionCandidate>(candidates: readonly T[], constraint: string | SemverConstraint): T[] {
  const c = typeof constraint === 'string' ? parseConstraint(constraint) : constraint;
  const best = selectSemver(candidates, c);
  if (!best) return [];
  const bv = parseTagVersion(best.name)!;
  return candidates.filter((x) => {
    const v = parseTagVersion(x.name);
    return v !== undefined && c.test(v) && semver.compare(v, bv) === 0;
  });
}
