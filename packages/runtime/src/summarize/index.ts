// SPDX-License-Identifier: Apache-2.0
/**
 * Conditions as data and the end-of-reconcile summary (source-controller's
 * `internal/reconcile/summarize` and `internal/reconcile`, kustomize-controller's `finalizeStatus`).
 *
 * ```ts
 * const readyConditions: ConditionsSpec = {
 *   target: 'Ready',
 *   owned: ['Ready', 'Reconciling', 'Stalled', 'ArtifactInStorage', 'FetchFailed'],
 *   summarize: ['Stalled', 'FetchFailed', 'ArtifactInStorage', 'Reconciling'],
 *   negativePolarity: ['Stalled', 'FetchFailed', 'Reconciling'],
 * };
 * const { result, error } = await summarizeAndPatch(patcher, obj, readyConditions, {
 *   result: stepResult, reconcileError: err, resultBuilder: alwaysRequeueResultBuilder(intervalMs), clock,
 * });
 * if (error) throw error;
 * return result;
 * ```
 *
 * @packageDocumentation
 */
export * from './result.ts';
export * from './summarize.ts';
export * from './finalize.ts';
export * from './progressive.ts';
