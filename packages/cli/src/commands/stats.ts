// SPDX-License-Identifier: Apache-2.0
/**
 * `eddy stats [-A]`: per kind, how many objects are running (not suspended), failing (Ready=False)
 * and suspended, and the storage their artifacts use — Flux's `stats` table.
 */
import { ApiError, type KubeObject } from '@eddy/runtime/client';
import type { CliContext } from '../context.ts';
import { KINDS } from '../kinds.ts';
import { renderTable } from '../output/table.ts';
import { retryTransient } from '../retry.ts';

/** One row of the report. */
export interface KindStats {
  kind: string;
  running: number;
  failing: number;
  suspended: number;
  storageBytes: number;
}

/** Counts one kind's objects (pure; exported for tests). */
export function countStats(kind: string, objs: KubeObject[]): KindStats {
  const s: KindStats = { kind, running: 0, failing: 0, suspended: 0, storageBytes: 0 };
  for (const o of objs) {
    const suspended = (o['spec'] as { suspend?: boolean } | undefined)?.suspend === true;
    if (suspended) s.suspended++;
    else s.running++;
    const status = (o['status'] ?? {}) as { conditions?: Array<{ type: string; status: string }>; artifact?: { size?: number } };
    if (status.conditions?.some((c) => c.type === 'Ready' && c.status === 'False')) s.failing++;
    if (typeof status.artifact?.size === 'number') s.storageBytes += status.artifact.size;
  }
  return s;
}

/** Flux's size format: `-` for none, `512 B`, `1.5 KiB`, `3.0 MiB`. */
export function formatSize(bytes: number): string {
  if (bytes === 0) return '-';
  if (bytes < 1024) return `${bytes} B`;
  let div = 1024;
  let exp = 0;
  for (let n = bytes / 1024; n >= 1024; n /= 1024) {
    div *= 1024;
    exp++;
  }
  return `${(bytes / div).toFixed(1)} ${'KMGTPE'[exp]}iB`;
}

/** Runs `stats`. */
export async function stats(ctx: CliContext, opts: { allNamespaces?: boolean }): Promise<void> {
  const rows: string[][] = [];
  for (const kind of KINDS) {
    let items: KubeObject[] = [];
    try {
      items = (await retryTransient(ctx, () => ctx.client().list(kind.apiVersion, kind.kind, opts.allNamespaces ? {} : { namespace: ctx.opts.namespace }))).items;
    } catch (err) {
      if (!(ApiError.is(err) && err.code === 404)) throw err;
    }
    const s = countStats(kind.kind, items);
    rows.push([s.kind, String(s.running), String(s.failing), String(s.suspended), formatSize(s.storageBytes)]);
  }
  ctx.out(renderTable(['reconcilers', 'running', 'failing', 'suspended', 'storage'], rows));
}
