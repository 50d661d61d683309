// SPDX-License-Identifier: Apache-2.0
/** Byte-length-aware string trimming, shared by conditions (32 KiB messages) and events (1 KiB notes). */

/** The most bytes a condition message may have; longer ones are cut and end in `...` (Flux's limit). */
export const MAX_CONDITION_MESSAGE_BYTES = 32768;

const TRIM_SUFFIX = '...';

/** Number of UTF-8 bytes of `s`. */
export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/**
 * Returns `s` when it fits in `maxBytes` UTF-8 bytes; otherwise the longest prefix that, followed by
 * `suffix`, fits, never splitting a code point (Flux cuts bytes and may split one; the apiserver
 * counts characters, so a whole-code-point cut is always accepted where Flux's is).
 */
export function truncateUtf8(s: string, maxBytes: number, suffix = TRIM_SUFFIX): string {
  if (utf8Length(s) <= maxBytes) return s;
  const budget = Math.max(maxBytes, utf8Length(suffix)) - utf8Length(suffix);
  let used = 0;
  let end = 0;
  for (const ch of s) {
    const n = utf8Length(ch);
    if (used + n > budget) break;
    used += n;
    end += ch.length;
  }
  return s.slice(0, end) + suffix;
}

/** Trims a condition message to {@link MAX_CONDITION_MESSAGE_BYTES}, ending it in `...` when cut. */
export function trimConditionMessage(message: string): string {
  return truncateUtf8(message, MAX_CONDITION_MESSAGE_BYTES);
}
