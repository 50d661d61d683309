// SPDX-License-Identifier: Apache-2.0
/**
 * Receiver (notification.toolkit.fluxcd.io/v1): an incoming webhook at
 * `/hook/<sha256(token+name+namespace)>` that requests reconciliation of the listed objects.
 */
import { createHash } from 'node:crypto';
import { array, boolean, duration, object, string } from '../../schema/builders.ts';
import type { Infer } from '../../schema/schema.ts';
import { defineKind } from '../../crd/define-kind.ts';
import { AGE_COLUMN, READY_COLUMN, STATUS_COLUMN } from '../../crd/columns.ts';
import { LocalObjectReference } from '../../meta/references.ts';
import { STATUS_DEFAULT, observedShape, reconcileRequestStatusShape } from '../../meta/status.ts';
import type { TypedObject } from '../../meta/object-meta.ts';
import { ConditionType, Reason } from '../../conditions/index.ts';
import { NOTIFICATION_GROUP, NotificationReason, crossNamespaceObjectReferenceShape } from '../common.ts';

/** `notification.toolkit.fluxcd.io/v1`. */
export const NOTIFICATION_V1_API_VERSION = 'notification.toolkit.fluxcd.io/v1';

/** Webhook sender types. */
export const RECEIVER_TYPES = [
  'generic',
  'generic-hmac',
  'generic-oidc',
  'github',
  'gitlab',
  'bitbucket',
  'harbor',
  'dockerhub',
  'quay',
  'gcr',
  'nexus',
  'acr',
  'cdevents',
] as const;

/** Path prefix of receiver webhooks. */
export const RECEIVER_WEBHOOK_PREFIX = '/hook/';

/** Audience expected in generic-oidc tokens when none is configured. */
export const DEFAULT_OIDC_AUDIENCE = 'notification-controller';

/** An object (or set of objects) to reconcile when the webhook fires. */
export const ReceiverResource = object(
  {
    ...crossNamespaceObjectReferenceShape,
    filter: string({ description: 'CEL expression over res and req (and claims for generic-oidc); the object is skipped when false.' }).optional(),
  },
  { description: 'Objects to reconcile when the webhook is called.' },
);

/** An OIDC issuer accepted by a generic-oidc Receiver. */
export const OIDCProvider = object(
  {
    issuerURL: string({ pattern: '^https?://', description: 'Issuer URL; must equal the iss claim of the tokens.' }),
    audience: string({ description: 'Expected aud claim; notification-controller when empty.' }).optional(),
    variables: array(
      object(
        { name: string({ description: 'Variable name (a CEL identifier).' }), expression: string({ description: 'CEL expression over claims and earlier variables.' }) },
        { description: 'A named CEL expression, available as vars.<name>.' },
      ),
      { description: 'Named CEL expressions evaluated in order.' },
    ).optional(),
    validations: array(
      object(
        { expression: string({ description: 'CEL expression that must be true.' }), message: string({ description: 'Returned to the caller when false.' }) },
        { description: 'A CEL check on the token claims.' },
      ),
      { minItems: 1, description: 'Checks that must all pass; at least one is required, constraining the caller identity.' },
    ),
  },
  { description: 'An OIDC issuer whose tokens authenticate webhook calls.' },
);

/** Spec of a Receiver. */
export const ReceiverSpec = object({
  type: string({ enum: RECEIVER_TYPES, description: 'Webhook sender; decides how requests are validated and parsed.' }),
  interval: duration({ description: 'How often the Receiver is reconciled with its Secret.' }).default('10m'),
  events: array(string(), { description: "Event types to handle, e.g. 'push' (GitHub) or 'Push Hook' (GitLab)." }).optional(),
  resources: array(ReceiverResource, { description: 'Objects to reconcile when the webhook is called.' }),
  resourceFilter: string({ description: 'CEL expression over res and req applied to every resource; skipped when false.' }).optional(),
  secretRef: LocalObjectReference.describe('Secret with the token (key token); required unless type is generic-oidc, forbidden for it.').optional(),
  oidcProviders: array(OIDCProvider, {
    listType: 'map',
    listMapKeys: ['issuerURL'],
    description: 'OIDC issuers for type generic-oidc.',
  }).optional(),
  suspend: boolean('Stops handling webhook calls while true.').optional(),
})
  .rule(
    "self.type != 'generic-oidc' || (has(self.oidcProviders) && size(self.oidcProviders) > 0)",
    'generic-oidc receivers must define at least one oidcProvider',
  )
  .rule("self.type == 'generic-oidc' || !has(self.oidcProviders) || size(self.oidcProviders) == 0", 'oidcProviders can only be set when type is generic-oidc')
  .rule("self.type != 'generic-oidc' || !has(self.secretRef)", 'secretRef cannot be set when type is generic-oidc')
  .rule("self.type == 'generic-oidc' || has(self.secretRef)", 'secretRef is required when type is not generic-oidc');
/** Spec of a Receiver. */
export type ReceiverSpec = Infer<typeof ReceiverSpec>;

/** Status of a Receiver. */
export const ReceiverStatus = object({
  ...reconcileRequestStatusShape,
  ...observedShape,
  webhookPath: string({ description: 'The webhook path: /hook/<sha256 of token, name and namespace>.' }).optional(),
});
/** Status of a Receiver. */
export type ReceiverStatus = Infer<typeof ReceiverStatus>;

/** A Receiver object. */
export type Receiver = TypedObject<typeof NOTIFICATION_V1_API_VERSION, 'Receiver', ReceiverSpec, ReceiverStatus>;

/** The webhook path of a receiver: `/hook/` + hex SHA-256 of token, name and namespace concatenated. */
export function receiverWebhookPath(token: string, name: string, namespace: string): string {
  return RECEIVER_WEBHOOK_PREFIX + createHash('sha256').update(token + name + namespace).digest('hex');
}

/** The Receiver kind. */
export const ReceiverKind = defineKind({
  group: NOTIFICATION_GROUP,
  version: 'v1',
  apiVersion: NOTIFICATION_V1_API_VERSION,
  kind: 'Receiver',
  plural: 'receivers',
  categories: ['all', 'fluxcd', 'fluxcd-notifications'],
  controller: 'notification-controller',
  description: 'An incoming webhook that requests reconciliation of Flux objects.',
  spec: ReceiverSpec,
  status: ReceiverStatus,
  statusDefault: STATUS_DEFAULT,
  printerColumns: [AGE_COLUMN, READY_COLUMN, STATUS_COLUMN],
  conditions: [{ type: ConditionType.Ready, description: 'True once the webhook path is generated from the token.' }],
  reasons: [Reason.Succeeded, Reason.Progressing, NotificationReason.Initialized, NotificationReason.ValidationFailed, NotificationReason.TokenNotFound],
  docs: {
    example: {
      apiVersion: NOTIFICATION_V1_API_VERSION,
      kind: 'Receiver',
      metadata: { name: 'github-receiver', namespace: 'default' },
      spec: {
        type: 'github',
        events: ['ping', 'push'],
        secretRef: { name: 'receiver-token' },
        resources: [{ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', name: 'podinfo' }],
      },
    } satisfies Receiver,
  },
});
