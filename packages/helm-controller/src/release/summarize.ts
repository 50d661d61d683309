// SPDX-License-Identifier: Apache-2.0
/**
 * Flux's HelmRelease `summarize` (`internal/reconcile/release.go`): Ready mirrors the most relevant
 * of Remediated, TestSuccess (when tests are enabled and failures not ignored) and Released, the one
 * with the highest observed generation, ties going in that order; a Remediated summary is always a
 * failure. Ready=True clears Stalled.
 */
import type { Clock } from '@eddy/runtime/clock';
import * as conditions from '@eddy/runtime/conditions';
import { CONDITIONS } from './messages.ts';
import type { HelmReleaseObject } from './types.ts';

/** Composes Ready from the release conditions of `hr`. */
export function summarize(hr: HelmReleaseObject, clock: Clock): void {
  const test = hr.spec.test;
  const order: string[] = test?.enable && !test.ignoreFailures
    ? [CONDITIONS.Remediated, CONDITIONS.TestSuccess, CONDITIONS.Released]
    : [CONDITIONS.Remediated, CONDITIONS.Released];
  if (!test?.enable) conditions.remove(hr, CONDITIONS.TestSuccess);

  const candidates = conditions
    .list(hr)
    .filter((c) => order.includes(c.type))
    .sort((a, b) => (b.observedGeneration ?? 0) - (a.observedGeneration ?? 0) || order.indexOf(a.type) - order.indexOf(b.type));
  const top = candidates[0];
  if (!top) return;
  const status = top.type === CONDITIONS.Remediated ? 'False' : top.status;
  if (status === 'True') conditions.remove(hr, CONDITIONS.Stalled);
  conditions.set(hr, { type: CONDITIONS.Ready, status, reason: top.reason, message: top.message }, clock);
}
