// SPDX-License-Identifier: Apache-2.0
/**
 * What the ImageRepository and ImagePolicy reconcilers share beyond `@eddy/runtime`'s reconcile
 * skeleton: their conditions as data, the object shape they handle and the skeleton's fixed part.
 *
 * Both kinds own `Ready`, `Reconciling` and `Stalled` only. Ready is set by the steps themselves
 * (Succeeded with the kind's message, or False with the failure's reason), so the summary lists
 * no condition to derive it from ({@link STEP_READY_CONDITIONS}).
 */
import type { KubeClient } from '@eddy/runtime/client';
import type { Clock } from '@eddy/runtime/clock';
import type { MetricsRecorder } from '@eddy/runtime/metrics';
import type { ReconcileSkeleton, SkeletonObject } from '@eddy/runtime/reconcile';
import type { ConditionsSpec } from '@eddy/runtime/summarize';
import { STEP_READY_CONDITIONS } from '@eddy/runtime/summarize';

/** The conditions the image reflector reconcilers own; Ready is set by the steps. */
export const IMAGE_READY_CONDITIONS: ConditionsSpec = STEP_READY_CONDITIONS;

/** Negative-polarity conditions of the image kinds (for the conformance checker). */
export const IMAGE_NEGATIVE_POLARITY: readonly string[] = IMAGE_READY_CONDITIONS.negativePolarity;

/** An image object as the reconcilers handle it: any kind with conditions. */
export type ImageObject = SkeletonObject;

/** What both reflector reconcilers take for the skeleton's fixed part. */
export interface ImageSkeletonOptions {
  client: KubeClient;
  metrics?: MetricsRecorder;
  /** Field owner of status patches. @default 'gotk-image-reflector-controller' */
  controllerName?: string;
}

/**
 * The part of a reflector reconciler's {@link ReconcileSkeleton} that does not depend on the kind
 * beyond its `gvk`: the client, the image conditions, the field owner, the clock and the metrics.
 */
export function imageSkeletonBase(
  opts: ImageSkeletonOptions,
  gvk: { readonly apiVersion: string; readonly kind: string },
  clock: Clock,
): Pick<ReconcileSkeleton<ImageObject, unknown>, 'client' | 'gvk' | 'conditions' | 'fieldOwner' | 'clock' | 'metrics'> {
  return {
    client: opts.client,
    gvk,
    conditions: IMAGE_READY_CONDITIONS,
    fieldOwner: opts.controllerName ?? 'gotk-image-reflector-controller',
    clock,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
  };
}
