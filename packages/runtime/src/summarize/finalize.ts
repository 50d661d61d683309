// SPDX-License-Identifier: Apache-2.0
/**
 * kustomize-controller's end-of-reconcile status finalisation (`finalizeStatus`), for reconcilers
 * that set Ready themselves instead of summarising, and an event processor for typed errors.
 */
import type { Clock } from '../clock/index.ts';
import type { KubeObject } from '../client/types.ts';
import { get, has, isFalse, isTrue } from '../conditions/getter.ts';
import { remove, set } from '../conditions/setter.ts';
import { ConditionType, Reason, type ObjectWithConditions } from '../conditions/types.ts';
import { ReconcileError } from '../reconcile/contract.ts';
import { recordReconcileRequest, type ResultProcessor } from './summarize.ts';

/**
 * Records the handled reconcile request; when Ready=True deletes Reconciling and sets
 * `status.observedGeneration = metadata.generation`; when Ready=False and Reconciling is present
 * gives Reconciling the reason ProgressingWithRetry. Mutates `obj`; the caller patches.
 */
export function finalizeStatus(obj: ObjectWithConditions, clock?: Clock): void {
  recordReconcileRequest(obj, undefined, undefined);
  if (isTrue(obj, ConditionType.Ready)) {
    remove(obj, ConditionType.Reconciling);
    obj.status ??= {};
    obj.status.observedGeneration = obj.metadata.generation ?? 0;
  }
  if (isFalse(obj, ConditionType.Ready) && has(obj, ConditionType.Reconciling)) {
    const rc = get(obj, ConditionType.Reconciling)!;
    set(obj, { ...rc, reason: Reason.ProgressingWithRetry }, clock);
  }
}

/** The part of an event recorder the error processor needs. */
export interface ErrorEventSink {
  event(obj: KubeObject, type: 'Normal' | 'Warning' | 'Trace', reason: string, message: string): void;
}

/**
 * A {@link ResultProcessor} recording an event for typed reconcile errors, as source-controller's
 * `ErrorActionHandler`: stalling and transient errors → Warning (also notified); waiting errors →
 * Trace (a Normal Kubernetes event, not notified). Untyped errors and `event: false` record nothing.
 */
export function errorEventProcessor(sink: ErrorEventSink): ResultProcessor {
  return (obj, _result, error) => {
    if (!ReconcileError.is(error) || !error.event) return;
    const type = error.intent === 'waiting' ? 'Trace' : 'Warning';
    sink.event(obj as unknown as KubeObject, type, error.reason ?? Reason.Failed, error.message);
  };
}
