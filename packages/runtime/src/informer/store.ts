// SPDX-License-Identifier: Apache-2.0
/**
 * The informer's cache: objects by key (`namespace/name`, or `name` when cluster-scoped) plus
 * secondary indexes. An index maps each object to zero or more values (e.g. the source it
 * references) and answers "which objects have this value" without scanning. A `namespace` index is
 * always present.
 */
import type { KubeObject } from '../client/types.ts';

/** Computes the index values of an object; return `[]` for none. */
export type IndexFunc<T extends KubeObject = KubeObject> = (obj: T) => string[];

/** The name of the built-in namespace index. */
export const NAMESPACE_INDEX = 'namespace';

/** The cache key of an object: `namespace/name`, or `name` for cluster-scoped objects. */
export function objectKey(obj: { metadata: { namespace?: string; name?: string } }): string {
  const ns = obj.metadata.namespace;
  return ns ? `${ns}/${obj.metadata.name ?? ''}` : (obj.metadata.name ?? '');
}

/** Splits a key back into namespace and name. */
export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** A keyed, indexed object cache. Not a copy: callers must not mutate the objects it returns. */
export class Store<T extends KubeObject = KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  /** index name → value → keys */
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor() {
    this.addIndexer(NAMESPACE_INDEX, (o) => [o.metadata.namespace ?? '']);
  }

  /** Number of objects. */
  get size(): number {
    return this.items.size;
  }

  /** The object with `key`, if cached. */
  get(key: string): T | undefined {
    return this.items.get(key);
  }

  /** Every cached object. */
  list(): T[] {
    return [...this.items.values()];
  }

  /** Every key. */
  keys(): string[] {
    return [...this.items.keys()];
  }

  /** Inserts or replaces an object; returns the previous version. */
  upsert(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.items.get(key);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexers) {
      if (old) this.unindex(name, fn, old, key);
      this.index(name, fn, obj, key);
    }
    return old;
  }

  /** Removes an object by key; returns it. */
  delete(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.items.delete(key);
    for (const [name, fn] of this.indexers) this.unindex(name, fn, old, key);
    return old;
  }

  /**
   * Adds (or replaces) an index and builds it over the cached objects. Index functions must be
   * pure: they run again whenever an object changes.
   */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    this.indexers.set(name, fn);
    this.indices.set(name, new Map());
    for (const [key, obj] of this.items) this.index(name, fn, obj, key);
  }

  /** True when an index of that name exists. */
  hasIndexer(name: string): boolean {
    return this.indexers.has(name);
  }

  /** Keys of the objects whose index `name` contains `value`. Throws for an unknown index. */
  indexKeys(name: string, value: string): string[] {
    const index = this.indices.get(name);
    if (!index) throw new Error(`no index named "${name}"`);
    return [...(index.get(value) ?? [])];
  }

  /** Objects whose index `name` contains `value`. Throws for an unknown index. */
  byIndex(name: string, value: string): T[] {
    return this.indexKeys(name, value).map((k) => this.items.get(k)!);
  }

  private index(name: string, fn: IndexFunc<T>, obj: T, key: string): void {
    const index = this.indices.get(name)!;
    for (const v of safeIndex(fn, obj)) {
      let keys = index.get(v);
      if (!keys) index.set(v, (keys = new Set()));
      keys.add(key);
    }
  }

  private unindex(name: string, fn: IndexFunc<T>, obj: T, key: string): void {
    const index = this.indices.get(name)!;
    for (const v of safeIndex(fn, obj)) {
      const keys = index.get(v);
      if (!keys) continue;
      keys.delete(key);
      if (keys.size === 0) index.delete(v);
    }
  }
}

function safeIndex<T extends KubeObject>(fn: IndexFunc<T>, obj: T): string[] {
  try {
    return fn(obj);
  } catch {
    return [];
  }
}

/** One requirement of a selector. */
export interface Requirement {
  key: string;
  op: 'in' | 'notin' | 'exists' | '!exists';
  values: string[];
}

/** A parsed selector; the empty selector matches everything. */
export interface LabelSelector {
  requirements: Requirement[];
  matches(labels: Record<string, string> | undefined): boolean;
}

function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '') out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

function parseTerm(term: string): Requirement {
  const set = /^([^\s!=]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
  if (set) {
    const values = set[3]!.split(',').map((v) => v.trim()).filter((v) => v !== '');
    return { key: set[1]!, op: set[2] as 'in' | 'notin', values };
  }
  const cmp = /^([^\s!=]+)\s*(==|=|!=)\s*([^\s]*)$/.exec(term);
  if (cmp) return { key: cmp[1]!, op: cmp[2] === '!=' ? 'notin' : 'in', values: [cmp[3]!] };
  const not = /^!\s*([^\s!=(),]+)$/.exec(term);
  if (not) return { key: not[1]!, op: '!exists', values: [] };
  if (/^[^\s!=(),]+$/.test(term)) return { key: term, op: 'exists', values: [] };
  throw new Error(`invalid label selector term "${term}"`);
}

/** Parses a selector string; throws on syntax errors. */
export function parseSelector(selector: string | undefined): LabelSelector {
  const requirements = splitTerms(selector ?? '').map(parseTerm);
  return {
    requirements,
    matches(labels) {
      return requirements.every((r) => {
        const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
        const v = has ? labels![r.key]! : undefined;
        switch (r.op) {
          case 'exists':
            return has;
          case '!exists':
            return !has;
          case 'in':
            return has && r.values.includes(v!);
          case 'notin':
            return !has || !r.values.includes(v!);
        }
      });
    },
  };
}
