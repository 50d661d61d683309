// SPDX-License-Identifier: Apache-2.0
/** Running the real `flux` binary from the e2e tests, and reading the tables it prints. */
import { execFile } from 'node:child_process';
import { toolPath } from '@eddy/testenv';

/** The flux binary, or why it is missing. */
export function fluxBinary(): { path?: string; missing?: string } {
  try {
    return { path: toolPath('flux') };
  } catch (err) {
    return { missing: (err as Error).message };
  }
}

/** How flux prints a revision: every 40–128 digit hex run cut to 8 (its `utils.TruncateHex`). */
export const short = (revision: string): string => revision.replace(/\b[a-f0-9]{40,128}\b/g, (h) => h.slice(0, 8));

/** The result of one flux run. */
export interface FluxResult {
  code: number;
  out: string;
  err: string;
}

/** A table printed by `flux get`: the header cells (upper case) and the rows, cells trimmed. */
export interface Table {
  header: string[];
  rows: string[][];
}

/** Parses flux's tables (tablewriter, cells padded and separated by tabs); `flux get all` prints several. */
export function tables(out: string): Table[] {
  const result: Table[] = [];
  for (const block of out.split(/\n\s*\n/)) {
    const lines = block.split('\n').filter((l) => l.trim() !== '');
    if (lines.length === 0) continue;
    const [header, ...rows] = lines.map((l) => l.trimEnd().split('\t').map((c) => c.trim()));
    result.push({ header: header!, rows });
  }
  return result;
}

/** The row of `name` in a table as a header → cell map. */
export function row(table: Table | undefined, name: string): Record<string, string> | undefined {
  if (!table) return undefined;
  const nameCol = table.header.indexOf('NAME');
  const r = table.rows.find((cells) => cells[nameCol] === name);
  return r ? Object.fromEntries(table.header.map((h, i) => [h, r[i] ?? ''])) : undefined;
}

/** Where one flux run points. */
export interface FluxTarget {
  kubeconfig: string;
  namespace: string;
  /** HOME for flux, so its discovery cache (~/.kube/cache) stays out of the user's. */
  home: string;
}

/**
 * Runs `flux <argv> --kubeconfig … -n <ns>`, with `--timeout 2m` unless `argv` has one; never
 * throws on a non-zero exit.
 */
export function runFlux(bin: string, argv: string[], target: FluxTarget): Promise<FluxResult> {
  const args = [...argv, '--kubeconfig', target.kubeconfig, '-n', target.namespace, ...(argv.includes('--timeout') ? [] : ['--timeout', '2m'])];
  return new Promise((resolve) => {
    execFile(bin, args, { env: { PATH: process.env.PATH, HOME: target.home }, timeout: 180_000, maxBuffer: 8 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, out: stdout, err: stderr });
    });
  });
}
