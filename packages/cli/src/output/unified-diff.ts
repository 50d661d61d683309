// SPDX-License-Identifier: Apache-2.0
/**
 * Line diffs in unified format (`--- a`, `+++ b`, `@@ -l,n +l,n @@` hunks with context), computed
 * with Myers' O(ND) algorithm. Used by `eddy diff` to show what a server-side apply would change.
 */

/** One line of an edit script. */
export interface DiffOp {
  op: ' ' | '-' | '+';
  line: string;
}

/** Above this many lines in total the diff is reported as a whole replacement. */
const MAX_LINES = 20_000;

/** The shortest edit script turning `a` into `b`. */
export function diffLines(a: string[], b: string[]): DiffOp[] {
  const n = a.length;
  const m = b.length;
  if (n + m > MAX_LINES) return [...a.map((line) => ({ op: '-' as const, line })), ...b.map((line) => ({ op: '+' as const, line }))];
  const max = n + m;
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1]! < v[off + k + 1]!) ? v[off + k + 1]! : v[off + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[off + k] = x;
      if (x >= n && y >= m) return backtrack(a, b, trace, off);
    }
  }
  return [];
}

function backtrack(a: string[], b: string[], trace: Int32Array[], off: number): DiffOp[] {
  const ops: DiffOp[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 1; d >= 0; d--) {
    const v = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && v[off + k - 1]! < v[off + k + 1]!) ? k + 1 : k - 1;
    const prevX = v[off + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push({ op: ' ', line: a[x - 1]! });
      x--;
      y--;
    }
    if (d > 0) {
      if (x === prevX) ops.push({ op: '+', line: b[y - 1]! });
      else ops.push({ op: '-', line: a[x - 1]! });
    }
    x = prevX;
    y = prevY;
  }
  return ops.reverse();
}

/** The end (exclusive) of the changes starting at `i`, merging changes closer than `2*context` lines. */
function changeRunEnd(ops: DiffOp[], i: number, context: number): number {
  let end = i;
  for (;;) {
    while (end < ops.length && ops[end]!.op !== ' ') end++;
    let next = end;
    while (next < ops.length && ops[next]!.op === ' ') next++;
    if (next >= ops.length || next - end > 2 * context) return end;
    end = next;
  }
}

/** The `@@ -a,b +c,d @@` header of a hunk starting at `pos` (0-based line indexes). */
function hunkHeader(hunk: DiffOp[], pos: { ai: number; bi: number }): string {
  const fromLen = hunk.filter((o) => o.op !== '+').length;
  const toLen = hunk.filter((o) => o.op !== '-').length;
  const fromStart = fromLen === 0 ? pos.ai : pos.ai + 1;
  const toStart = toLen === 0 ? pos.bi : pos.bi + 1;
  return `@@ -${fromStart},${fromLen} +${toStart},${toLen} @@`;
}

/**
 * Renders a unified diff of two texts with `context` lines around each change; the empty string
 * when they are equal.
 */
export function unifiedDiff(before: string, after: string, labels: { from: string; to: string }, context = 3): string {
  const lines = (t: string): string[] => (t === '' ? [] : (t.endsWith('\n') ? t.slice(0, -1) : t).split('\n'));
  const ops = diffLines(lines(before), lines(after));
  if (ops.every((o) => o.op === ' ')) return '';
  // Positions of each op in the old and new texts.
  const pos: Array<{ ai: number; bi: number }> = [];
  let ai = 0;
  let bi = 0;
  for (const o of ops) {
    pos.push({ ai, bi });
    if (o.op !== '+') ai++;
    if (o.op !== '-') bi++;
  }
  const out = [`--- ${labels.from}`, `+++ ${labels.to}`];
  let i = 0;
  while (i < ops.length) {
    if (ops[i]!.op === ' ') {
      i++;
      continue;
    }
    const start = Math.max(0, i - context);
    const stop = Math.min(ops.length, changeRunEnd(ops, i, context) + context);
    const hunk = ops.slice(start, stop);
    out.push(hunkHeader(hunk, pos[start]!), ...hunk.map((o) => `${o.op}${o.line}`));
    i = stop;
  }
  return out.join('\n');
}
