// SPDX-License-Identifier: Apache-2.0
/** The `kubectl get` columns every Flux kind shows. */
import type { PrinterColumn } from './define-kind.ts';

/** `AGE`: time since creation. */
export const AGE_COLUMN: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

/** `READY`: status of the Ready condition. */
export const READY_COLUMN: PrinterColumn = {
  name: 'Ready',
  type: 'string',
  jsonPath: '.status.conditions[?(@.type=="Ready")].status',
};

/** `STATUS`: message of the Ready condition. */
export const STATUS_COLUMN: PrinterColumn = {
  name: 'Status',
  type: 'string',
  jsonPath: '.status.conditions[?(@.type=="Ready")].message',
};

/** A string column over a JSON path. */
export function stringColumn(name: string, jsonPath: string, priority?: number): PrinterColumn {
  return priority === undefined ? { name, type: 'string', jsonPath } : { name, type: 'string', jsonPath, priority };
}
