// SPDX-License-Identifier: Apache-2.0
/**
 * The shapes the conditions helpers work on: `metav1.Condition` as JSON, and any object that carries
 * `metadata.generation` and `status.conditions` (every Flux kind does).
 */
import { RECONCILE_REQUEST_ANNOTATION } from '@eddy/api/annotations';
import type { ConditionStatus } from '@eddy/api/conditions';

/** The status of a condition (`@eddy/api`'s `ConditionStatus`). */
export type { ConditionStatus } from '@eddy/api/conditions';

/**
 * A `metav1.Condition` as the apiserver stores it. `lastTransitionTime` is RFC 3339 without
 * fractional seconds; `observedGeneration` is omitted when zero, as Go's `omitempty` does.
 */
export interface Condition {
  /** CamelCase type, e.g. `Ready`. */
  type: string;
  status: ConditionStatus;
  /** The `metadata.generation` the condition was set for. */
  observedGeneration?: number;
  /** When the status, reason or message last changed, e.g. `2026-01-01T00:00:00Z`. */
  lastTransitionTime: string;
  /** CamelCase reason, e.g. `Succeeded`. */
  reason: string;
  /** Human-readable detail; may be empty. */
  message: string;
}

/** The part of a status the conditions helpers read and write. Other fields pass through. */
export interface StatusWithConditions {
  conditions?: Condition[];
  observedGeneration?: number;
  lastHandledReconcileAt?: string;
  [key: string]: unknown;
}

/**
 * Any object with conditions: the TypeScript counterpart of Flux's `conditions.Getter`/`Setter`.
 * Typed Flux objects (`GitRepository`, `Kustomization`, …) satisfy it structurally; a plain
 * `KubeObject` can be viewed as one with {@link withConditions}.
 */
export interface ObjectWithConditions {
  metadata: {
    name?: string;
    namespace?: string;
    generation?: number;
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
    [key: string]: unknown;
  };
  status?: StatusWithConditions;
}

/**
 * Views any Kubernetes object as an {@link ObjectWithConditions}. The object is not copied:
 * setters called on the result mutate `obj`.
 */
export function withConditions(obj: { metadata: object }): ObjectWithConditions {
  return obj as ObjectWithConditions;
}

/**
 * Flux's generic condition types and reasons (`fluxcd/pkg/apis/meta/conditions.go`). `@eddy/api`
 * owns them; they are re-exported here so that `@eddy/runtime/conditions` keeps offering them
 * beside the helpers.
 */
export { ConditionType, Reason } from '@eddy/api/conditions';

/** `reconcile.fluxcd.io/requestedAt`: any new value asks for a reconcile (`@eddy/api`'s {@link RECONCILE_REQUEST_ANNOTATION}). */
export const ReconcileRequestAnnotation = RECONCILE_REQUEST_ANNOTATION;
