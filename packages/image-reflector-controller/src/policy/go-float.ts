// SPDX-License-Identifier: Apache-2.0
/**
 * Go's `strconv.ParseFloat(s, 64)` acceptance rules, so the numerical policy accepts and rejects
 * the same tags as Flux. `Number()` is far more lenient (`""`, `" 1"`, `"0x10"`, `"0b1"` all
 * parse), so the syntax is checked first and only then converted.
 */

const DEC_DIGITS = '[0-9](?:_?[0-9])*';
const DECIMAL = new RegExp(`^[+-]?(?:${DEC_DIGITS}(?:\\.(?:${DEC_DIGITS})?)?|\\.${DEC_DIGITS})(?:[eE][+-]?${DEC_DIGITS})?$`);
const HEX_DIGITS = '[0-9A-Fa-f](?:_?[0-9A-Fa-f])*';
const HEX = new RegExp(`^([+-]?)0[xX]_?(${HEX_DIGITS})?(?:\\.(${HEX_DIGITS})?)?[pP]([+-]?${DEC_DIGITS})$`);
const SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

function hexValue(intPart: string, frac: string, exp: string): number {
  let mantissa = 0;
  for (const ch of intPart + frac) mantissa = mantissa * 16 + parseInt(ch, 16);
  return mantissa * 2 ** (Number(exp) - 4 * frac.length);
}

/**
 * Parses like `strconv.ParseFloat(s, 64)`; returns `undefined` where Go returns a syntax error.
 * Out-of-range values become ±Infinity (Go returns ±Inf with a range error; Flux treats any error
 * as a parse failure, so they are rejected too).
 */
export function parseGoFloat(s: string): number | undefined {
  const special = SPECIAL.exec(s);
  if (special) {
    if (special[2]!.toLowerCase() === 'nan') return special[1] ? undefined : NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  // Go accepts `_` between digits (`1_000`).
  if (DECIMAL.test(s)) {
    const n = Number(s.replace(/_/g, ''));
    return Number.isFinite(n) ? n : undefined;
  }
  const hex = HEX.exec(s);
  if (hex && (hex[2] || hex[3])) {
    const clean = (x: string | undefined): string => (x ?? '').replace(/_/g, '');
    const n = hexValue(clean(hex[2]), clean(hex[3]), clean(hex[4]));
    if (!Number.isFinite(n)) return undefined;
    return hex[1] === '-' ? -n : n;
  }
  return undefined;
}
