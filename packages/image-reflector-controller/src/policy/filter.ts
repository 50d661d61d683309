// SPDX-License-Identifier: Apache-2.0
/**
 * `ImagePolicy.spec.filterTags` (Flux `internal/policy/filter.go`) and the ImageRepository
 * `exclusionList`, plus {@link selectLatestTag}, which combines filter and policy exactly as Flux's
 * `applyPolicy` does.
 */
import { GoRegexpError, compileGoRegexp, expandGoTemplate } from './go-regexp.ts';
import type { GoRegexp } from './go-regexp.ts';
import { InvalidPolicyError, NoMatchingTagError, policerFromSpec } from './policies.ts';
import type { PolicyChoice } from './policies.ts';

/** Flux's default `exclusionList`: cosign signature tags. */
export const DEFAULT_EXCLUSION_LIST: readonly string[] = ['^.*\\.sig$'];

/**
 * A `filterTags` filter: keeps tags matching `pattern` and, when `extract` is set, maps each to
 * the expansion of `extract` (`$ts`, `${ts}`, `$1`) on its first match.
 */
export class TagFilter {
  readonly re: GoRegexp;

  /** @throws InvalidPolicyError when the pattern is not a valid Go regular expression. */
  constructor(
    pattern: string,
    readonly extract = '',
  ) {
    try {
      this.re = compileGoRegexp(pattern);
    } catch (err) {
      if (err instanceof GoRegexpError) {
        throw new InvalidPolicyError(`failed to filter tags: invalid regular expression pattern '${pattern}': ${err.message}`, { cause: err });
      }
      throw err;
    }
  }

  /**
   * Returns the filtered (and extracted) values mapped to their original tag. When two tags
   * extract to the same value the later one wins, as with Flux's map.
   */
  apply(tags: readonly string[]): Map<string, string> {
    const out = new Map<string, string>();
    for (const tag of tags) {
      const m = this.re.regex.exec(tag);
      if (!m) continue;
      const value = this.extract === '' ? tag : expandGoTemplate(this.re, this.extract, m);
      out.delete(value);
      out.set(value, tag);
    }
    return out;
  }
}

/**
 * Removes tags matching any of the exclusion patterns (Flux `filterOutTags`). An empty list means
 * the default ({@link DEFAULT_EXCLUSION_LIST}).
 * @throws GoRegexpError when a pattern does not compile.
 */
export function excludeTags(tags: readonly string[], patterns: readonly string[] = []): string[] {
  const res = (patterns.length > 0 ? patterns : DEFAULT_EXCLUSION_LIST).map(compileGoRegexp);
  return tags.filter((tag) => !res.some((re) => re.regex.test(tag)));
}

/** What {@link selectLatestTag} needs from an ImagePolicy spec. */
export interface SelectionSpec {
  policy: PolicyChoice;
  filterTags?: { pattern?: string; extract?: string } | undefined;
}

/**
 * Applies `filterTags` then the policy to the stored tags and returns the original tag of the
 * winner. Throws {@link InvalidPolicyError} (stall), {@link NoMatchingTagError} or a
 * `TagParseError` (retry), never anything untyped for bad input.
 */
export function selectLatestTag(spec: SelectionSpec, tags: readonly string[]): string {
  const policer = policerFromSpec(spec.policy);
  if (!spec.filterTags) return policer.latest(tags);
  const filter = new TagFilter(spec.filterTags.pattern ?? '', spec.filterTags.extract ?? '');
  const filtered = filter.apply(tags);
  const latest = policer.latest([...filtered.keys()]);
  const original = filtered.get(latest);
  if (original === undefined) throw new NoMatchingTagError(`no tag matches filter for '${latest}'`);
  return original;
}
