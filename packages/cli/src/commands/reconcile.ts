// SPDX-License-Identifier: Apache-2.0
/**
 * `eddy reconcile <kind> <name> [--with-source]`, `eddy suspend` and `eddy resume`, with Flux's
 * protocol: set `reconcile.fluxcd.io/requestedAt` to a fresh token and wait until the controller
 * reports it handled that token in `status.lastHandledReconcileAt`, then judge `Ready`.
 *
 * Beyond Flux: a failed run is reported as soon as the controller has handled the request and
 * says Ready=False for the current generation, instead of waiting for the timeout while the
 * object retries (fluxcd/flux2#5622).
 */
import type { KubeObject, ObjectRef } from '@eddy/runtime/client';
import { get as getCondition, isTrue } from '@eddy/runtime/conditions';
import type { CliContext } from '../context.ts';
import { CliError, inNamespace, pause } from '../context.ts';
import { kindOf, type CliKind } from '../kinds.ts';

const REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';
const FORCE_AT = 'reconcile.fluxcd.io/forceAt';
const RESET_AT = 'reconcile.fluxcd.io/resetAt';
const POLL_MS = 1000;

/** Options of `reconcile`. */
export interface ReconcileOptions {
  withSource?: boolean;
  /** HelmRelease: force a one-off upgrade (`reconcile.fluxcd.io/forceAt`). */
  force?: boolean;
  /** HelmRelease: reset failure counters (`reconcile.fluxcd.io/resetAt`). */
  reset?: boolean;
}

/** A token like Go's `time.Now().Format(time.RFC3339Nano)`. */
export function requestToken(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0*Z$/, 'Z');
}

function refOf(ctx: CliContext, kind: CliKind, name: string): ObjectRef {
  return { apiVersion: kind.apiVersion, kind: kind.kind, name, namespace: ctx.opts.namespace };
}

async function mustGet(ctx: CliContext, ref: ObjectRef): Promise<KubeObject> {
  const obj = await ctx.client().get(ref);
  if (!obj) throw new CliError(`${ref.kind} object '${ref.name}' not found in '${ref.namespace ?? ''}' namespace`);
  return obj;
}

/** How far a requested reconcile got. */
export type Verdict = { done: false } | { done: true; ok: true; message: string } | { done: true; ok: false; message: string };

/** Judges an object against the token we set (pure; exported for tests). */
export function judge(obj: KubeObject, token: string): Verdict {
  const status = (obj['status'] ?? {}) as Record<string, unknown>;
  if (status['lastHandledReconcileAt'] !== token) return { done: false };
  const generation = obj.metadata.generation ?? 0;
  const observed = typeof status['observedGeneration'] === 'number' ? status['observedGeneration'] : -1;
  const ready = getCondition(obj as never, 'Ready');
  if (!ready || observed < generation) return { done: false };
  if (ready.status === 'True') return { done: true, ok: true, message: ready.message };
  if (isTrue(obj as never, 'Stalled') || ready.status === 'False') {
    // Flux's CLI keeps waiting while Reconciling=True; we stop once the failure is for this generation.
    if ((ready.observedGeneration ?? generation) >= generation) return { done: true, ok: false, message: ready.message };
  }
  return { done: false };
}

async function waitFor(ctx: CliContext, ref: ObjectRef, token: string): Promise<KubeObject> {
  const deadline = ctx.clock.now() + ctx.opts.timeoutMs;
  for (;;) {
    const obj = await mustGet(ctx, ref);
    const verdict = judge(obj, token);
    if (verdict.done) {
      if (!verdict.ok) throw new CliError(`${ref.kind} reconciliation failed: ${verdict.message}`);
      return obj;
    }
    if (ctx.clock.now() >= deadline) {
      throw new CliError(`timed out waiting for ${ref.kind} '${ref.name}' to be reconciled (--timeout)`);
    }
    await pause(ctx, POLL_MS);
  }
}

function describeRevision(kind: CliKind, obj: KubeObject): string {
  const rev = kind.revision(obj as unknown as Record<string, unknown>);
  if (!rev) return `${kind.kind} reconciliation completed`;
  return kind.kind.endsWith('Repository') || kind.kind === 'Bucket' || kind.kind === 'HelmChart'
    ? `fetched revision ${rev}`
    : `applied revision ${rev}`;
}

/** Requests a reconcile of one object and waits for the verdict. */
export async function reconcileOne(ctx: CliContext, kind: CliKind, name: string, opts: ReconcileOptions = {}): Promise<void> {
  const ref = refOf(ctx, kind, name);
  const obj = await mustGet(ctx, ref);
  const spec = (obj['spec'] ?? {}) as Record<string, unknown>;
  if (spec['suspend'] === true) throw new CliError('resource is suspended');

  if (opts.withSource && kind.sourceOf) {
    const src = kind.sourceOf(obj as unknown as Record<string, unknown>);
    const srcKind = src ? kindOf(src.apiVersion, src.kind) : undefined;
    if (src && srcKind) {
      const srcCtx = inNamespace(ctx, src.namespace ?? ctx.opts.namespace);
      await reconcileOne(srcCtx, srcKind, src.name);
    }
  }

  const token = requestToken(ctx.clock.now());
  const annotations: Record<string, string> = { [REQUESTED_AT]: token };
  if (opts.force) annotations[FORCE_AT] = token;
  if (opts.reset) annotations[RESET_AT] = token;
  ctx.out(`► annotating ${kind.kind} ${name} in ${ctx.opts.namespace} namespace`);
  await ctx.client().patch(ref, { metadata: { annotations } }, { type: 'merge' });
  ctx.out(`✔ ${kind.kind} annotated`);
  ctx.out(`◎ waiting for ${kind.kind} reconciliation`);
  const done = await waitFor(ctx, ref, token);
  ctx.out(`✔ ${describeRevision(kind, done)}`);
}

/** Sets `spec.suspend` to true. */
export async function suspendOne(ctx: CliContext, kind: CliKind, name: string): Promise<void> {
  if (kind.suspendable === false) throw new CliError(`${kind.kind} cannot be suspended`);
  const ref = refOf(ctx, kind, name);
  await mustGet(ctx, ref);
  ctx.out(`► suspending ${kind.kind.toLowerCase()} ${name} in ${ctx.opts.namespace} namespace`);
  await ctx.client().patch(ref, { spec: { suspend: true } }, { type: 'merge' });
  ctx.out(`✔ ${kind.kind.toLowerCase()} suspended`);
}

/** Clears `spec.suspend`, requests a reconcile and waits for it, as Flux's `resume` does. */
export async function resumeOne(ctx: CliContext, kind: CliKind, name: string, wait = true): Promise<void> {
  if (kind.suspendable === false) throw new CliError(`${kind.kind} cannot be resumed`);
  const ref = refOf(ctx, kind, name);
  await mustGet(ctx, ref);
  const token = requestToken(ctx.clock.now());
  ctx.out(`► resuming ${kind.kind.toLowerCase()} ${name} in ${ctx.opts.namespace} namespace`);
  await ctx.client().patch(ref, { spec: { suspend: false }, metadata: { annotations: { [REQUESTED_AT]: token } } }, { type: 'merge' });
  ctx.out(`✔ ${kind.kind.toLowerCase()} resumed`);
  if (!wait) return;
  ctx.out(`◎ waiting for ${kind.kind} reconciliation`);
  const done = await waitFor(ctx, ref, token);
  ctx.out(`✔ ${describeRevision(kind, done)}`);
}
