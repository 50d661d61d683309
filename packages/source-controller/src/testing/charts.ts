// SPDX-License-Identifier: Apache-2.0
/** Test helpers for charts: a fixture chart as a file map, and reading files out of a packaged chart. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { list } from 'tar';

/** Every file under `dir`, keyed `<prefix>/<relative path>`. */
export function filesOf(dir: string, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(p).isDirectory()) walk(p, r);
      else out[`${prefix}/${r}`] = readFileSync(p, 'utf8');
    }
  };
  walk(dir, '');
  return out;
}

/** The files of a `.tgz` (path → content). */
export async function tgzFiles(file: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  await list({
    file,
    onReadEntry: (e) => {
      const chunks: Buffer[] = [];
      e.on('data', (c: Buffer) => chunks.push(c));
      e.on('end', () => (out[e.path] = Buffer.concat(chunks).toString('utf8')));
    },
  });
  return out;
}
