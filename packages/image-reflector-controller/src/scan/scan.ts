// SPDX-License-Identifier: Apache-2.0
/**
 * One ImageRepository scan (Flux `ImageRepositoryReconciler.scan` and `shouldScan`):
 * list the tags (following `Link` pagination, done by the OCI client), drop those matching the
 * exclusion list, sort descending by byte order, store them, and report
 * `status.lastScanResult{revision, tagCount, scanTime, latestTags}` where `latestTags` are the
 * first 10 of the sorted list.
 */
import { excludeTags } from '../policy/filter.ts';
import type { RepoKey, TagStore } from '../store/tag-store.ts';
import type { ImageRepositoryRef } from './image-ref.ts';

/** How many tags `status.lastScanResult.latestTags` holds. */
export const LATEST_TAGS_COUNT = 10;

/** The exclusion list applied when `spec.exclusionList` is empty. */
export const DEFAULT_EXCLUSION: readonly string[] = ['^.*\\.sig$'];

/** Options passed through to the registry client. */
export interface ListTagsOptions {
  /** Registry credentials (docker-config derived). */
  auth?: { username?: string; password?: string; token?: string } | undefined;
  /** TLS material (`certSecretRef`). */
  tls?: { ca?: string; cert?: string; key?: string } | undefined;
  /** Allow plain HTTP. */
  insecure?: boolean | undefined;
  /** Aborts the listing (timeout, shutdown). */
  signal?: AbortSignal | undefined;
}

/**
 * The part of the OCI client a scan needs (`@eddy/runtime/oci`): list every tag of a
 * repository, following `Link` pagination.
 */
export interface TagLister {
  listTags(repository: string, opts: ListTagsOptions): Promise<string[]>;
}

/** `status.lastScanResult` of an ImageRepository. */
export interface ScanResult {
  revision: string;
  tagCount: number;
  /** RFC 3339 (seconds), as `metav1.Time` serialises. */
  scanTime: string;
  latestTags?: string[];
}

/** The status fields a scan sets. */
export interface ScanOutcome {
  canonicalImageName: string;
  lastScanResult: ScanResult;
  observedExclusionList: string[];
}

/** Inputs of {@link scanRepository}. */
export interface ScanInput {
  lister: TagLister;
  store: TagStore;
  /** The ImageRepository (namespace/name) whose tags are stored. */
  repo: RepoKey;
  image: ImageRepositoryRef;
  /** `spec.exclusionList`; empty means {@link DEFAULT_EXCLUSION}. */
  exclusionList?: readonly string[] | undefined;
  /** Milliseconds since the epoch (from the injected clock). */
  now: number;
  listOptions?: Omit<ListTagsOptions, 'insecure'>;
}

/** Formats epoch milliseconds like `metav1.Time` (RFC 3339, second precision, UTC). */
export function formatMetaTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** `spec.exclusionList` with Flux's default. */
export function effectiveExclusionList(list: readonly string[] | undefined): string[] {
  return list && list.length > 0 ? [...list] : [...DEFAULT_EXCLUSION];
}

/** Sorts tags in place, descending byte order (Go `-strings.Compare`), and returns them. */
export function sortTagsDescending(tags: string[]): string[] {
  return tags.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
}

/**
 * Scans a repository and stores its tags. Registry and exclusion-pattern errors propagate: the
 * caller maps them to `ReadOperationFailed` / `AuthenticationFailed`.
 */
export async function scanRepository(input: ScanInput): Promise<ScanOutcome> {
  const listed = await input.lister.listTags(input.image.canonicalName, { ...input.listOptions, insecure: input.image.insecure });
  const exclusion = effectiveExclusionList(input.exclusionList);
  const tags = sortTagsDescending(excludeTags(listed, exclusion));
  const revision = await input.store.setTags(input.repo, tags);
  const latest = tags.slice(0, LATEST_TAGS_COUNT);
  const lastScanResult: ScanResult = { revision, tagCount: tags.length, scanTime: formatMetaTime(input.now) };
  if (latest.length > 0) lastScanResult.latestTags = latest;
  return { canonicalImageName: input.image.canonicalName, lastScanResult, observedExclusionList: exclusion };
}

/** Why a scan runs now (Flux's messages, used in `Reconciling` "scanning: <reason>"). */
export type ScanReason =
  | 'first scan'
  | 'reconcile requested'
  | 'new image name'
  | 'updated exclusion list'
  | 'no tags in database'
  | 'triggered by interval';

/** What {@link shouldScan} reads from the ImageRepository. */
export interface ScanState {
  canonicalImageName: string;
  intervalMs: number;
  exclusionList?: readonly string[] | undefined;
  status: {
    canonicalImageName?: string | undefined;
    lastScanResult?: { scanTime: string } | undefined;
    observedExclusionList?: readonly string[] | undefined;
    lastHandledReconcileAt?: string | undefined;
  };
  /** Value of `reconcile.fluxcd.io/requestedAt`, if any. */
  requestedAt?: string | undefined;
  /** Number of tags currently stored for the repository. */
  storedTagCount: number;
}

function sameContent(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/**
 * Decides whether to scan now, in Flux's order of reasons; otherwise returns how long until the
 * interval elapses (a scan is due when less than one second remains).
 */
export function shouldScan(s: ScanState, now: number): { scan: true; reason: ScanReason } | { scan: false; nextInMs: number } {
  const last = s.status.lastScanResult;
  if (!last) return { scan: true, reason: 'first scan' };
  if (s.requestedAt !== undefined && s.requestedAt !== s.status.lastHandledReconcileAt) return { scan: true, reason: 'reconcile requested' };
  if (s.canonicalImageName !== s.status.canonicalImageName) return { scan: true, reason: 'new image name' };
  if (!sameContent(effectiveExclusionList(s.exclusionList), s.status.observedExclusionList ?? [])) {
    return { scan: true, reason: 'updated exclusion list' };
  }
  if (s.storedTagCount === 0) return { scan: true, reason: 'no tags in database' };
  const when = s.intervalMs - (now - Date.parse(last.scanTime));
  if (when < 1000) return { scan: true, reason: 'triggered by interval' };
  return { scan: false, nextInMs: when };
}
