// SPDX-License-Identifier: Apache-2.0
/**
 * The Artifact every source kind publishes in `status.artifact`: a tarball (or index, or chart)
 * served over HTTP by the source controller, identified by revision and digest.
 */
import { dateTime, integer, map, object, string } from '../schema/builders.ts';
import type { Infer } from '../schema/schema.ts';
import { DIGEST_PATTERN } from '../helpers/digest.ts';

/** Schema of `status.artifact`. */
export const Artifact = object(
  {
    path: string({
      description: 'Path of the file relative to the storage root of the source controller: <kind>/<namespace>/<name>/<file>.',
    }),
    url: string({ description: 'HTTP address consumers download the artifact from.' }),
    revision: string({
      description: 'Human-readable identifier of the content in its origin: a Git commit, an OCI tag and digest, a chart version.',
    }),
    digest: string({
      pattern: DIGEST_PATTERN,
      description: 'Digest of the file, <algorithm>:<hex>, checked by consumers after download.',
    }),
    lastUpdateTime: dateTime('When the artifact was last written.'),
    size: integer({ format: 'int64', description: 'Size of the file in bytes.' }).optional(),
    metadata: map(string(), 'Upstream metadata, for example OCI annotations.').optional(),
  },
  { description: 'A file produced by a source and served to the controllers that consume it.' },
);

/** An artifact published by a source. */
export type Artifact = Infer<typeof Artifact>;

/** The artifact metadata key holding the origin revision (set for OCI and generated artifacts). */
export const ORIGIN_REVISION_ANNOTATION = 'org.opencontainers.image.revision';

/** The artifact metadata key holding the origin source URL. */
export const ORIGIN_SOURCE_ANNOTATION = 'org.opencontainers.image.source';
