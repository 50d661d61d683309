// SPDX-License-Identifier: Apache-2.0
/**
 * `spec.healthCheckExprs` of a HelmRelease: custom CEL health checks for the release's objects of
 * the listed kinds. In Flux they are status readers of helm's `poller` (kstatus) wait; Eddy drives
 * the helm binary, whose wait knows only kstatus, so after an install or upgrade whose helm wait
 * succeeded the controller polls the release's objects of those kinds (from the manifest helm
 * stored, hooks excluded) until all are Current, one is Failed, or the action's timeout runs out.
 * A failure is the failure of the helm wait: helm would have marked the release `failed`, so the
 * stored record is marked so too, and the action fails with a message naming the objects, their
 * statuses and the expressions; remediation follows. Only the `poller` strategy evaluates the
 * expressions (as in Flux; `legacy` uses Helm 3's own wait), and not when the action's wait is off.
 */
import { parseObjMetadata } from '@eddy/api/helpers';
import type { CelStatusEvaluators } from '@eddy/runtime/cel';
import type { KubeClient } from '@eddy/runtime/client';
import { waitForObjects, type WaitObjectRef } from '@eddy/runtime/kstatus';
import type { ReleaseRecord } from '../helm/release-record.ts';
import type { ActionEnv } from './action-env.ts';
import { buildInventory } from './inventory.ts';

/** What the health checks read with. */
export interface HealthCheckEnv {
  /** Reads the release's objects (the target cluster, with the release's credentials). */
  client: Pick<KubeClient, 'get'>;
  /** Poll interval. @default 2000 */
  intervalMs?: number;
}

/** How the custom health checks of a release ended. */
export type HealthCheckResult = { ok: true; checked: number } | { ok: false; canceled: boolean; message: string };

/** The objects of the release (hooks excluded) whose group and kind have an expression. */
export async function objectsToCheck(record: ReleaseRecord, evaluators: CelStatusEvaluators, discovery: Pick<KubeClient, 'resourceFor'>): Promise<WaitObjectRef[]> {
  const { inventory } = await buildInventory({ manifest: record.manifest ?? '', namespace: record.namespace }, discovery);
  const refs: WaitObjectRef[] = [];
  for (const e of inventory.entries) {
    const m = parseObjMetadata(e.id);
    if (!m.ok || !evaluators.supportsKind(m.value.group, m.value.kind)) continue;
    const apiVersion = m.value.group ? `${m.value.group}/${e.v}` : e.v;
    refs.push({ apiVersion, kind: m.value.kind, name: m.value.name, ...(m.value.namespace ? { namespace: m.value.namespace } : {}) });
  }
  return refs;
}

/**
 * Runs the custom health checks of the release `record` until `deadlineMs` (at least one poll).
 * Never throws: a read error is an Unknown status, a cancellation a failed result.
 */
export async function checkReleaseHealth(record: ReleaseRecord, evaluators: CelStatusEvaluators, env: ActionEnv, deadlineMs: number): Promise<HealthCheckResult> {
  const health = env.health;
  if (!health || !env.discovery || evaluators.size === 0) return { ok: true, checked: 0 };
  let refs: WaitObjectRef[];
  try {
    refs = await objectsToCheck(record, evaluators, env.discovery);
  } catch (e) {
    return { ok: false, canceled: false, message: `failed to list the release objects for health checks: ${(e as Error).message}` };
  }
  if (refs.length === 0) return { ok: true, checked: 0 };
  const out = await waitForObjects(refs, (ref) => health.client.get(ref), {
    timeoutMs: Math.max(0, deadlineMs - env.clock.now()),
    intervalMs: health.intervalMs ?? 2000,
    failFast: true,
    verbose: true,
    clock: env.clock,
    statusOf: (_ref, live) => (live ? evaluators.evaluate(live) : undefined),
    ...(env.signal ? { signal: env.signal } : {}),
  });
  switch (out.result) {
    case 'Current':
      return { ok: true, checked: refs.length };
    case 'Canceled':
      return { ok: false, canceled: true, message: 'health check canceled: new reconciliation triggered' };
    default:
      return { ok: false, canceled: false, message: `health check failed: ${out.message}` };
  }
}
