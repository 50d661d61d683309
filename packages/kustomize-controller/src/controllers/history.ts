// SPDX-License-Identifier: Apache-2.0
/**
 * `status.history` (fluxcd/pkg `apis/meta` `History.Upsert`): one snapshot per digest of the
 * built resources, newest first, at most five; reconciling the same digest again updates its
 * last time, duration, status and count instead of adding an entry.
 */
import { formatDurationNanos, type HistorySnapshot } from '@eddy/api';
import { formatTime } from '@eddy/runtime/conditions';

/** How many snapshots are kept. */
export const MAX_HISTORY = 5;

/** One reconciliation result to record. */
export interface HistoryRecord {
  /** `sha256:<hex>` of the built resources. */
  digest: string;
  nowMs: number;
  durationMs: number;
  /** The Ready reason. */
  status: string;
  metadata?: Record<string, string>;
}

/** Inserts or updates the snapshot of `rec.digest`; returns the new history. */
export function upsertHistory(history: HistorySnapshot[] | undefined, rec: HistoryRecord): HistorySnapshot[] {
  const { digest, nowMs, durationMs, status, metadata } = rec;
  const now = formatTime(nowMs);
  const duration = formatDurationNanos(BigInt(Math.max(0, Math.round(durationMs))) * 1_000_000n);
  const list = [...(history ?? [])];
  const i = list.findIndex((s) => s.digest === digest);
  if (i >= 0) {
    const s = list[i]!;
    list[i] = {
      ...s,
      lastReconciled: now,
      lastReconciledDuration: duration,
      lastReconciledStatus: status,
      totalReconciliations: (s.totalReconciliations ?? 0) + 1,
      ...(metadata ? { metadata } : {}),
    };
  } else {
    list.unshift({
      digest,
      firstReconciled: now,
      lastReconciled: now,
      lastReconciledDuration: duration,
      lastReconciledStatus: status,
      totalReconciliations: 1,
      ...(metadata ? { metadata } : {}),
    });
  }
  list.sort((a, b) => (a.lastReconciled < b.lastReconciled ? 1 : a.lastReconciled > b.lastReconciled ? -1 : 0));
  return list.slice(0, MAX_HISTORY);
}
