// SPDX-License-Identifier: Apache-2.0
/** Event shapes: Kubernetes `events.k8s.io/v1` Events and Flux's webhook event (`event.toolkit.fluxcd.io`). */

/** Event types. `Trace` is Flux's: recorded as a Normal Kubernetes event, never forwarded. */
export type EventType = 'Normal' | 'Warning' | 'Trace';

/** Flux event severities. */
export type EventSeverity = 'trace' | 'info' | 'error';

/** The API group of Flux events; object annotations under it are copied into event metadata. */
export const EVENT_GROUP = 'event.toolkit.fluxcd.io';

/** Flux's event metadata keys (`apis/event/v1beta1/metadata.go`), used as `<group>/<key>`. */
export const EventMetaKey = {
  Revision: 'revision',
  OriginRevision: 'originRevision',
  Digest: 'digest',
  Token: 'token',
  CommitStatus: 'commit_status',
} as const;

/** A `corev1.ObjectReference` as JSON. */
export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

/** The object an event is about: anything with apiVersion, kind and metadata. */
export interface EventSubject {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string; uid?: string; resourceVersion?: string; annotations?: Record<string, string> };
}

/** Options of one event. */
export interface EventOptions {
  /** What was done or failed (`events.k8s.io/v1` requires one). @default the reason */
  action?: string;
  /** Event metadata, e.g. `{ 'source.toolkit.fluxcd.io/revision': 'main@sha1:…' }` (see {@link eventMetadata}). */
  annotations?: Record<string, string>;
  /** A secondary object. */
  related?: ObjectReference;
}

/** The JSON Flux controllers POST to `--events-addr` (`eventv1beta1.Event`). */
export interface FluxEvent {
  involvedObject: ObjectReference;
  severity: EventSeverity;
  /** RFC 3339, second precision. */
  timestamp: string;
  message: string;
  reason: string;
  metadata?: Record<string, string>;
  reportingController: string;
  reportingInstance?: string;
}

/** Where the recorder reports its own failures (a winston Logger fits). */
export interface EventLogger {
  error(message: string, meta?: Record<string, unknown>): void;
  debug?(message: string, meta?: Record<string, unknown>): void;
}

/** The severity of an event type (Flux's `eventTypeToSeverity`). */
export function severityOf(type: EventType): EventSeverity {
  if (type === 'Warning') return 'error';
  return type === 'Trace' ? 'trace' : 'info';
}

/** A reference to `obj`, as client-go's `reference.GetReference` builds it. */
export function referenceOf(obj: EventSubject): ObjectReference {
  const ref: ObjectReference = { kind: obj.kind };
  const m = obj.metadata;
  if (m.namespace) ref.namespace = m.namespace;
  if (m.name) ref.name = m.name;
  if (m.uid) ref.uid = m.uid;
  ref.apiVersion = obj.apiVersion;
  if (m.resourceVersion) ref.resourceVersion = m.resourceVersion;
  return ref;
}

/**
 * Event metadata keyed `<group>/<key>` as Flux controllers send it, e.g.
 * `eventMetadata('source.toolkit.fluxcd.io', { revision: 'main@sha1:…', digest: 'sha256:…' })`.
 * Empty values are left out.
 */
export function eventMetadata(
  group: string,
  values: Partial<Record<'revision' | 'originRevision' | 'digest' | 'token', string>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) if (v) out[`${group}/${k}`] = v;
  return out;
}
