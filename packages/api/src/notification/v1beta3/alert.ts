// SPDX-License-Identifier: Apache-2.0
/** Alert (notification.toolkit.fluxcd.io/v1beta3): forwards events of selected objects to a Provider. No status. */
import { array, boolean, map, object, string } from '../../schema/builders.ts';
import type { Infer } from '../../schema/schema.ts';
import { defineKind } from '../../crd/define-kind.ts';
import { AGE_COLUMN } from '../../crd/columns.ts';
import { LocalObjectReference } from '../../meta/references.ts';
import type { TypedObject } from '../../meta/object-meta.ts';
import { CrossNamespaceObjectReference, NOTIFICATION_GROUP } from '../common.ts';

/** `notification.toolkit.fluxcd.io/v1beta3`. */
export const NOTIFICATION_V1BETA3_API_VERSION = 'notification.toolkit.fluxcd.io/v1beta3';

/** Spec of an Alert. */
export const AlertSpec = object({
  providerRef: LocalObjectReference.describe('The Provider events are sent to.'),
  eventSeverity: string({ enum: ['info', 'error'], description: 'info forwards every event, error only error events.' }).default('info'),
  eventSources: array(CrossNamespaceObjectReference, { description: 'Objects whose events are forwarded.' }),
  inclusionList: array(string(), { description: 'Regular expressions; only events whose message matches one are forwarded.' }).optional(),
  eventMetadata: map(string(), 'Metadata added to forwarded events; existing keys of the event win.').optional(),
  exclusionList: array(string(), { description: 'Regular expressions; events whose message matches one are dropped.' }).optional(),
  summary: string({ maxLength: 255, description: 'Short description of the impact and affected cluster.' }).optional(),
  suspend: boolean('Stops forwarding while true.').optional(),
});
/** Spec of an Alert. */
export type AlertSpec = Infer<typeof AlertSpec>;

/** An Alert object. */
export type Alert = TypedObject<typeof NOTIFICATION_V1BETA3_API_VERSION, 'Alert', AlertSpec>;

/** The Alert kind. */
export const AlertKind = defineKind({
  group: NOTIFICATION_GROUP,
  version: 'v1beta3',
  apiVersion: NOTIFICATION_V1BETA3_API_VERSION,
  kind: 'Alert',
  plural: 'alerts',
  controller: 'notification-controller',
  description: 'Forwards events of selected Flux objects to a Provider. Static: it has no status.',
  spec: AlertSpec,
  printerColumns: [AGE_COLUMN],
  docs: {
    example: {
      apiVersion: NOTIFICATION_V1BETA3_API_VERSION,
      kind: 'Alert',
      metadata: { name: 'on-call', namespace: 'flux-system' },
      spec: {
        providerRef: { name: 'slack' },
        eventSeverity: 'error',
        eventSources: [
          { kind: 'GitRepository', name: '*' },
          { kind: 'Kustomization', name: '*' },
        ],
      },
    } satisfies Alert,
  },
});
