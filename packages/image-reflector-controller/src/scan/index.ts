// SPDX-License-Identifier: Apache-2.0
/**
 * ImageRepository scanning: image reference parsing, the scan itself and the decision of when to
 * scan (Flux `ImageRepositoryReconciler.scan`/`shouldScan`).
 * @packageDocumentation
 */
export { DEFAULT_REGISTRY, ImageUrlInvalidError, defaultsToHttp, parseImageRepository } from './image-ref.ts';
export type { ImageRepositoryRef } from './image-ref.ts';
export {
  DEFAULT_EXCLUSION,
  LATEST_TAGS_COUNT,
  effectiveExclusionList,
  formatMetaTime,
  scanRepository,
  shouldScan,
  sortTagsDescending,
} from './scan.ts';
export type { ListTagsOptions, ScanInput, ScanOutcome, ScanReason, ScanResult, ScanState, TagLister } from './scan.ts';
