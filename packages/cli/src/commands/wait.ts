// SPDX-License-Identifier: Apache-2.0
/**
 * Waiting for an object to become Ready after the CLI created or changed it, the way Flux's
 * `isObjectReady` judges it: kstatus first (InProgress keeps waiting, Failed stops), then the
 * Ready condition of a Current object.
 */
import type { KubeObject } from '@eddy/runtime/client';
import { get as getCondition } from '@eddy/runtime/conditions';
import { computeStatus } from '@eddy/runtime/kstatus';
import type { CliContext } from '../context.ts';
import { CliError, pause } from '../context.ts';

/** What one look at the object says. */
export type Readiness = { state: 'waiting' } | { state: 'ready'; message: string } | { state: 'failed'; message: string };

/** Judges an object as `create` and `bootstrap` wait for it (pure; exported for tests). */
export function readiness(obj: KubeObject | undefined): Readiness {
  if (!obj) return { state: 'waiting' };
  const status = (obj['status'] ?? {}) as Record<string, unknown>;
  if (status['observedGeneration'] !== obj.metadata.generation) return { state: 'waiting' };
  const k = computeStatus(obj);
  if (k.status === 'Failed') return { state: 'failed', message: k.message };
  if (k.status !== 'Current') return { state: 'waiting' };
  const ready = getCondition(obj as never, 'Ready');
  if (!ready || ready.status === 'Unknown') return { state: 'waiting' };
  return ready.status === 'True' ? { state: 'ready', message: ready.message } : { state: 'failed', message: ready.message };
}

/** Polls until the object's Ready condition is True for its current generation, or fails. */
export async function reconcileWaitReady(ctx: CliContext, obj: KubeObject): Promise<KubeObject> {
  const ref = { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name ?? '', namespace: obj.metadata.namespace ?? ctx.opts.namespace };
  ctx.out(`◎ waiting for ${obj.kind} reconciliation`);
  const deadline = ctx.clock.now() + ctx.opts.timeoutMs;
  for (;;) {
    const live = await ctx.client().get(ref);
    const verdict = readiness(live);
    if (verdict.state === 'ready') {
      ctx.out(`✔ ${obj.kind} reconciliation completed`);
      return live!;
    }
    if (verdict.state === 'failed') throw new CliError(`${obj.kind} reconciliation failed: ${verdict.message}`);
    if (ctx.clock.now() >= deadline) {
      throw new CliError(`timed out waiting for ${obj.kind} '${ref.name}' to become ready (--timeout)`);
    }
    await pause(ctx, 1000);
  }
}
