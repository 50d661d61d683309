// SPDX-License-Identifier: Apache-2.0
/** Builders of release records, snapshots and HelmReleases for unit tests. */
import { FakeClock } from '@eddy/runtime/clock';
import type { ReleaseRecord } from '../helm/release-record.ts';
import { snapshotOf } from './snapshot.ts';
import type { HelmReleaseObject, HelmReleaseSpec, Snapshot } from './types.ts';

/** A release record as helm would store it. */
export function record(version: number, status: string, opts: { config?: Record<string, unknown>; chartVersion?: string; name?: string; namespace?: string; hooks?: ReleaseRecord['hooks'] } = {}): ReleaseRecord {
  const t = `2026-01-01T00:0${version % 10}:00.123456789Z`;
  return {
    name: opts.name ?? 'podinfo',
    namespace: opts.namespace ?? 'apps',
    version,
    info: { first_deployed: '2026-01-01T00:00:00.5Z', last_deployed: t, description: version === 1 ? 'Install complete' : 'Upgrade complete', status },
    chart: { metadata: { name: 'podinfo', version: opts.chartVersion ?? '6.14.1', appVersion: '6.14.1', apiVersion: 'v2' } },
    config: opts.config ?? { replicaCount: 1 },
    manifest: `---\n# Source: podinfo/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: podinfo-v${version}\n`,
    hooks: opts.hooks ?? null,
  };
}

/** The snapshot the controller would have recorded for `rec`. */
export function snap(rec: ReleaseRecord, extra: Partial<Snapshot> = {}): Snapshot {
  return { ...snapshotOf(rec), ...extra };
}

/** A HelmRelease in namespace `apps` named `podinfo`. */
export function helmRelease(spec: Partial<HelmReleaseSpec> = {}, status: HelmReleaseObject['status'] = {}): HelmReleaseObject {
  return { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'podinfo', namespace: 'apps', generation: 1 }, spec: { interval: '10m', ...spec }, status };
}

/** A fake clock at a fixed instant. */
export const testClock = (): FakeClock => new FakeClock(Date.parse('2026-02-01T00:00:00Z'));
