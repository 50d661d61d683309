// SPDX-License-Identifier: Apache-2.0
/**
 * Event filters for controllers, as in controller-runtime's `predicate` package and Flux's
 * `runtime/predicates`. A {@link Predicate} decides per event kind whether an informer event
 * should enqueue a request; a missing method lets the event through. The built-in predicates only
 * filter updates: creates and deletes always pass, so a new object is reconciled and a deleted
 * one is enqueued (the reconciler sees it gone).
 */
import { RECONCILE_REQUEST_ANNOTATION } from '@eddy/api/annotations';
import type { KubeObject } from '../client/types.ts';

/** An object appeared (including the initial list). */
export interface CreateEvent<T extends KubeObject = KubeObject> {
  object: T;
}

/** An object changed. */
export interface UpdateEvent<T extends KubeObject = KubeObject> {
  objectOld: T;
  objectNew: T;
}

/** An object went away; `object` is its last known state. */
export interface DeleteEvent<T extends KubeObject = KubeObject> {
  object: T;
}

/** An event from outside the cluster (a timer, a webhook). */
export interface GenericEvent<T extends KubeObject = KubeObject> {
  object: T;
}

/** Filters events; an absent method means "pass". */
export interface Predicate<T extends KubeObject = KubeObject> {
  create?(e: CreateEvent<T>): boolean;
  update?(e: UpdateEvent<T>): boolean;
  delete?(e: DeleteEvent<T>): boolean;
  generic?(e: GenericEvent<T>): boolean;
}

/** The event kinds a predicate sees. */
export type EventKind = 'create' | 'update' | 'delete' | 'generic';

/** The annotation `flux reconcile` sets to request a run (`meta.ReconcileRequestAnnotation`; owned by `@eddy/api`). */
export { RECONCILE_REQUEST_ANNOTATION };

type EventOf<K extends EventKind, T extends KubeObject> = K extends 'update' ? UpdateEvent<T> : CreateEvent<T>;

/** Runs one predicate method; absent methods pass. */
export function evaluate<T extends KubeObject, K extends EventKind>(p: Predicate<T>, kind: K, e: EventOf<K, T>): boolean {
  const fn = p[kind] as ((e: EventOf<K, T>) => boolean) | undefined;
  return fn ? fn.call(p, e) : true;
}

/** True when every predicate passes the event (an empty list passes). */
export function passesAll<T extends KubeObject, K extends EventKind>(ps: readonly Predicate<T>[], kind: K, e: EventOf<K, T>): boolean {
  return ps.every((p) => evaluate(p, kind, e));
}

const KINDS: readonly EventKind[] = ['create', 'update', 'delete', 'generic'];

function combine<T extends KubeObject>(f: (kind: EventKind, e: never) => boolean): Predicate<T> {
  const p: Predicate<T> = {};
  for (const kind of KINDS) (p as Record<EventKind, (e: never) => boolean>)[kind] = (e) => f(kind, e);
  return p;
}

/** Passes an event only when all predicates pass it. */
export function and<T extends KubeObject = KubeObject>(...ps: Predicate<T>[]): Predicate<T> {
  return combine<T>((kind, e) => ps.every((p) => evaluate(p, kind, e)));
}

/** Passes an event when any predicate passes it (an empty `or` passes nothing). */
export function or<T extends KubeObject = KubeObject>(...ps: Predicate<T>[]): Predicate<T> {
  return combine<T>((kind, e) => ps.some((p) => evaluate(p, kind, e)));
}

/** Inverts a predicate for every event kind. */
export function not<T extends KubeObject = KubeObject>(p: Predicate<T>): Predicate<T> {
  return combine<T>((kind, e) => !evaluate(p, kind, e));
}

/** Applies one object filter to every event kind (for updates, to the new object). */
export function filter<T extends KubeObject = KubeObject>(fn: (obj: T) => boolean): Predicate<T> {
  return {
    create: (e) => fn(e.object),
    update: (e) => fn(e.objectNew),
    delete: (e) => fn(e.object),
    generic: (e) => fn(e.object),
  };
}

/** Updates pass only when `metadata.generation` changed (i.e. the spec changed, not the status). */
export function generationChanged<T extends KubeObject = KubeObject>(): Predicate<T> {
  return { update: (e) => e.objectOld.metadata.generation !== e.objectNew.metadata.generation };
}

/**
 * Updates pass when the `reconcile.fluxcd.io/requestedAt` annotation is set on the new object and
 * differs from the old one (Flux's `ReconcileRequestedPredicate`).
 */
export function reconcileRequested<T extends KubeObject = KubeObject>(): Predicate<T> {
  return {
    update: (e) => {
      const now = e.objectNew.metadata.annotations?.[RECONCILE_REQUEST_ANNOTATION];
      if (now === undefined) return false;
      return now !== e.objectOld.metadata.annotations?.[RECONCILE_REQUEST_ANNOTATION];
    },
  };
}

function mapChanged(a: Record<string, string> | undefined, b: Record<string, string> | undefined, keys: readonly string[]): boolean {
  const ka = keys.length > 0 ? keys : Object.keys(a ?? {});
  const kb = keys.length > 0 ? keys : Object.keys(b ?? {});
  if (keys.length === 0 && ka.length !== kb.length) return true;
  return [...new Set([...ka, ...kb])].some((k) => a?.[k] !== b?.[k]);
}

/** Updates pass when annotations changed: the given keys, or any annotation when none are given. */
export function annotationChanged<T extends KubeObject = KubeObject>(...keys: string[]): Predicate<T> {
  return { update: (e) => mapChanged(e.objectOld.metadata.annotations, e.objectNew.metadata.annotations, keys) };
}

/** Updates pass when labels changed: the given keys, or any label when none are given. */
export function labelChanged<T extends KubeObject = KubeObject>(...keys: string[]): Predicate<T> {
  return { update: (e) => mapChanged(e.objectOld.metadata.labels, e.objectNew.metadata.labels, keys) };
}

/** Updates pass when `metadata.resourceVersion` changed (drops relist no-ops). */
export function resourceVersionChanged<T extends KubeObject = KubeObject>(): Predicate<T> {
  return { update: (e) => e.objectOld.metadata.resourceVersion !== e.objectNew.metadata.resourceVersion };
}
