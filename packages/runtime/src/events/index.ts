// SPDX-License-Identifier: Apache-2.0
/**
 * Events, as Flux controllers emit them (`fluxcd/pkg/runtime/events`): Kubernetes
 * `events.k8s.io/v1` Events (deduplicated into series, rate-limited) plus Flux's webhook events to
 * notification-controller.
 *
 * ```ts
 * const recorder = new EventRecorder({ reportingController: 'source-controller', client, webhook: flags.eventsAddr, clock, log });
 * recorder.event(obj, 'Normal', 'NewArtifact', 'stored artifact for commit …',
 *   { annotations: eventMetadata('source.toolkit.fluxcd.io', { revision, digest }) });
 * ```
 *
 * @packageDocumentation
 */
export * from './types.ts';
export * from './recorder.ts';
export { KubeEventSink, NOTE_LIMIT_BYTES, microTime, type KubeEventInput, type KubeEventSinkOptions } from './kube-sink.ts';
export { WebhookForwarder, type WebhookForwarderOptions } from './webhook.ts';
export { SpamFilter, type SpamFilterOptions } from './spam-filter.ts';
export { BoundedWorkQueue } from './work-queue.ts';
export { notifyReadiness, type ReadinessEventSink } from './readiness.ts';
