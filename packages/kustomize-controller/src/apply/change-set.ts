// SPDX-License-Identifier: Apache-2.0
/**
 * Change sets (fluxcd/pkg `ssa.ChangeSet`): what apply and prune did to each object, printed the
 * way Flux logs them and puts them in events: one `<Kind>/<namespace>/<name> <action>` per line.
 */
import type { KubeObject } from '../build/manifests.ts';
import { formatSubject, objMetadataOf, objectId, splitApiVersion, type ObjMetadata } from './objects.ts';

/** What happened to an object. */
export type Action = 'created' | 'configured' | 'unchanged' | 'deleted' | 'skipped' | 'unknown';

/** One change. */
export interface ChangeSetEntry {
  objMetadata: ObjMetadata;
  /** The API version (`v1`, not `apps/v1`), as stored in the inventory. */
  version: string;
  /** `<Kind>/<namespace>/<name>`. */
  subject: string;
  action: Action;
}

/** Builds an entry for an object. */
export function changeSetEntry(obj: KubeObject, action: Action): ChangeSetEntry {
  const m = objMetadataOf(obj);
  return { objMetadata: m, version: splitApiVersion(String(obj.apiVersion ?? ''))[1], subject: formatSubject(m), action };
}

/** True for actions that changed the cluster (Flux `HasChanged`). */
export function hasChanged(action: Action): boolean {
  return action === 'created' || action === 'configured' || action === 'deleted';
}

/** An ordered list of changes. */
export class ChangeSet {
  readonly entries: ChangeSetEntry[] = [];

  /** Appends entries. */
  add(...entries: ChangeSetEntry[]): this {
    this.entries.push(...entries);
    return this;
  }

  /** One line per entry: `Deployment/default/podinfo configured`. */
  toString(): string {
    return this.entries.map((e) => `${e.subject} ${e.action}`).join('\n');
  }

  /** Only the entries that changed the cluster, one per line (the apply event of Flux). */
  changedString(): string {
    return this.entries
      .filter((e) => hasChanged(e.action))
      .map((e) => `${e.subject} ${e.action}`)
      .join('\n');
  }

  /** `subject → action` (Flux `ToMap`, used in logs). */
  toMap(): Record<string, Action> {
    return Object.fromEntries(this.entries.map((e) => [e.subject, e.action]));
  }

  /** `action → subjects` (Flux `ToGroupedMap`). */
  toGroupedMap(): Partial<Record<Action, string[]>> {
    const out: Partial<Record<Action, string[]>> = {};
    for (const e of this.entries) (out[e.action] ??= []).push(e.subject);
    return out;
  }

  /** Inventory ids of the entries, in order. */
  ids(): string[] {
    return this.entries.map((e) => objectId(e.objMetadata));
  }
}
