// SPDX-License-Identifier: Apache-2.0
/**
 * Classifying client errors by intent without depending on the client's error class: any error
 * carrying the apiserver's `code` (HTTP status) or `reason` is understood, from any package copy.
 */

function field(err: unknown, name: 'code' | 'reason'): unknown {
  return typeof err === 'object' && err !== null ? (err as Record<string, unknown>)[name] : undefined;
}

/** True for a 404 / `NotFound` answer. */
export function isNotFound(err: unknown): boolean {
  return field(err, 'code') === 404 || field(err, 'reason') === 'NotFound';
}

/** True for a 409 `Conflict` answer (a stale resourceVersion). */
export function isConflict(err: unknown): boolean {
  return field(err, 'code') === 409 || field(err, 'reason') === 'Conflict';
}

/** The object vanished while it was being patched. Shaped like the client's ApiError 404. */
export class ObjectNotFoundError extends Error {
  override readonly name = 'ObjectNotFoundError';
  readonly code = 404;
  readonly reason = 'NotFound';
}

/** Condition patching gave up after repeated conflicts (Flux: "timed out waiting for the condition"). */
export class ConflictRetriesExhaustedError extends Error {
  override readonly name = 'ConflictRetriesExhaustedError';
  readonly code = 409;
  readonly reason = 'Conflict';
}

/** Several of the patches of one {@link SerialPatcher.patch} call failed. */
export class PatchAggregateError extends AggregateError {
  override readonly name = 'PatchAggregateError';
}

/** Throws nothing for no errors, the error itself for one, a {@link PatchAggregateError} for more. */
export function throwAggregate(errors: unknown[]): void {
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) {
    const msgs = errors.map((e) => (e instanceof Error ? e.message : String(e)));
    throw new PatchAggregateError(errors, msgs.length === 1 ? msgs[0] : `[${msgs.join(', ')}]`);
  }
}
