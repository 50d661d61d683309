// SPDX-License-Identifier: Apache-2.0
/** Plain aligned tables like Flux's CLI prints (upper-case headers, two spaces between columns). */

/** Renders rows under headers, each column as wide as its widest cell. */
export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('\t')
      .replace(/\t/g, '  ')
      .trimEnd();
  return [line(headers.map((h) => h.toUpperCase())), ...rows.map(line)].join('\n');
}
