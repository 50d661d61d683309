// SPDX-License-Identifier: Apache-2.0
/**
 * The `Setters` update strategy: markers, the values they set, text-preserving application to
 * YAML files, and the Flux-shaped result used as commit template data.
 * @packageDocumentation
 */
export { applySettersToText } from './apply-text.ts';
export type { TextChange, TextUpdate, UnresolvedMarker } from './apply-text.ts';
export {
  InvalidImageRefError,
  SETTER_TOKEN,
  imageRefString,
  parseMarker,
  policyOfSetter,
  setterDefinitions,
} from './markers.ts';
export type { ImageRef, PolicyLike, SetterDef } from './markers.ts';
export { UpdateResult, compareObjectIds, objectKey } from './result.ts';
export type { Change, ChangeLocation, LocatedChange, ObjectChanges, ObjectIdentifier } from './result.ts';
export { updateWithSetters } from './update-files.ts';
export type { SettersOutcome } from './update-files.ts';
