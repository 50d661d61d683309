// SPDX-License-Identifier: Apache-2.0
/**
 * Metadata cleanup before apply (Flux `cleanupMetadata`): a JSON patch that removes
 * `kubectl.kubernetes.io/last-applied-configuration` and Flux v1 leftovers, and hands the fields
 * of `kubectl` (apply and update), `before-first-apply` and the controller's own update manager
 * over to the controller's apply manager, merging them into its entry. Objects marked
 * `kustomize.toolkit.fluxcd.io/ssa: Merge` are left alone.
 */
import type { KubeObject } from '../build/manifests.ts';
import { CLEANUP_EXCLUSIONS, anyInMetadata } from './policy.ts';

/** A managed-fields manager to take over. */
export interface FieldManager {
  name: string;
  operation: 'Apply' | 'Update';
}

/** What to clean up. */
export interface CleanupOptions {
  annotations: string[];
  labels: string[];
  fieldManagers: FieldManager[];
}

/** One `metadata.managedFields` entry. */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

/** A JSON patch operation. */
export type JsonPatchOp = { op: 'remove'; path: string } | { op: 'replace'; path: string; value: ManagedFieldsEntry[] };

/** Flux kustomize-controller's cleanup options for a controller name and extra disallowed managers. */
export function defaultCleanupOptions(controllerName = 'kustomize-controller', disallowedManagers: string[] = []): CleanupOptions {
  const managers: FieldManager[] = [
    { name: 'kubectl', operation: 'Apply' },
    { name: 'kubectl', operation: 'Update' },
    { name: 'before-first-apply', operation: 'Update' },
    { name: controllerName, operation: 'Update' },
  ];
  for (const m of disallowedManagers) managers.push({ name: m, operation: 'Apply' }, { name: m, operation: 'Update' });
  return {
    annotations: ['kubectl.kubernetes.io/last-applied-configuration', 'kustomize.toolkit.fluxcd.io/checksum', 'fluxcd.io/sync-checksum'],
    labels: ['fluxcd.io/sync-gc-mark'],
    fieldManagers: managers,
  };
}

const escapePointer = (k: string): string => k.replaceAll('~', '~0').replaceAll('/', '~1');

/** Union of two FieldsV1 tries. */
export function mergeFieldsV1(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!a) return b;
  if (!b) return a;
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = prev && typeof prev === 'object' && v && typeof v === 'object' ? mergeFieldsV1(prev as Record<string, unknown>, v as Record<string, unknown>) : (prev ?? v);
  }
  return out;
}

function replaceManagers(entries: ManagedFieldsEntry[], managers: FieldManager[], owner: string): ManagedFieldsEntry[] | undefined {
  let prev = entries.find((e) => e.manager === owner && e.operation === 'Apply');
  const out: ManagedFieldsEntry[] = [];
  let edited = false;
  for (const e of entries) {
    if (e === prev) continue;
    const match = managers.some((m) => (e.manager ?? '').startsWith(m.name) && e.operation === m.operation && !e.subresource);
    if (!match) {
      out.push(e);
      continue;
    }
    edited = true;
    prev = prev ? { ...prev, fieldsV1: mergeFieldsV1(prev.fieldsV1, e.fieldsV1) } : { ...e, manager: owner, operation: 'Apply' };
  }
  if (!edited || !prev) return undefined;
  return [...out, prev];
}

/**
 * The cleanup patch for an in-cluster object, or an empty list when nothing needs cleaning (or
 * the desired or existing object asks for `ssa: Merge`).
 */
export function cleanupPatch(desired: KubeObject, existing: KubeObject | undefined, opts: CleanupOptions, owner: string): JsonPatchOp[] {
  if (!existing || anyInMetadata(desired, CLEANUP_EXCLUSIONS) || anyInMetadata(existing, CLEANUP_EXCLUSIONS)) return [];
  const meta = (existing.metadata ?? {}) as { annotations?: Record<string, string>; labels?: Record<string, string>; managedFields?: ManagedFieldsEntry[] };
  const ops: JsonPatchOp[] = [];
  for (const k of opts.annotations) if (meta.annotations && k in meta.annotations) ops.push({ op: 'remove', path: `/metadata/annotations/${escapePointer(k)}` });
  for (const k of opts.labels) if (meta.labels && k in meta.labels) ops.push({ op: 'remove', path: `/metadata/labels/${escapePointer(k)}` });
  const replaced = replaceManagers(meta.managedFields ?? [], opts.fieldManagers, owner);
  if (replaced) ops.push({ op: 'replace', path: '/metadata/managedFields', value: replaced });
  return ops;
}
