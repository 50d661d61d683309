// SPDX-License-Identifier: Apache-2.0
/**
 * Status building blocks: the reconcile-request bookkeeping every Flux status embeds, the
 * observed generation, the inventory of applied objects and the reconciliation history.
 */
import { array, dateTime, duration, integer, map, object, string } from '../schema/builders.ts';
import type { Infer } from '../schema/schema.ts';
import { Conditions } from './condition.ts';

/** The value the CRDs default `status` to, so kstatus sees the object as not yet observed. */
export const STATUS_DEFAULT = { observedGeneration: -1 } as const;

/** Field of `ReconcileRequestStatus`, spread into a status shape. */
export const reconcileRequestStatusShape = {
  lastHandledReconcileAt: string({
    description:
      'The value of the reconcile.fluxcd.io/requestedAt annotation the controller last acted on; a different value triggers a run.',
  }).optional(),
};

/** Schema of `ReconcileRequestStatus` on its own. */
export const ReconcileRequestStatus = object(reconcileRequestStatusShape);
/** The reconcile-request bookkeeping of a status. */
export type ReconcileRequestStatus = Infer<typeof ReconcileRequestStatus>;

/** `observedGeneration` and `conditions`, spread into a status shape. */
export const observedShape = {
  observedGeneration: integer({ format: 'int64', description: 'The last metadata.generation the controller reconciled.' }).optional(),
  conditions: Conditions.optional(),
};

/** One applied object in an inventory. */
export const ResourceRef = object(
  {
    id: string({ description: 'Object identity: <namespace>_<name>_<group>_<kind>.' }),
    v: string({ description: 'API version of the object kind, without the group.' }),
  },
  { description: 'An object applied by the controller.' },
);
/** One applied object in an inventory. */
export type ResourceRef = Infer<typeof ResourceRef>;

/** The objects applied by the last successful reconciliation. */
export const ResourceInventory = object(
  { entries: array(ResourceRef, { description: 'The applied objects.' }) },
  { description: 'The set of objects the controller applied and is responsible for pruning.' },
);
/** The objects applied by the last successful reconciliation. */
export type ResourceInventory = Infer<typeof ResourceInventory>;

/** One entry of a reconciliation history (`status.history[]`). */
export const HistorySnapshot = object(
  {
    digest: string({ description: 'Digest, <algo>:<hex>, of the reconciled resources; identifies the snapshot.' }),
    firstReconciled: dateTime('When this digest was first reconciled.'),
    lastReconciled: dateTime('When this digest was last reconciled; the history is sorted by it, newest first.'),
    lastReconciledDuration: duration({ description: 'How long the last reconciliation of this digest took.' }),
    lastReconciledStatus: string({ description: 'The Ready reason of the last reconciliation of this digest.' }),
    totalReconciliations: integer({ format: 'int64', description: 'How many times this digest was reconciled.' }),
    metadata: map(string(), 'Reconciler-specific details, such as revision and originRevision.').optional(),
  },
  { description: 'A record of reconciling one set of resources.' },
);
/** One entry of a reconciliation history. */
export type HistorySnapshot = Infer<typeof HistorySnapshot>;

/** The reconciliation history, newest first, at most {@link MAX_HISTORY} entries. */
export const History = array(HistorySnapshot, { description: 'Recent reconciliations, newest first.' });
/** The reconciliation history. */
export type History = Infer<typeof History>;

/** How many snapshots a history keeps. */
export const MAX_HISTORY = 5;
