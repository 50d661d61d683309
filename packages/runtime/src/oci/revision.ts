// SPDX-License-Identifier: Apache-2.0
/**
 * OCIRepository revisions and tag selection as Flux writes them
 * (source-controller `ocirepository_controller.go`): `<tag>@sha256:<hex>` for a tag or semver
 * reference, `sha256:<hex>` for a digest reference; `semver` picks the highest matching tag
 * (Masterminds semantics, optionally pre-filtered by the `semverFilter` regular expression).
 */
import { selectSemver } from '../git/semver.ts';

/** The artifact revision for a manifest digest fetched through `tag` (or by digest). */
export function ociRevision(tag: string | undefined, digest: string): string {
  return tag ? `${tag}@${digest}` : digest;
}

/**
 * The highest tag matching the semver `range`, after keeping only tags matching `filter`
 * (a regular expression, as Go RE2 syntax allows); undefined when none matches.
 */
export function selectTagBySemver(tags: readonly string[], range: string, filter?: string): string | undefined {
  const re = filter ? new RegExp(filter) : undefined;
  const candidates = tags.filter((t) => !re || re.test(t)).map((name) => ({ name }));
  return selectSemver(candidates, range)?.name;
}
