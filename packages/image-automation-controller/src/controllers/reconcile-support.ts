// SPDX-License-Identifier: Apache-2.0
/**
 * What the ImageUpdateAutomation reconciler declares beyond `@eddy/runtime`'s reconcile skeleton:
 * its conditions as data, its Ready message and the object shape it handles.
 *
 * The kind owns `Ready`, `Reconciling` and `Stalled` only. Ready is set by the steps (Succeeded
 * "repository up-to-date", or False with the failure's reason), so the summary lists no condition
 * to derive it from ({@link STEP_READY_CONDITIONS}).
 */
import type { SkeletonObject } from '@eddy/runtime/reconcile';
import type { ConditionsSpec } from '@eddy/runtime/summarize';
import { STEP_READY_CONDITIONS } from '@eddy/runtime/summarize';

/** The conditions the reconciler owns; Ready is set by the steps. */
export const AUTOMATION_READY_CONDITIONS: ConditionsSpec = STEP_READY_CONDITIONS;

/** Negative-polarity conditions of ImageUpdateAutomation (for the conformance checker). */
export const AUTOMATION_NEGATIVE_POLARITY: readonly string[] = AUTOMATION_READY_CONDITIONS.negativePolarity;

/** Flux's Ready message after a successful run, with or without a push. */
export const READY_MESSAGE = 'repository up-to-date';

/** An object with conditions and a status. */
export type ConditionedObject = SkeletonObject;
