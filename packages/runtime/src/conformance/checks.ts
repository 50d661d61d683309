// SPDX-License-Identifier: Apache-2.0
/**
 * The individual status checks of `fluxcd/pkg/runtime/conditions/check` (`fail.go`, `warn.go`),
 * each returning a message when violated. IDs and messages match Flux's.
 */
import { generationOf, get, has, isReady, isReconciling, isTrue, list } from '../conditions/getter.ts';
import { ConditionType, type ObjectWithConditions } from '../conditions/types.ts';

/** Kind-specific context of the checks. */
export interface ConformanceOptions {
  /** The kind's abnormal-true condition types, in priority order (e.g. `['FetchFailed', 'Stalled', 'Reconciling']`). */
  negativePolarity: readonly string[];
}

/** One check: its Flux ID and a function returning the violation message, if any. */
export interface Check {
  id: string;
  run(obj: ObjectWithConditions, opts: ConformanceOptions): string | undefined;
}

const { Ready, Reconciling, Stalled } = ConditionType;

/** `status.observedGeneration`, or 0 when unset (Go's `NestedInt64`). */
export function statusObservedGeneration(obj: ObjectWithConditions): number {
  const og = obj.status?.observedGeneration;
  return typeof og === 'number' ? og : 0;
}

const typesWhere = (obj: ObjectWithConditions, pred: (c: { type: string; status: string; observedGeneration?: number }) => boolean): string[] =>
  list(obj)
    .filter(pred)
    .map((c) => c.type);

/** FAIL0001: no negative-polarity condition is True while Ready is True. */
export const FAIL0001: Check = {
  id: 'FAIL0001',
  run(obj, opts) {
    if (!isTrue(obj, Ready) || opts.negativePolarity.length === 0) return undefined;
    const bad = typesWhere(obj, (c) => opts.negativePolarity.includes(c.type) && c.status === 'True');
    return bad.length > 0 ? `Negative polarity condition cannot be True when Ready condition is True: [${bad.join(' ')}]` : undefined;
  },
};

/** FAIL0002: Ready is always present. */
export const FAIL0002: Check = {
  id: 'FAIL0002',
  run: (obj) => (has(obj, Ready) ? undefined : 'Ready condition must always be present'),
};

function falseReadyWhen(type: string): Check['run'] {
  return (obj) => {
    const ready = get(obj, Ready);
    const c = get(obj, type);
    if (ready === undefined || c?.status !== 'True' || ready.status === 'False') return undefined;
    return `Ready condition must be False when ${type} condition is True`;
  };
}

/** FAIL0003: Ready is False while Reconciling is True. */
export const FAIL0003: Check = { id: 'FAIL0003', run: falseReadyWhen(Reconciling) };

/** FAIL0004: Ready is False while Stalled is True. */
export const FAIL0004: Check = { id: 'FAIL0004', run: falseReadyWhen(Stalled) };

/** FAIL0005: Reconciling and Stalled are never both present. */
export const FAIL0005: Check = {
  id: 'FAIL0005',
  run: (obj) =>
    has(obj, Reconciling) && has(obj, Stalled) ? 'Only one of Reconciling condition or Stalled condition must be present at a time' : undefined,
};

/** FAIL0006: status.observedGeneration ≤ metadata.generation. */
export const FAIL0006: Check = {
  id: 'FAIL0006',
  run: (obj) =>
    statusObservedGeneration(obj) > generationOf(obj) ? 'The ObservedGeneration must be less than or equal to the object Generation' : undefined,
};

/** FAIL0007: not ready while status.observedGeneration < metadata.generation. */
export const FAIL0007: Check = {
  id: 'FAIL0007',
  run: (obj) =>
    statusObservedGeneration(obj) < generationOf(obj) && isReady(obj)
      ? 'Ready condition must be False when the ObservedGeneration is less than the object Generation'
      : undefined,
};

/** FAIL0008: not ready while any condition's observedGeneration < metadata.generation. */
export const FAIL0008: Check = {
  id: 'FAIL0008',
  run(obj) {
    if (!isReady(obj)) return undefined;
    const bad = typesWhere(obj, (c) => (c.observedGeneration ?? 0) < generationOf(obj));
    return bad.length > 0
      ? `Ready condition must be False when any of the status condition's ObservedGeneration is less than the object Generation: [${bad.join(' ')}]`
      : undefined;
  },
};

/** FAIL0009: when ready, every condition's observedGeneration equals status.observedGeneration. */
export const FAIL0009: Check = {
  id: 'FAIL0009',
  run(obj) {
    if (!isReady(obj)) return undefined;
    const og = statusObservedGeneration(obj);
    const bad = typesWhere(obj, (c) => (c.observedGeneration ?? 0) !== og);
    return bad.length > 0
      ? `The status conditions' ObservedGenerations must be equal to the root ObservedGeneration when Ready condition is True: [${bad.join(' ')}]`
      : undefined;
  },
};

/**
 * FAIL0011 (in-progress checker): a mid-reconcile Ready=Unknown requires Reconciling=True.
 * Eddy's reading of Flux's progressive-status rules (fluxcd/pkg#422); the Go source was not available.
 */
export const FAIL0011: Check = {
  id: 'FAIL0011',
  run: (obj) =>
    get(obj, Ready)?.status === 'Unknown' && !isReconciling(obj)
      ? 'Reconciling condition must be True when Ready condition is Unknown'
      : undefined,
};

/** WARN0001: no negative-polarity condition is present while Ready is True. */
export const WARN0001: Check = {
  id: 'WARN0001',
  run(obj, opts) {
    if (!isTrue(obj, Ready)) return undefined;
    const bad = opts.negativePolarity.filter((t) => has(obj, t));
    return bad.length > 0 ? `Negative polarity condition present when Ready condition is True: [${bad.join(' ')}]` : undefined;
  },
};

/** WARN0002: a non-True Ready mirrors the highest-priority negative-polarity condition present. */
export const WARN0002: Check = {
  id: 'WARN0002',
  run(obj, opts) {
    if (isTrue(obj, Ready) || opts.negativePolarity.length === 0) return undefined;
    const ready = get(obj, Ready);
    const top = opts.negativePolarity.map((t) => get(obj, t)).find((c) => c !== undefined);
    if (top === undefined || top.type === Reconciling || top.type === Stalled) return undefined;
    if (ready?.reason === top.reason && ready.message === top.message) return undefined;
    return `Ready condition should have the value of the negative polarity conditon that's present with the highest priority: Ready != ${top.type}`;
  },
};

function removableWhenFalse(type: string): Check['run'] {
  return (obj) => (get(obj, type)?.status === 'False' ? `${type} condition can be removed when its value is False` : undefined);
}

/** WARN0003: a False Reconciling should be deleted instead. */
export const WARN0003: Check = { id: 'WARN0003', run: removableWhenFalse(Reconciling) };

/** WARN0004: a False Stalled should be deleted instead. */
export const WARN0004: Check = { id: 'WARN0004', run: removableWhenFalse(Stalled) };

/** WARN0005: every condition carries an observedGeneration. */
export const WARN0005: Check = {
  id: 'WARN0005',
  run(obj) {
    const bad = typesWhere(obj, (c) => (c.observedGeneration ?? 0) < 1);
    return bad.length > 0 ? `Missing ObservedGeneration from status condition: [${bad.join(' ')}]` : undefined;
  },
};
