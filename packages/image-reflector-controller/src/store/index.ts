// SPDX-License-Identifier: Apache-2.0
/**
 * Bounded, file-backed storage of scanned tags (one file per ImageRepository).
 * @packageDocumentation
 */
export { ByteLru } from './lru.ts';
export { InvalidTagStoreInputError, TagStore, revisionOf, serializeTags } from './tag-store.ts';
export type { RepoKey, TagStoreOptions } from './tag-store.ts';
