// SPDX-License-Identifier: Apache-2.0
/**
 * Tag-selection policies of `ImagePolicy.spec.policy` (Flux `internal/policy`): each takes the
 * candidate tags and returns the latest one or throws a typed error.
 *
 * - semver: the highest tag (parsed by {@link parseTag}) inside the range; ties keep the first seen.
 * - alphabetical: `asc` (the default, as in Flux's CRD) selects the last tag in ascending byte
 *   order, `desc` the first.
 * - numerical: tags parsed with Go's `strconv.ParseFloat`; `asc` (default) selects the largest,
 *   `desc` the smallest; any unparsable tag fails the whole selection, as in Flux.
 */
import { parseGoFloat } from './go-float.ts';
import { InvalidRangeError, SemverRange, compareVersions, parseTag } from './semver.ts';
import type { Version } from './semver.ts';

/** Selects the latest tag among candidates. */
export interface Policer {
  /** Returns the latest tag; throws {@link NoMatchingTagError} or {@link TagParseError}. */
  latest(tags: readonly string[]): string;
}

/** The policy spec is invalid (bad range, unknown order): the ImagePolicy stalls (`InvalidPolicy`). */
export class InvalidPolicyError extends Error {
  override readonly name = 'InvalidPolicyError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** No candidate satisfies the policy (or the candidate list is empty). */
export class NoMatchingTagError extends Error {
  override readonly name = 'NoMatchingTagError';
}

/** A candidate could not be parsed where the policy requires every tag to parse (numerical). */
export class TagParseError extends Error {
  override readonly name = 'TagParseError';
}

/** Sort direction of the alphabetical and numerical policies. */
export type Order = 'asc' | 'desc';

function requireTags(tags: readonly string[]): void {
  if (tags.length === 0) throw new NoMatchingTagError('version list argument cannot be empty');
}

/** `policy.semver`: highest version within a Masterminds range. */
export class SemverPolicy implements Policer {
  readonly range: SemverRange;

  /** @throws InvalidPolicyError when the range does not parse. */
  constructor(range: string) {
    try {
      this.range = SemverRange.parse(range);
    } catch (err) {
      if (err instanceof InvalidRangeError) throw new InvalidPolicyError(err.message, { cause: err });
      throw err;
    }
  }

  latest(tags: readonly string[]): string {
    requireTags(tags);
    let best: Version | undefined;
    for (const tag of tags) {
      const v = parseTag(tag);
      if (v && this.range.check(v) && (best === undefined || compareVersions(v, best) > 0)) best = v;
    }
    if (!best) throw new NoMatchingTagError('unable to determine latest version from provided list');
    return best.original;
  }
}

function parseOrder(order: string | undefined): Order {
  const o = (order ?? '').toUpperCase();
  if (o === '' || o === 'ASC') return 'asc';
  if (o === 'DESC') return 'desc';
  throw new InvalidPolicyError(`invalid order argument provided: '${o}', must be one of: ASC, DESC`);
}

/** Byte-order comparison (Go `sort.Strings`), not locale order. */
function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `policy.alphabetical`: last tag in the chosen byte order. */
export class AlphabeticalPolicy implements Policer {
  readonly order: Order;
  constructor(order?: string) {
    this.order = parseOrder(order);
  }

  latest(tags: readonly string[]): string {
    requireTags(tags);
    let pick = tags[0]!;
    for (const tag of tags) {
      const c = compareBytes(tag, pick);
      if (this.order === 'asc' ? c > 0 : c < 0) pick = tag;
    }
    return pick;
  }
}

/** `policy.numerical`: largest (`asc`) or smallest (`desc`) tag read as a float. */
export class NumericalPolicy implements Policer {
  readonly order: Order;
  constructor(order?: string) {
    this.order = parseOrder(order);
  }

  latest(tags: readonly string[]): string {
    requireTags(tags);
    let latest = '';
    let pv = 0;
    tags.forEach((tag, i) => {
      const cv = parseGoFloat(tag);
      if (cv === undefined) throw new TagParseError(`failed to parse invalid numeric value '${tag}'`);
      // Same walk as Flux: keep the running value unless the candidate is strictly worse.
      if (i !== 0 && ((this.order === 'asc' && cv < pv) || (this.order === 'desc' && cv > pv))) return;
      latest = tag;
      pv = cv;
    });
    return latest;
  }
}

/** The `spec.policy` union of an ImagePolicy (`image.toolkit.fluxcd.io/v1`). */
export interface PolicyChoice {
  semver?: { range: string };
  alphabetical?: { order?: string };
  numerical?: { order?: string };
}

/**
 * Builds the policer for a spec, like Flux's `PolicerFromSpec` (first of semver, alphabetical,
 * numerical that is set). Throws {@link InvalidPolicyError} when none is set or the one set is invalid.
 */
export function policerFromSpec(choice: PolicyChoice): Policer {
  if (choice.semver) return new SemverPolicy(choice.semver.range);
  if (choice.alphabetical) return new AlphabeticalPolicy(choice.alphabetical.order);
  if (choice.numerical) return new NumericalPolicy(choice.numerical.order);
  throw new InvalidPolicyError('given ImagePolicyChoice object is invalid');
}
