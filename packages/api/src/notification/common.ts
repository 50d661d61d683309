// SPDX-License-Identifier: Apache-2.0
/** Shared pieces of notification.toolkit.fluxcd.io: group constants, object references, reasons. */
import { map, object, string } from '../schema/builders.ts';
import type { Infer } from '../schema/schema.ts';

/** API group of the notification kinds. */
export const NOTIFICATION_GROUP = 'notification.toolkit.fluxcd.io';

/** Kinds Alerts and Receivers can reference. */
export const NOTIFICATION_OBJECT_KINDS = [
  'Bucket',
  'GitRepository',
  'Kustomization',
  'HelmRelease',
  'HelmChart',
  'HelmRepository',
  'ImageRepository',
  'ImagePolicy',
  'ImageUpdateAutomation',
  'OCIRepository',
] as const;

/** notification-controller reasons. */
export const NotificationReason = {
  Initialized: 'Initialized',
  ValidationFailed: 'ValidationFailed',
  TokenNotFound: 'TokenNotFound',
  Migration: 'Migration',
  InvalidConfig: 'InvalidConfig',
  NotificationDispatchFailed: 'NotificationDispatchFailed',
  SourceFetchFailed: 'SourceFetchFailed',
  MetadataAppendFailed: 'MetadataAppendFailed',
} as const;

/** Fields of a cross-namespace object reference, spread into Receiver resources. */
export const crossNamespaceObjectReferenceShape = {
  apiVersion: string({ description: 'API version of the object.' }).optional(),
  kind: string({ enum: NOTIFICATION_OBJECT_KINDS, description: 'Kind of the object.' }),
  name: string({ minLength: 1, maxLength: 53, description: 'Name of the object, or * for every object (then matchLabels may narrow).' }),
  namespace: string({ minLength: 1, maxLength: 53, description: 'Namespace of the object; the namespace of the referrer when empty.' }).optional(),
  matchLabels: map(string(), 'Labels the objects must carry; only with name *.').optional(),
};

/** A Flux object (or all of one kind, with name `*`) in any namespace. */
export const CrossNamespaceObjectReference = object(crossNamespaceObjectReferenceShape, {
  description: 'Flux objects of one kind: one by name, or all (name *) optionally filtered by labels.',
});
/** A Flux object reference. */
export type CrossNamespaceObjectReference = Infer<typeof CrossNamespaceObjectReference>;
