// SPDX-License-Identifier: Apache-2.0
/**
 * Flux's release snapshots (`status.history[]`, `api/v2/snapshot_types.go`) and how they are
 * observed from helm release records (`internal/release/observation.go`).
 *
 * The snapshot `digest` is `sha256` over the JSON of Flux's `Observation` (name, version, info, chart
 * metadata, config, manifest, non-test hooks, namespace, OCI digest), recomputed here from the
 * record helm stored, so a release is recognised as "made by this HelmRelease" exactly when Flux
 * would recognise it.
 */
import { createHash } from 'node:crypto';
import type { ReleaseHook, ReleaseRecord } from '../helm/release-record.ts';
import { digestValues } from '../values/digest.ts';
import { goJsonEncode } from './go-json.ts';
import { DEFAULT_MAX_HISTORY, type Snapshot, type TestHookStatus } from './types.ts';

const isTestHook = (h: ReleaseHook): boolean => (h.events ?? []).some((e) => e === 'test' || e === 'test-success');

/** Flux's `Observation` as Go encodes it (field order matters). */
function observation(rec: ReleaseRecord, ociDigest?: string): Record<string, unknown> {
  const hooks = (rec.hooks ?? []).filter((h) => !isTestHook(h));
  const config = rec.config && Object.keys(rec.config).length > 0 ? rec.config : null;
  const obs: Record<string, unknown> = {
    name: rec.name,
    version: rec.version,
    info: rec.info ?? {},
    chartMetadata: rec.chart?.metadata ?? {},
    config,
    manifest: rec.manifest ?? '',
    hooks: hooks.length > 0 ? hooks : null,
    namespace: rec.namespace,
  };
  if (ociDigest) obs['ociDigest'] = ociDigest;
  return obs;
}

/** The snapshot digest of a release record. */
export function releaseDigest(rec: ReleaseRecord, ociDigest?: string): string {
  return `sha256:${createHash('sha256').update(goJsonEncode(observation(rec, ociDigest)), 'utf8').digest('hex')}`;
}

/** Helm's times are RFC 3339 with nanoseconds; `metav1.Time` keeps seconds. */
export function toMetaTime(t: string | undefined): string | undefined {
  if (!t) return undefined;
  const ms = Date.parse(t);
  if (Number.isNaN(ms) || ms <= Date.parse('0001-01-02T00:00:00Z')) return undefined;
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * The action that wrote a record when the controller did not observe it: helm describes rollbacks as
 * `Rollback to <n>`; otherwise version 1 was an install and later versions upgrades.
 */
export function actionOf(rec: ReleaseRecord): string {
  if (/^Rollback to \d+/.test(rec.info?.description ?? '')) return 'rollback';
  return rec.version === 1 ? 'install' : 'upgrade';
}

/** Sets the optional fields whose value is defined and non-empty. */
function withOptional<T extends object>(target: T, fields: Partial<T>): T {
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== '') (target as Record<string, unknown>)[k] = v;
  return target;
}

/** Flux's `ObservedToSnapshot`. `ociDigest` is carried over from the HelmRelease. */
export function snapshotOf(rec: ReleaseRecord, opts: { ociDigest?: string; action?: string } = {}): Snapshot {
  const md = rec.chart?.metadata;
  const info = rec.info ?? {};
  const snap: Snapshot = {
    digest: releaseDigest(rec, opts.ociDigest),
    name: rec.name,
    namespace: rec.namespace,
    version: rec.version,
    status: String(info.status ?? 'unknown'),
    chartName: md?.name ?? '',
    chartVersion: md?.version ?? '',
    configDigest: digestValues(rec.config ?? undefined),
    firstDeployed: toMetaTime(info.first_deployed) ?? '',
    lastDeployed: toMetaTime(info.last_deployed) ?? '',
    action: opts.action ?? actionOf(rec),
  };
  return withOptional(snap, { appVersion: md?.appVersion, deleted: toMetaTime(info.deleted), ociDigest: opts.ociDigest });
}

/** Flux's `TestHooksFromRelease`: the release's test hooks, by name. */
export function testHooksOf(rec: ReleaseRecord): Record<string, TestHookStatus> {
  const out: Record<string, TestHookStatus> = {};
  for (const h of rec.hooks ?? []) {
    if (!isTestHook(h)) continue;
    const run = h.last_run;
    const s: TestHookStatus = {};
    const started = toMetaTime(run?.started_at);
    const completed = toMetaTime(run?.completed_at);
    if (started) s.lastStarted = started;
    if (completed) s.lastCompleted = completed;
    if (run?.phase) s.phase = run.phase;
    out[h.name] = s;
  }
  return out;
}

/** `<namespace>/<name>.v<version>`. */
export function fullName(s: Pick<Snapshot, 'namespace' | 'name' | 'version'>): string {
  return `${s.namespace}/${s.name}.v${s.version}`;
}

/** `<chart>@<version>`. */
export function versionedChartName(s: Pick<Snapshot, 'chartName' | 'chartVersion'>): string {
  return `${s.chartName}@${s.chartVersion}`;
}

/** True when tests were observed for the snapshot (an empty map means "no tests"). */
export function hasBeenTested(s: Snapshot | undefined): boolean {
  return s?.testHooks !== undefined;
}

/** True when a test hook of the snapshot is in `phase`. */
export function hasTestInPhase(s: Snapshot | undefined, phase: string): boolean {
  return Object.values(s?.testHooks ?? {}).some((h) => h.phase === phase);
}

/** Sorts history newest first (in place) and returns it. */
export function sortHistory(h: Snapshot[]): Snapshot[] {
  return h.sort((a, b) => b.version - a.version);
}

/** The newest snapshot. */
export function latest(h: Snapshot[] | undefined): Snapshot | undefined {
  return h && h.length > 0 ? sortHistory(h)[0] : undefined;
}

const deployedish = (s: Snapshot): boolean => s.status === 'deployed' || s.status === 'superseded';

/** Flux's `Previous`: the newest snapshot before the latest that was deployed or superseded (and not failing tests unless ignored). */
export function previous(h: Snapshot[] | undefined, ignoreTests: boolean): Snapshot | undefined {
  if (!h || h.length < 2) return undefined;
  return sortHistory(h).slice(1).find((s) => deployedish(s) && (ignoreTests || !hasTestInPhase(s, 'Failed')));
}

/** Flux's `Truncate`: keep up to the previous deployed snapshot, else the newest 5. Returns a new array. */
export function truncate(h: Snapshot[] | undefined, ignoreTests: boolean): Snapshot[] {
  if (!h) return [];
  const sorted = sortHistory([...h]);
  if (sorted.length < 2) return sorted;
  const i = sorted.slice(1).findIndex((s) => deployedish(s) && (ignoreTests || !hasTestInPhase(s, 'Failed')));
  if (i >= 0) return sorted.slice(0, i + 2);
  return sorted.slice(0, DEFAULT_MAX_HISTORY);
}

/** True when the snapshot describes the given release version. */
export function targets(s: Snapshot | undefined, name: string, namespace: string, version: number): boolean {
  return s !== undefined && s.name === name && s.namespace === namespace && s.version === version;
}
