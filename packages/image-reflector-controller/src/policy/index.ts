// SPDX-License-Identifier: Apache-2.0
/**
 * Tag selection for `ImagePolicy` (Flux `internal/policy`): semver, alphabetical and numerical
 * policies, `filterTags` with Go regular expressions, and the ImageRepository exclusion list.
 * @packageDocumentation
 */
export { DEFAULT_EXCLUSION_LIST, TagFilter, excludeTags, selectLatestTag } from './filter.ts';
export type { SelectionSpec } from './filter.ts';
export { GoRegexpError, compileGoRegexp, expandGoTemplate, goMatch } from './go-regexp.ts';
export type { GoRegexp } from './go-regexp.ts';
export { parseGoFloat } from './go-float.ts';
export {
  AlphabeticalPolicy,
  InvalidPolicyError,
  NoMatchingTagError,
  NumericalPolicy,
  SemverPolicy,
  TagParseError,
  policerFromSpec,
} from './policies.ts';
export type { Order, Policer, PolicyChoice } from './policies.ts';
export { InvalidRangeError, SemverRange, compareVersions, parseLoose, parseStrict, parseTag } from './semver.ts';
export type { Version } from './semver.ts';
