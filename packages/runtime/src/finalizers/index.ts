// SPDX-License-Identifier: Apache-2.0
/**
 * Finalizer helpers. They change the object in memory only; the {@link SerialPatcher} sends the
 * new `metadata.finalizers` with the reconcile's patch (a JSON merge patch replacing the list, as
 * controller-runtime's `MergeFrom` does in Flux). {@link ensureFinalizer} patches at once, for the
 * "add the finalizer before doing anything else" step of every Flux reconciler.
 *
 * @packageDocumentation
 */
import { FINALIZER } from '@eddy/api/annotations';
import type { KubeObject } from '../client/types.ts';
import type { PatchOptions, SerialPatcher } from '../patch/serial-patcher.ts';

/** The finalizer every Flux kind carries (`@eddy/api`'s `FINALIZER`). */
export const FLUX_FINALIZER = FINALIZER;

/** The part of an object the helpers touch. */
export interface ObjectWithFinalizers {
  metadata: { finalizers?: string[]; deletionTimestamp?: string };
}

/** True if `obj` carries `finalizer`. */
export function hasFinalizer(obj: ObjectWithFinalizers, finalizer: string = FLUX_FINALIZER): boolean {
  return (obj.metadata.finalizers ?? []).includes(finalizer);
}

/** Appends `finalizer` unless present. Returns true if the object changed. */
export function addFinalizer(obj: ObjectWithFinalizers, finalizer: string = FLUX_FINALIZER): boolean {
  if (hasFinalizer(obj, finalizer)) return false;
  obj.metadata.finalizers = [...(obj.metadata.finalizers ?? []), finalizer];
  return true;
}

/** Removes every occurrence of `finalizer`; drops an empty list. Returns true if the object changed. */
export function removeFinalizer(obj: ObjectWithFinalizers, finalizer: string = FLUX_FINALIZER): boolean {
  const current = obj.metadata.finalizers ?? [];
  const next = current.filter((f) => f !== finalizer);
  if (next.length === current.length) return false;
  if (next.length === 0) delete obj.metadata.finalizers;
  else obj.metadata.finalizers = next;
  return true;
}

/** True once the apiserver has marked the object for deletion. */
export function isDeleting(obj: ObjectWithFinalizers): boolean {
  return obj.metadata.deletionTimestamp !== undefined && obj.metadata.deletionTimestamp !== '';
}

/**
 * Adds `finalizer` and, if that changed the object, patches it right away through `patcher`
 * (which re-bases, so the end-of-reconcile patch does not send it again). Returns true if it patched.
 */
export async function ensureFinalizer<T extends KubeObject>(
  patcher: SerialPatcher<T>,
  obj: T,
  finalizer: string = FLUX_FINALIZER,
  opts?: PatchOptions,
): Promise<boolean> {
  if (!addFinalizer(obj, finalizer)) return false;
  await patcher.patch(obj, opts);
  return true;
}
