// SPDX-License-Identifier: Apache-2.0
/**
 * The rules that apply to every kind (cli-utils `generic.go`), checked before the built-in kinds'
 * rules, and the Ready-condition rule of Flux's cli-utils fork, checked after them.
 */
import { conditionsOf, failed, inProgress, nestedInt, stringField, type Json, type KStatusResult } from './types.ts';

/**
 * deletionTimestamp → Terminating; a set `status.observedGeneration` different from the generation →
 * InProgress; Reconciling=True → InProgress; Stalled=True → Failed; otherwise no decision.
 */
export function checkGeneric(obj: Json): KStatusResult | undefined {
  if (stringField(obj, '.metadata.deletionTimestamp', '') !== '') {
    return { status: 'Terminating', message: 'Resource scheduled for deletion', conditions: [] };
  }
  const generation = nestedInt(obj, '.metadata.generation');
  if (generation !== undefined) {
    const observed = nestedInt(obj, '.status.observedGeneration');
    if (observed !== undefined && observed !== generation) {
      const kind = stringField(obj, '.kind', '');
      return inProgress('LatestGenerationNotObserved', `${kind} generation is ${generation}, but latest observed generation is ${observed}`);
    }
  }
  for (const c of conditionsOf(obj)) {
    if (c.type === 'Reconciling' && c.status === 'True') {
      return inProgress(c.reason ?? '', c.message ?? '');
    }
    if (c.type === 'Stalled' && c.status === 'True') return failed(c.reason ?? '', c.message ?? '');
  }
  return undefined;
}

/**
 * Flux fork (`fluxcd/cli-utils`): for kinds without built-in rules, a Ready condition that is not
 * True means InProgress with its reason and message.
 */
export function checkReadyCondition(obj: Json): KStatusResult | undefined {
  const ready = conditionsOf(obj).find((c) => c.type === 'Ready');
  if (ready === undefined || ready.status === 'True') return undefined;
  return inProgress(ready.reason ?? '', ready.message ?? '');
}

/** InProgress unless both `metadata.generation` and `status.observedGeneration` are set (DaemonSet rule). */
export function checkGenerationSet(obj: Json): KStatusResult | undefined {
  const kind = stringField(obj, '.kind', '');
  if (nestedInt(obj, '.metadata.generation') === undefined) return inProgress('NoGeneration', `${kind} metadata.generation not found`);
  if (nestedInt(obj, '.status.observedGeneration') === undefined) {
    return inProgress('NoObservedGeneration', `${kind} status.observedGeneration not found`);
  }
  return undefined;
}
