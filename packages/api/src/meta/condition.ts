// SPDX-License-Identifier: Apache-2.0
/**
 * The `metav1.Condition` schema used in every status, with the apiserver's own limits (type and
 * reason patterns, message length) so a controller writing a malformed condition is rejected the
 * same way it would be by a Flux CRD.
 */
import { array, dateTime, integer, object, string } from '../schema/builders.ts';
import type { Infer } from '../schema/schema.ts';

/** Allowed condition status values. */
export const CONDITION_STATUSES = ['True', 'False', 'Unknown'] as const;

/** Schema of one condition. */
export const Condition = object(
  {
    type: string({
      maxLength: 316,
      pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
      description: 'Type of the condition, CamelCase or foo.example.com/CamelCase.',
    }),
    status: string({ enum: CONDITION_STATUSES, description: 'True, False or Unknown.' }),
    observedGeneration: integer({
      format: 'int64',
      minimum: 0,
      description: 'The metadata.generation the condition was computed from.',
    }).optional(),
    lastTransitionTime: dateTime('When the status last changed.'),
    reason: string({
      minLength: 1,
      maxLength: 1024,
      pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
      description: 'Machine-readable CamelCase cause of the last transition.',
    }),
    message: string({ maxLength: 32768, description: 'Human-readable detail of the last transition; may be empty.' }),
  },
  { description: 'One aspect of the current state of the object.' },
);

/** A status condition. */
export type Condition = Infer<typeof Condition>;

/** Schema of a `conditions` list. */
export const Conditions = array(Condition, { description: 'Conditions describing the state of the object.' });
