// SPDX-License-Identifier: Apache-2.0
/**
 * Flux's end-of-run `notify` for kinds whose events follow Ready: announce becoming ready (or a new
 * Ready message), warn while not ready, and otherwise leave only a Trace.
 */
import { get, isReady } from '../conditions/getter.ts';
import type { ObjectWithConditions } from '../conditions/types.ts';
import type { EventOptions, EventSubject, EventType } from './types.ts';

/** The part of an event recorder {@link notifyReadiness} needs ({@link EventRecorder} fits). */
export interface ReadinessEventSink {
  event(obj: EventSubject, type: EventType, reason: string, message: string, opts?: EventOptions): void;
}

/**
 * Records the run's event from Ready before and after it: Normal with Ready's reason and message
 * when the object became ready or its Ready message changed, Warning with them while not ready,
 * otherwise a Trace `Succeeded` with `traceMessage`. Nothing without a sink or a Ready condition.
 * `annotations` (e.g. the revision) go with every event when not empty.
 */
export function notifyReadiness(
  events: ReadinessEventSink | undefined,
  before: ObjectWithConditions,
  after: EventSubject & ObjectWithConditions,
  traceMessage: string,
  annotations: Record<string, string> = {},
): void {
  const ready = get(after, 'Ready');
  if (!events || !ready) return;
  const opts = Object.keys(annotations).length > 0 ? { annotations } : {};
  if (isReady(after)) {
    if (!isReady(before) || get(before, 'Ready')?.message !== ready.message) events.event(after, 'Normal', ready.reason, ready.message, opts);
    else events.event(after, 'Trace', 'Succeeded', traceMessage, opts);
    return;
  }
  events.event(after, 'Warning', ready.reason, ready.message, opts);
}
