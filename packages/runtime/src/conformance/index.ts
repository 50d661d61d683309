// SPDX-License-Identifier: Apache-2.0
/**
 * Status conformance checks, as Flux runs them after every reconcile in its controller tests
 * (`fluxcd/pkg/runtime/conditions/check`). Two checkers:
 *
 * - **reconciled** ({@link checkConditions}, {@link assertConformant}): the status a reconcile
 *   leaves behind: Ready present; Ready=False while Reconciling or Stalled is True; never both;
 *   observedGeneration ≤ generation; not ready while a generation is unobserved; no abnormal-true
 *   condition True while Ready=True; condition generations agree when ready (FAIL0001–0009).
 * - **in-progress** ({@link checkInProgress}, {@link assertInProgressConformant}): a status patched
 *   mid-reconcile: Ready present; Ready=False while Stalled; never both; observedGeneration ≤
 *   generation; Ready=Unknown only while Reconciling=True (FAIL0002, 0004–0006, 0011).
 *
 * Warnings (WARN0001–0005) are advisory and reported by {@link lintConditions}.
 *
 * @packageDocumentation
 */
import { AssertionError } from 'node:assert';
import type { ObjectWithConditions } from '../conditions/types.ts';
import * as c from './checks.ts';

export type { Check, ConformanceOptions } from './checks.ts';
export { statusObservedGeneration } from './checks.ts';

/** One violated check. */
export interface Violation {
  /** Flux's check ID, e.g. `FAIL0003`. */
  id: string;
  message: string;
}

/** The checks of the reconciled-status checker (Flux's `NewChecker`). */
export const RECONCILED_CHECKS: readonly c.Check[] = [
  c.FAIL0001,
  c.FAIL0002,
  c.FAIL0003,
  c.FAIL0004,
  c.FAIL0005,
  c.FAIL0006,
  c.FAIL0007,
  c.FAIL0008,
  c.FAIL0009,
];

/** The checks of the in-progress checker (Flux's `NewInProgressChecker`). */
export const IN_PROGRESS_CHECKS: readonly c.Check[] = [c.FAIL0002, c.FAIL0004, c.FAIL0005, c.FAIL0006, c.FAIL0011];

/** The advisory checks (Flux's warn checks). */
export const WARN_CHECKS: readonly c.Check[] = [c.WARN0001, c.WARN0002, c.WARN0003, c.WARN0004, c.WARN0005];

/** Runs `checks` and returns every violation, in check order. */
export function runChecks(obj: ObjectWithConditions, checks: readonly c.Check[], opts: c.ConformanceOptions): Violation[] {
  const out: Violation[] = [];
  for (const check of checks) {
    const message = check.run(obj, opts);
    if (message !== undefined) out.push({ id: check.id, message });
  }
  return out;
}

/** Violations of the reconciled-status invariants. */
export function checkConditions(obj: ObjectWithConditions, opts: c.ConformanceOptions): Violation[] {
  return runChecks(obj, RECONCILED_CHECKS, opts);
}

/** Violations of the in-progress invariants (no kind context needed). */
export function checkInProgress(obj: ObjectWithConditions): Violation[] {
  return runChecks(obj, IN_PROGRESS_CHECKS, { negativePolarity: [] });
}

/** Advisory findings. */
export function lintConditions(obj: ObjectWithConditions, opts: c.ConformanceOptions): Violation[] {
  return runChecks(obj, WARN_CHECKS, opts);
}

function fail(obj: ObjectWithConditions, violations: Violation[], checker: string): void {
  if (violations.length === 0) return;
  const name = `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
  const lines = violations.map((v) => `  [${v.id}] ${v.message}`).join('\n');
  throw new AssertionError({
    message: `${checker} status check failed for ${name}:\n${lines}\nObserved conditions: ${JSON.stringify(obj.status?.conditions ?? [])}`,
    actual: violations,
    expected: [],
    operator: 'checkConditions',
  });
}

/** Throws an AssertionError listing every reconciled-status violation. */
export function assertConformant(obj: ObjectWithConditions, opts: c.ConformanceOptions): void {
  fail(obj, checkConditions(obj, opts), 'reconciled');
}

/** Throws an AssertionError listing every in-progress violation. */
export function assertInProgressConformant(obj: ObjectWithConditions): void {
  fail(obj, checkInProgress(obj), 'in-progress');
}
