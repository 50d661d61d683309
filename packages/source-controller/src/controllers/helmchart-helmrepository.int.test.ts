// SPDX-License-Identifier: Apache-2.0
/**
 * HelmChart from a HelmRepository, against a real apiserver and the testenv chart repository (real
 * `helm package` + `helm repo index`, basic auth): the pulled chart is the repository's exact
 * `.tgz`; values files repackage it as `<version>+<generation>`; missing versions, bad ranges and
 * missing sources fail with Flux's reasons while the previous artifact stays.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { HelmChart } from '@eddy/api/source/v1';
import type { ChartRepo } from '@eddy/testenv';
import { startChartRepo } from '@eddy/testenv';
import { parse } from 'yaml';
import { tgzFiles } from '../testing/charts.ts';
import type { Harness } from '../testing/harness.ts';
import { cond, startHarness } from '../testing/harness.ts';
import { HelmChartReconciler } from './helmchart-reconciler.ts';
import { HelmRepositoryReconciler } from './helmrepository-reconciler.ts';

const HR = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository' } as const;
const HC = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmChart' } as const;
const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('HelmChart: from a HelmRepository', { timeout: 180_000 }, () => {
  let h: Harness;
  let repo: ChartRepo;
  let repos: HelmRepositoryReconciler;
  let charts: HelmChartReconciler;
  let version = '';
  const reconcile = (name: string, conformance = true): Promise<{ obj: HelmChart; error?: unknown }> => h.reconcile<HelmChart>(charts, HC, name, { conformance });
  const create = async (name: string, spec: Record<string, unknown>): Promise<void> => {
    await h.client.create({ ...HC, metadata: { name, namespace: h.ns }, spec: { interval: '1m', sourceRef: { kind: 'HelmRepository', name: 'podinfo' }, ...spec } } as never);
    await reconcile(name, false);
  };
  const update = async (name: string, spec: Record<string, unknown>): Promise<void> => {
    const cur = await h.fetch<HelmChart>(HC, name);
    await h.client.update({ ...cur, spec: { ...cur.spec, ...spec } } as never);
  };

  before(async () => {
    h = await startHarness('helmchart-repo');
    repo = await startChartRepo({ auth: { username: 'charts', password: 's3cret' } });
    version = repo.charts[0]!.version;
    await h.secret('repo-auth', { username: 'charts', password: 's3cret' });
    repos = new HelmRepositoryReconciler({ client: h.client, storage: h.storage });
    charts = new HelmChartReconciler({ client: h.client, storage: h.storage });
    await h.client.create({ ...HR, metadata: { name: 'podinfo', namespace: h.ns }, spec: { interval: '1m', url: repo.url, secretRef: { name: 'repo-auth' } } } as never);
    await h.reconcile(repos, HR, 'podinfo', { conformance: false });
    const { obj } = await h.reconcile(repos, HR, 'podinfo');
    assert.equal(cond(obj, 'Ready')?.status, 'True');
  });

  after(async () => {
    await repo?.stop();
    await h?.stop();
  });

  it('pulls the newest version as the repository serves it', async () => {
    await create('podinfo', { chart: 'podinfo', version: '*' });
    const { obj, error } = await reconcile('podinfo');
    assert.equal(error, undefined);
    const art = obj.status!.artifact!;
    assert.equal(art.revision, version);
    assert.equal(art.path, `helmchart/${h.ns}/podinfo/podinfo-${version}.tgz`);
    assert.equal(sha(h.storage.localPath(art)), sha(repo.charts[0]!.file), 'the artifact is the served .tgz');
    assert.equal(art.digest, `sha256:${sha(repo.charts[0]!.file)}`);
    const ready = cond(obj, 'Ready');
    assert.equal(ready?.status, 'True');
    assert.equal(ready?.reason, 'ChartPullSucceeded');
    assert.equal(ready?.message, `pulled 'podinfo' chart with version '${version}'`);
    const source = await h.fetch<{ status: { artifact: { revision: string } } } & HelmChart>(HR, 'podinfo');
    assert.equal(obj.status?.observedSourceArtifactRevision, source.status.artifact.revision);
    assert.equal(obj.status?.observedChartName, 'podinfo');
    assert.equal(obj.status?.url, `http://source-controller.test.svc/helmchart/${h.ns}/podinfo/latest.tar.gz`);
    const again = await reconcile('podinfo');
    assert.deepEqual(again.obj.status?.artifact, art, 'an unchanged chart is not downloaded again');
  });

  it('merges values files into a repackaged chart with version <ver>+<generation>', async () => {
    await update('podinfo', { valuesFiles: ['values.yaml', 'values-prod.yaml'] });
    const { obj, error } = await reconcile('podinfo');
    assert.equal(error, undefined);
    const gen = obj.metadata.generation!;
    assert.equal(obj.status?.artifact?.revision, `${version}+${gen}`);
    assert.equal(obj.status?.artifact?.path, `helmchart/${h.ns}/podinfo/podinfo-${version}+${gen}.tgz`);
    assert.equal(cond(obj, 'Ready')?.reason, 'ChartPackageSucceeded');
    assert.equal(cond(obj, 'Ready')?.message, `packaged 'podinfo' chart with version '${version}+${gen}' and merged values files [values.yaml values-prod.yaml]`);
    const files = await tgzFiles(h.storage.localPath(obj.status!.artifact!));
    assert.equal((parse(files['podinfo/Chart.yaml']!) as { version: string }).version, `${version}+${gen}`);
    const values = parse(files['podinfo/values.yaml']!) as { hpa: { enabled: boolean; maxReplicas: number } };
    assert.equal(values.hpa.enabled, true, 'values-prod.yaml wins over values.yaml');
    assert.equal(values.hpa.maxReplicas, 5);
    const keys = Object.keys(parse(files['podinfo/values.yaml']!) as object);
    assert.deepEqual(keys, [...keys].sort(), 'keys are sorted as Go marshals maps');
  });

  it('stalls on a version no chart matches, keeping the artifact', async () => {
    const prev = (await h.fetch<HelmChart>(HC, 'podinfo')).status!.artifact!;
    await update('podinfo', { version: '99.x', valuesFiles: null });
    const { obj } = await reconcile('podinfo');
    const ff = cond(obj, 'FetchFailed');
    assert.equal(ff?.reason, 'InvalidChartReference');
    assert.equal(ff?.message, "invalid chart reference: failed to get chart version for remote reference: no 'podinfo' chart with version matching '99.x' found");
    assert.equal(cond(obj, 'Stalled')?.status, 'True');
    assert.equal(cond(obj, 'Ready')?.status, 'False');
    assert.deepEqual(obj.status?.artifact, prev);
    assert.ok(existsSync(h.storage.localPath(prev)));
  });

  it('stalls on an invalid version range and on an unknown chart', async () => {
    await update('podinfo', { version: '>= foo' });
    const bad = await reconcile('podinfo');
    assert.equal(cond(bad.obj, 'FetchFailed')?.reason, 'InvalidChartReference');
    assert.match(cond(bad.obj, 'FetchFailed')?.message ?? '', /improper constraint: >= foo/);
    await create('unknown', { chart: 'nope' });
    const { obj } = await reconcile('unknown');
    assert.match(cond(obj, 'FetchFailed')?.message ?? '', /no chart name found/);
    assert.equal(cond(obj, 'Stalled')?.status, 'True');
  });

  it('reports a missing source and a source without artifact', async () => {
    await create('nosource', { chart: 'podinfo', sourceRef: { kind: 'HelmRepository', name: 'absent' } });
    const missing = await reconcile('nosource');
    assert.ok(missing.error);
    assert.equal(cond(missing.obj, 'FetchFailed')?.reason, 'SourceUnavailable');
    assert.match(cond(missing.obj, 'FetchFailed')?.message ?? '', /helmrepositories.source.toolkit.fluxcd.io "absent" not found/);
    await h.client.create({ ...HR, metadata: { name: 'empty', namespace: h.ns }, spec: { interval: '1m', url: 'http://127.0.0.1:1/' } } as never);
    await create('noartifact', { chart: 'podinfo', sourceRef: { kind: 'HelmRepository', name: 'empty' } });
    const { obj } = await reconcile('noartifact');
    assert.equal(cond(obj, 'FetchFailed')?.reason, 'NoSourceArtifact');
    assert.equal(cond(obj, 'FetchFailed')?.message, "no artifact available for HelmRepository source 'empty'");
    assert.equal(cond(obj, 'Ready')?.status, 'False');
  });
});
