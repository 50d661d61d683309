// SPDX-License-Identifier: Apache-2.0
/** A least-recently-used cache of strings bounded by their total size. */

/** An LRU map from keys to strings whose total size stays at or under `maxBytes`. */
export class ByteLru {
  private readonly entries = new Map<string, string>();
  private used = 0;

  /** @param maxBytes upper bound on the sum of cached values' sizes (UTF-16: 2 bytes a code unit). */
  constructor(readonly maxBytes: number) {}

  /** Size accounted for one value. */
  static sizeOf(value: string): number {
    return value.length * 2;
  }

  /** Bytes currently held. */
  get bytes(): number {
    return this.used;
  }

  /** Number of cached entries. */
  get size(): number {
    return this.entries.size;
  }

  /** Returns the value and marks it most recently used. */
  get(key: string): string | undefined {
    const v = this.entries.get(key);
    if (v === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, v);
    return v;
  }

  /** Inserts or replaces a value, evicting least recently used entries; a value larger than the bound is not cached. */
  set(key: string, value: string): void {
    this.delete(key);
    const size = ByteLru.sizeOf(value);
    if (size > this.maxBytes) return;
    this.entries.set(key, value);
    this.used += size;
    for (const [k, v] of this.entries) {
      if (this.used <= this.maxBytes) break;
      this.entries.delete(k);
      this.used -= ByteLru.sizeOf(v);
    }
  }

  /** Removes a key. */
  delete(key: string): void {
    const v = this.entries.get(key);
    if (v === undefined) return;
    this.entries.delete(key);
    this.used -= ByteLru.sizeOf(v);
  }
}
