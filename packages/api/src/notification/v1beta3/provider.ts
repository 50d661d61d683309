// SPDX-License-Identifier: Apache-2.0
/** Provider (notification.toolkit.fluxcd.io/v1beta3): where and how Alerts deliver events. No status. */
import { boolean, duration, object, string } from '../../schema/builders.ts';
import type { Infer } from '../../schema/schema.ts';
import { defineKind } from '../../crd/define-kind.ts';
import { AGE_COLUMN } from '../../crd/columns.ts';
import { LocalObjectReference } from '../../meta/references.ts';
import type { TypedObject } from '../../meta/object-meta.ts';
import { NOTIFICATION_GROUP } from '../common.ts';
import { NOTIFICATION_V1BETA3_API_VERSION } from './alert.ts';

/** Provider implementations. */
export const PROVIDER_TYPES = [
  'slack',
  'discord',
  'msteams',
  'rocket',
  'generic',
  'generic-hmac',
  'github',
  'gitlab',
  'gitea',
  'bitbucketserver',
  'bitbucket',
  'azuredevops',
  'googlechat',
  'googlepubsub',
  'webex',
  'sentry',
  'azureeventhub',
  'telegram',
  'lark',
  'matrix',
  'opsgenie',
  'alertmanager',
  'grafana',
  'githubdispatch',
  'githubpullrequestcomment',
  'pagerduty',
  'datadog',
  'nats',
  'zulip',
  'otel',
] as const;

/** Provider types that post commit statuses (and accept `commitStatusExpr`). */
export const COMMIT_STATUS_PROVIDER_TYPES = ['github', 'gitlab', 'gitea', 'bitbucketserver', 'bitbucket', 'azuredevops'] as const;

/** Timeout of deliveries when `spec.timeout` is empty. */
export const DEFAULT_PROVIDER_TIMEOUT = '15s';

/** Spec of a Provider. */
export const ProviderSpec = object({
  type: string({ enum: PROVIDER_TYPES, description: 'Provider implementation.' }),
  interval: duration({ description: 'Deprecated and unused in v1beta3.' }).optional(),
  channel: string({ maxLength: 2048, description: 'Destination channel of the events.' }).optional(),
  username: string({ maxLength: 2048, description: 'Name events are posted under.' }).optional(),
  address: string({ maxLength: 2048, description: 'Endpoint events are sent to; its meaning depends on the type (URL, project, namespace).' }).optional(),
  timeout: duration({ hours: false, description: 'Timeout of a delivery; 15s when empty.' }).optional(),
  proxy: string({ pattern: '^(http|https)://.*$', maxLength: 2048, description: 'Deprecated: HTTP(S) proxy address; use proxySecretRef.' }).optional(),
  proxySecretRef: LocalObjectReference.describe('Secret with the proxy address (key address) and optional username and password.').optional(),
  secretRef: LocalObjectReference.describe('Secret with the credentials of the provider.').optional(),
  serviceAccountName: string({
    description: 'ServiceAccount whose workload identity authenticates to cloud providers (azureeventhub, azuredevops, googlepubsub).',
  }).optional(),
  certSecretRef: LocalObjectReference.describe('Secret with TLS material: ca.crt, and tls.crt plus tls.key for mutual TLS.').optional(),
  suspend: boolean('Stops deliveries while true.').optional(),
  commitStatusExpr: string({ description: 'CEL expression (event, provider, alert) computing the commit status; commit-status providers only.' }).optional(),
}).rule(
  `${COMMIT_STATUS_PROVIDER_TYPES.map((t) => `self.type == '${t}'`).join(' || ')} || !has(self.commitStatusExpr)`,
  "spec.commitStatusExpr is only supported for the 'github', 'gitlab', 'gitea', 'bitbucketserver', 'bitbucket', 'azuredevops' provider types",
);
/** Spec of a Provider. */
export type ProviderSpec = Infer<typeof ProviderSpec>;

/** A Provider object. */
export type Provider = TypedObject<typeof NOTIFICATION_V1BETA3_API_VERSION, 'Provider', ProviderSpec>;

/** The Provider kind. */
export const ProviderKind = defineKind({
  group: NOTIFICATION_GROUP,
  version: 'v1beta3',
  apiVersion: NOTIFICATION_V1BETA3_API_VERSION,
  kind: 'Provider',
  plural: 'providers',
  controller: 'notification-controller',
  description: 'A destination of alerts: a chat, an incident tool, a Git forge commit status, a webhook. Static: it has no status.',
  spec: ProviderSpec,
  printerColumns: [AGE_COLUMN],
  docs: {
    example: {
      apiVersion: NOTIFICATION_V1BETA3_API_VERSION,
      kind: 'Provider',
      metadata: { name: 'slack', namespace: 'flux-system' },
      spec: { type: 'slack', channel: 'general', address: 'https://slack.com/api/chat.postMessage', secretRef: { name: 'slack-bot-token' } },
    } satisfies Provider,
  },
});
