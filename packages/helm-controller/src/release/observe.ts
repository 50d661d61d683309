// SPDX-License-Identifier: Apache-2.0
/**
 * Observing what a helm action wrote. Flux hooks helm's storage driver to see every release record
 * an action writes; driving the CLI, the controller instead reads the storage before and after the
 * action and takes the records that are new or were rewritten. The `record*` functions then apply
 * Flux's per-action rules for turning those records into `status.history` snapshots
 * (`observeRelease`/`recordOnObject`, `observeTest`, `observeRollback`, `observeUninstall`).
 */
import type { ReleaseRecord } from '../helm/release-record.ts';
import type { StoredRelease } from '../helm/storage.ts';
import { latest, snapshotOf, targets, testHooksOf } from './snapshot.ts';
import { DEFAULT_MAX_HISTORY, statusOf, type HelmReleaseObject, type Snapshot } from './types.ts';

/** A storage listing reduced to what changes between two reads. */
export type StorageMark = Map<number, string>;

/** Remembers the versions and resource versions of a listing. */
export function mark(stored: StoredRelease[]): StorageMark {
  return new Map(stored.map((s) => [s.record.version, s.resourceVersion]));
}

/** Records in `after` that are new since `before` or were rewritten, newest first. */
export function observedSince(before: StorageMark, after: StoredRelease[]): ReleaseRecord[] {
  return after.filter((s) => before.get(s.record.version) !== s.resourceVersion).map((s) => s.record);
}

function findIndex(history: Snapshot[], rec: ReleaseRecord): number {
  return history.findIndex((s) => targets(s, rec.name, rec.namespace, rec.version));
}

/**
 * Install/upgrade (Flux's `recordOnObject` with `mutateOCIDigest`): the newest observed record is
 * prepended (carrying `status.lastAttemptedRevisionDigest` as its OCI digest); older observed records
 * (e.g. the release the upgrade superseded) update the snapshot that targets them, keeping its test
 * results and OCI digest. The history never exceeds five snapshots.
 */
export function recordRelease(hr: HelmReleaseObject, observed: ReleaseRecord[], action: 'install' | 'upgrade'): void {
  if (observed.length === 0) return;
  const status = statusOf(hr);
  const [newest, ...older] = [...observed].sort((a, b) => b.version - a.version);
  const oci = status.lastAttemptedRevisionDigest || undefined;
  const history = [snapshotOf(newest!, { ...(oci ? { ociDigest: oci } : {}), action }), ...(status.history ?? [])];
  for (const rec of older) {
    const i = findIndex(history.slice(1), rec) + 1;
    if (i <= 0) continue;
    const prev = history[i]!;
    const snap = snapshotOf(rec, { ...(prev.ociDigest ? { ociDigest: prev.ociDigest } : {}), ...(prev.action ? { action: prev.action } : {}) });
    if (prev.testHooks) snap.testHooks = prev.testHooks;
    history[i] = snap;
  }
  status.history = history.slice(0, DEFAULT_MAX_HISTORY);
}

/** Test (Flux's `observeTest`): only results for the latest snapshot's release are accepted. */
export function recordTest(hr: HelmReleaseObject, observed: ReleaseRecord[]): void {
  const status = statusOf(hr);
  const cur = latest(status.history);
  if (!cur) return;
  const rec = observed.find((r) => targets(cur, r.name, r.namespace, r.version));
  if (!rec) return;
  const snap = snapshotOf(rec, { ...(cur.ociDigest ? { ociDigest: cur.ociDigest } : {}), ...(cur.action ? { action: cur.action } : {}) });
  snap.testHooks = testHooksOf(rec);
  status.history![0] = snap;
}

/**
 * Rollback (Flux's `observeRollback`): records matching a snapshot update it (keeping test
 * results); a new record (the rollback's own revision) is prepended.
 */
export function recordRollback(hr: HelmReleaseObject, observed: ReleaseRecord[]): void {
  const status = statusOf(hr);
  const history = [...(status.history ?? [])];
  for (const rec of [...observed].sort((a, b) => a.version - b.version)) {
    const i = findIndex(history, rec);
    if (i >= 0) {
      const prev = history[i]!;
      const snap = snapshotOf(rec, { ...(prev.ociDigest ? { ociDigest: prev.ociDigest } : {}), ...(prev.action ? { action: prev.action } : {}) });
      if (prev.testHooks) snap.testHooks = prev.testHooks;
      history[i] = snap;
    } else {
      history.unshift(snapshotOf(rec, { action: 'rollback' }));
    }
  }
  status.history = history.slice(0, DEFAULT_MAX_HISTORY);
}

/** Unlock and uninstall (Flux's `observeUnlock`/`observeUninstall`): update matching snapshots only. */
export function recordUpdates(hr: HelmReleaseObject, observed: ReleaseRecord[], keepTests = true): void {
  const status = statusOf(hr);
  const history = status.history;
  if (!history) return;
  for (const rec of observed) {
    const i = findIndex(history, rec);
    if (i < 0) continue;
    const prev = history[i]!;
    const snap = snapshotOf(rec, { ...(prev.ociDigest ? { ociDigest: prev.ociDigest } : {}), ...(prev.action ? { action: prev.action } : {}) });
    if (keepTests && prev.testHooks) snap.testHooks = prev.testHooks;
    history[i] = snap;
  }
}

/**
 * What helm wrote before purging an uninstalled release (`--keep-history` off): the record marked
 * `uninstalled`, as Flux's storage observer sees it just before the deletion.
 */
export function uninstalledRecord(rec: ReleaseRecord, now: Date): ReleaseRecord {
  return {
    ...rec,
    info: { ...rec.info, status: 'uninstalled', deleted: now.toISOString(), description: 'Uninstallation complete' },
  };
}
