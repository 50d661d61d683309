// SPDX-License-Identifier: Apache-2.0
/**
 * The result of an update run, shaped like Flux's `update.Result`: file → object → changes. It is
 * the `.Changed` value of the commit message template, so its Go-visible names (`FileChanges`,
 * `Changes`, `Objects`, `OldValue`, `NewValue`, `Setter`, `Name`, `Namespace`, `APIVersion`,
 * `Kind`) are part of the wire contract.
 *
 * Go iterates maps in random order; Eddy keeps a deterministic order instead: files by path,
 * objects in Go's `fmtsort` order of `ObjectIdentifier` (APIVersion, Kind, Name, Namespace),
 * changes in document order.
 */

/** Identifies an object in a file (kyaml `ResourceIdentifier`). */
export interface ObjectIdentifier {
  readonly APIVersion: string;
  readonly Kind: string;
  readonly Name: string;
  readonly Namespace: string;
}

/** One field change. */
export interface Change {
  readonly OldValue: string;
  readonly NewValue: string;
  readonly Setter: string;
}

/** Where a change happened in the source text (not part of Flux's template data). */
export interface ChangeLocation {
  file: string;
  /** 1-based line of the changed value. */
  line: number;
}

/** A change with its object and location, in application order. */
export interface LocatedChange {
  file: string;
  object: ObjectIdentifier;
  change: Change;
  line: number;
}

/** Compares identifiers like Go's `fmtsort` compares the struct fields in order. */
export function compareObjectIds(a: ObjectIdentifier, b: ObjectIdentifier): number {
  for (const k of ['APIVersion', 'Kind', 'Name', 'Namespace'] as const) {
    if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  }
  return 0;
}

/** A stable string key for an identifier. */
export function objectKey(id: ObjectIdentifier): string {
  return JSON.stringify([id.APIVersion, id.Kind, id.Name, id.Namespace]);
}

/** Changes of one file, by object. */
export type ObjectChanges = Map<ObjectIdentifier, Change[]>;

/** The changes an update made (Flux `update.Result`). */
export class UpdateResult {
  /** Every change with its location, in the order made. */
  readonly located: LocatedChange[] = [];

  /** Records one change. */
  add(file: string, object: ObjectIdentifier, change: Change, line: number): void {
    this.located.push({ file, object, change, line });
  }

  /** True when nothing changed. */
  get empty(): boolean {
    return this.located.length === 0;
  }

  /** The files changed, sorted. */
  files(): string[] {
    return [...new Set(this.located.map((c) => c.file))].sort();
  }

  /** file → object → changes; one identifier instance per distinct object. */
  get FileChanges(): Map<string, ObjectChanges> {
    const out = new Map<string, ObjectChanges>();
    const ids = new Map<string, ObjectIdentifier>();
    for (const file of this.files()) {
      const perFile = this.located.filter((c) => c.file === file);
      const objects = [...new Map(perFile.map((c) => [objectKey(c.object), c.object])).values()].sort(compareObjectIds);
      const changes: ObjectChanges = new Map();
      for (const o of objects) {
        const key = objectKey(o);
        const id = ids.get(key) ?? o;
        ids.set(key, id);
        changes.set(id, perFile.filter((c) => objectKey(c.object) === key).map((c) => c.change));
      }
      out.set(file, changes);
    }
    return out;
  }

  /** Distinct changes across all files (Flux `Result.Changes()`), first occurrence order. */
  Changes(): Change[] {
    const seen = new Set<string>();
    const out: Change[] = [];
    for (const file of this.files()) {
      for (const c of this.located.filter((x) => x.file === file)) {
        const key = JSON.stringify([c.change.OldValue, c.change.NewValue, c.change.Setter]);
        if (!seen.has(key)) {
          seen.add(key);
          out.push(c.change);
        }
      }
    }
    return out;
  }

  /** object → changes regardless of file (Flux `Result.Objects()`: a later file's entry replaces an earlier one). */
  Objects(): ObjectChanges {
    const byKey = new Map<string, [ObjectIdentifier, Change[]]>();
    for (const objects of this.FileChanges.values()) {
      for (const [id, changes] of objects) byKey.set(objectKey(id), [id, changes]);
    }
    const sorted = [...byKey.values()].sort((a, b) => compareObjectIds(a[0], b[0]));
    return new Map(sorted);
  }

  /** A result holding only the changes accepted by `keep`. */
  filter(keep: (c: LocatedChange) => boolean): UpdateResult {
    const out = new UpdateResult();
    for (const c of this.located) if (keep(c)) out.located.push(c);
    return out;
  }
}
