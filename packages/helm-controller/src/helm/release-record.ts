// SPDX-License-Identifier: Apache-2.0
/**
 * Helm's release record (`helm.sh/helm/v4/pkg/release/v1.Release`) as JSON, the way the `secret`
 * storage driver keeps it: `data.release` = base64(gzip(JSON)), itself base64-encoded by the
 * apiserver, in a Secret `sh.helm.release.v1.<name>.v<version>` labelled
 * `owner=helm,name=<name>,status=<status>,version=<version>`.
 */
import { gunzipSync, gzipSync } from 'node:zlib';

/** Helm release statuses. */
export type StoredReleaseStatus =
  | 'unknown'
  | 'deployed'
  | 'uninstalled'
  | 'superseded'
  | 'failed'
  | 'uninstalling'
  | 'pending-install'
  | 'pending-upgrade'
  | 'pending-rollback';

/** True for the `pending-*` statuses that lock a release. */
export function isPending(status: string | undefined): boolean {
  return status === 'pending-install' || status === 'pending-upgrade' || status === 'pending-rollback';
}

/** `release.Info`. Times are RFC 3339 with nanoseconds; `deleted` is `""` when unset. */
export interface ReleaseInfo {
  first_deployed?: string;
  last_deployed?: string;
  deleted?: string;
  description?: string;
  status?: StoredReleaseStatus | string;
  notes?: string;
  [key: string]: unknown;
}

/** `chart.Metadata` (subset read by the controller; the rest is kept verbatim). */
export interface ChartMetadata {
  name: string;
  version: string;
  appVersion?: string;
  [key: string]: unknown;
}

/** A hook's last execution. */
export interface HookExecution {
  started_at?: string;
  completed_at?: string;
  phase?: 'Unknown' | 'Running' | 'Succeeded' | 'Failed' | string;
}

/** `release.Hook`. */
export interface ReleaseHook {
  name: string;
  kind: string;
  path?: string;
  manifest?: string;
  events?: string[];
  last_run?: HookExecution;
  weight?: number;
  delete_policies?: string[];
  [key: string]: unknown;
}

/**
 * A release record. The chart's templates, files and default values are dropped when decoding
 * (see {@link decodeRelease}) to bound memory; `chart.metadata` is kept.
 */
export interface ReleaseRecord {
  name: string;
  info?: ReleaseInfo;
  chart?: { metadata?: ChartMetadata; [key: string]: unknown };
  config?: Record<string, unknown> | null;
  manifest?: string;
  hooks?: ReleaseHook[] | null;
  version: number;
  namespace: string;
  labels?: Record<string, string>;
  [key: string]: unknown;
}

/** The Secret name of a release version. */
export function releaseSecretName(name: string, version: number): string {
  return `sh.helm.release.v1.${name}.v${version}`;
}

/** Decodes the payload of `data.release` as the apiserver returns it (base64 of helm's base64). */
export function decodeReleaseData(apiData: string): Buffer {
  const helmB64 = Buffer.from(apiData, 'base64').toString('latin1');
  const raw = Buffer.from(helmB64, 'base64');
  // Helm gzips records; very old records may be plain JSON.
  return raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
}

/**
 * Decodes a release record. With `keepChart: false` (the default) only `chart.metadata` is kept
 * from the chart, which is what the controller needs and keeps memory bounded.
 */
export function decodeRelease(apiData: string, keepChart = false): ReleaseRecord {
  const rec = JSON.parse(decodeReleaseData(apiData).toString('utf8')) as ReleaseRecord;
  if (!keepChart && rec.chart) rec.chart = { metadata: rec.chart.metadata };
  return rec;
}

/** Encodes a full record the way helm's secret driver does, ready for `data.release`. */
export function encodeRelease(rec: ReleaseRecord): string {
  const helmB64 = gzipSync(Buffer.from(JSON.stringify(rec), 'utf8')).toString('base64');
  return Buffer.from(helmB64, 'latin1').toString('base64');
}

/** `<namespace>/<name>.v<version>`, Flux's `FullReleaseName`. */
export function fullReleaseName(rec: { namespace: string; name: string; version: number }): string {
  return `${rec.namespace}/${rec.name}.v${rec.version}`;
}

/** Test hooks of a release (hooks with a `test` or `test-success` event). */
export function testHooks(rec: ReleaseRecord): ReleaseHook[] {
  return (rec.hooks ?? []).filter((h) => (h.events ?? []).some((e) => e === 'test' || e === 'test-success'));
}
