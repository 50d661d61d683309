// SPDX-License-Identifier: Apache-2.0
/**
 * HelmChart from an OCI HelmRepository: podinfo pushed with the real `helm push` to the testenv
 * registry; the HelmRepository stays static (no artifact, no status) while the HelmChart resolves
 * the newest tag and stores the pulled chart unchanged; signature verification is refused.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { HelmChart, HelmRepository } from '@eddy/api/source/v1';
import type { Registry } from '@eddy/testenv';
import { podinfoChartDir, startRegistry } from '@eddy/testenv';
import { helmPackage, runHelm } from '../helm/helm-cli.ts';
import type { Harness } from '../testing/harness.ts';
import { cond, startHarness } from '../testing/harness.ts';
import { HelmChartReconciler } from './helmchart-reconciler.ts';
import { HelmRepositoryReconciler } from './helmrepository-reconciler.ts';

const HR = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository' } as const;
const HC = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmChart' } as const;

describe('HelmChart: from an OCI HelmRepository', { timeout: 180_000 }, () => {
  let h: Harness;
  let registry: Registry;
  let charts: HelmChartReconciler;
  const packaged: Record<string, string> = {};
  const work = mkdtempSync(join(tmpdir(), 'eddy-oci-charts-'));
  const reconcile = (name: string, conformance = true): Promise<{ obj: HelmChart; error?: unknown }> => h.reconcile<HelmChart>(charts, HC, name, { conformance });

  before(async () => {
    h = await startHarness('helmchart-oci');
    registry = await startRegistry();
    for (const v of ['1.0.0', '1.2.0', '2.0.0-rc.1']) {
      const out = mkdtempSync(join(work, 'pkg-'));
      packaged[v] = await helmPackage(podinfoChartDir()!, out, { version: v });
      await runHelm(['push', packaged[v], `oci://${registry.host}/charts`, '--plain-http']);
    }
    charts = new HelmChartReconciler({ client: h.client, storage: h.storage });
    await h.client.create({ ...HR, metadata: { name: 'oci', namespace: h.ns }, spec: { interval: '1m', type: 'oci', url: `oci://${registry.host}/charts` } } as never);
    const repos = new HelmRepositoryReconciler({ client: h.client, storage: h.storage });
    const { obj } = await h.reconcile<HelmRepository>(repos, HR, 'oci', { conformance: false });
    assert.equal(obj.status?.artifact, undefined);
    assert.equal(obj.metadata.finalizers, undefined);
  });

  after(async () => {
    await registry?.stop();
    await h?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('pulls the newest stable tag as pushed', async () => {
    await h.client.create({ ...HC, metadata: { name: 'podinfo', namespace: h.ns }, spec: { interval: '1m', chart: 'podinfo', version: '*', sourceRef: { kind: 'HelmRepository', name: 'oci' } } } as never);
    await reconcile('podinfo', false);
    const { obj, error } = await reconcile('podinfo');
    assert.equal(error, undefined, String(error));
    assert.equal(obj.status?.artifact?.revision, '1.2.0');
    assert.equal(cond(obj, 'Ready')?.reason, 'ChartPullSucceeded');
    const sha = (f: string): string => createHash('sha256').update(readFileSync(f)).digest('hex');
    assert.equal(sha(h.storage.localPath(obj.status!.artifact!)), sha(packaged['1.2.0']!));
    assert.equal(obj.status?.observedSourceArtifactRevision, undefined, 'an OCI repository has no artifact');
  });

  it('takes an exact version as the tag and refuses signature verification', async () => {
    const cur = await h.fetch<HelmChart>(HC, 'podinfo');
    await h.client.update({ ...cur, spec: { ...cur.spec, version: '2.0.0-rc.1' } } as never);
    assert.equal((await reconcile('podinfo')).obj.status?.artifact?.revision, '2.0.0-rc.1');
    const next = await h.fetch<HelmChart>(HC, 'podinfo');
    await h.client.update({ ...next, spec: { ...next.spec, verify: { provider: 'cosign' } } } as never);
    const { obj } = await reconcile('podinfo');
    assert.equal(cond(obj, 'SourceVerified')?.status, 'False');
    assert.equal(cond(obj, 'Ready')?.status, 'False');
    assert.equal(cond(obj, 'Stalled')?.status, 'True');
  });
});
