// SPDX-License-Identifier: Apache-2.0
/**
 * HelmChart from a GitRepository, against a real apiserver and the testenv git server: the chart
 * directory is packaged by the real `helm package`; `reconcileStrategy: Revision` adds the commit
 * to the version; values files from the source root are merged (and missing ones ignored on
 * request); a `file://` dependency is built with `helm dependency build`; a missing chart path stalls.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { GitRepository, HelmChart } from '@eddy/api/source/v1';
import type { ChartRepo, GitServer } from '@eddy/testenv';
import { podinfoChartDir, startChartRepo, startGitServer } from '@eddy/testenv';
import { parse } from 'yaml';
import { filesOf, tgzFiles } from '../testing/charts.ts';
import type { Harness } from '../testing/harness.ts';
import { cond, startHarness } from '../testing/harness.ts';
import { GitRepositoryReconciler } from './gitrepository-reconciler.ts';
import { HelmChartReconciler } from './helmchart-reconciler.ts';

const GR = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' } as const;
const HC = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmChart' } as const;

const UMBRELLA = `apiVersion: v2
name: umbrella
version: 0.1.0
dependencies:
  - name: podinfo
    version: "*"
    repository: file://../podinfo
`;

describe('HelmChart: from a GitRepository', { timeout: 180_000 }, () => {
  let h: Harness;
  let git: GitServer;
  let chartRepo: ChartRepo;
  let gits: GitRepositoryReconciler;
  let charts: HelmChartReconciler;
  let commit = '';
  let chartVersion = '';
  const reconcile = (name: string, conformance = true): Promise<{ obj: HelmChart; error?: unknown }> => h.reconcile<HelmChart>(charts, HC, name, { conformance });
  const create = async (name: string, spec: Record<string, unknown>): Promise<void> => {
    await h.client.create({ ...HC, metadata: { name, namespace: h.ns }, spec: { interval: '1m', sourceRef: { kind: 'GitRepository', name: 'charts' }, ...spec } } as never);
    await reconcile(name, false);
  };

  before(async () => {
    h = await startHarness('helmchart-git');
    git = await startGitServer({ auth: 'basic', ssh: false });
    chartRepo = await startChartRepo();
    await h.secret('git-auth', { username: git.username, password: git.password });
    const files: Record<string, string> = {
      ...filesOf(podinfoChartDir()!, 'charts/podinfo'),
      'charts/umbrella/Chart.yaml': UMBRELLA,
      'charts/umbrella/values.yaml': 'podinfo:\n  replicaCount: 3\n',
      'charts/remote/Chart.yaml': `apiVersion: v2\nname: remote\nversion: 0.2.0\ndependencies:\n  - name: podinfo\n    version: ">=6.0.0"\n    repository: ${chartRepo.url}\n`,
      'charts/remote/values.yaml': '',
      'env/prod-values.yaml': 'replicaCount: 7\nui:\n  message: prod\n',
    };
    chartVersion = (parse(files['charts/podinfo/Chart.yaml']!) as { version: string }).version;
    const r = await git.createRepo('charts', files, { branch: 'main' });
    commit = r.commit!;
    gits = new GitRepositoryReconciler({ client: h.client, storage: h.storage });
    charts = new HelmChartReconciler({ client: h.client, storage: h.storage });
    await h.client.create({ ...GR, metadata: { name: 'charts', namespace: h.ns }, spec: { interval: '1m', url: r.httpUrl, secretRef: { name: 'git-auth' }, ref: { branch: 'main' } } } as never);
    await h.reconcile(gits, GR, 'charts', { conformance: false });
    const { obj } = await h.reconcile<GitRepository>(gits, GR, 'charts');
    assert.equal(cond(obj, 'Ready')?.status, 'True', cond(obj, 'Ready')?.message);
  });

  after(async () => {
    await chartRepo?.stop();
    await git?.stop();
    await h?.stop();
  });

  it('packages the chart directory with helm', async () => {
    await create('podinfo', { chart: 'charts/podinfo' });
    const { obj, error } = await reconcile('podinfo');
    assert.equal(error, undefined);
    assert.equal(obj.status?.artifact?.revision, chartVersion);
    assert.equal(obj.status?.artifact?.path, `helmchart/${h.ns}/podinfo/podinfo-${chartVersion}.tgz`);
    assert.equal(cond(obj, 'Ready')?.reason, 'ChartPackageSucceeded');
    assert.equal(cond(obj, 'Ready')?.message, `packaged 'podinfo' chart with version '${chartVersion}'`);
    assert.equal(obj.status?.observedSourceArtifactRevision, `main@sha1:${commit}`);
    const files = await tgzFiles(h.storage.localPath(obj.status!.artifact!));
    assert.ok(files['podinfo/templates/deployment.yaml'], 'templates are packaged');
    assert.equal(files['podinfo/README.md'] !== undefined, true);
    const again = await reconcile('podinfo');
    assert.deepEqual(again.obj.status?.artifact, obj.status?.artifact, 'the same version is not repackaged');
  });

  it('adds the commit with reconcileStrategy Revision and the generation with values files', async () => {
    const cur = await h.fetch<HelmChart>(HC, 'podinfo');
    await h.client.update({ ...cur, spec: { ...cur.spec, reconcileStrategy: 'Revision', valuesFiles: ['charts/podinfo/values.yaml', 'env/prod-values.yaml', 'env/missing.yaml'], ignoreMissingValuesFiles: true } } as never);
    const { obj, error } = await reconcile('podinfo');
    assert.equal(error, undefined);
    const want = `${chartVersion}+${commit.slice(0, 12)}.${obj.metadata.generation}`;
    assert.equal(obj.status?.artifact?.revision, want);
    assert.deepEqual(obj.status?.observedValuesFiles, ['charts/podinfo/values.yaml', 'env/prod-values.yaml']);
    const files = await tgzFiles(h.storage.localPath(obj.status!.artifact!));
    const values = parse(files['podinfo/values.yaml']!) as { replicaCount: number; ui: { message: string; color: string } };
    assert.equal(values.replicaCount, 7);
    assert.equal(values.ui.message, 'prod');
    assert.equal(values.ui.color, '#34577c', 'nested maps merge');
    assert.equal((parse(files['podinfo/Chart.yaml']!) as { version: string }).version, want);
  });

  it('fails a missing values file unless ignored, as ValuesFilesError (stalled)', async () => {
    const cur = await h.fetch<HelmChart>(HC, 'podinfo');
    await h.client.update({ ...cur, spec: { ...cur.spec, ignoreMissingValuesFiles: false } } as never);
    const { obj } = await reconcile('podinfo');
    assert.equal(cond(obj, 'BuildFailed')?.reason, 'ValuesFilesError');
    assert.match(cond(obj, 'BuildFailed')?.message ?? '', /values files merge error: no values file found at path '\/env\/missing.yaml' \(reference 'env\/missing.yaml'\)/);
    assert.equal(cond(obj, 'Stalled')?.status, 'True');
    assert.ok(obj.status?.artifact, 'the previous artifact stays');
  });

  it('builds a file:// dependency with helm dependency build', async () => {
    await create('umbrella', { chart: 'charts/umbrella' });
    const { obj, error } = await reconcile('umbrella');
    assert.equal(error, undefined, String(error));
    assert.equal(obj.status?.artifact?.revision, '0.1.0');
    const files = await tgzFiles(h.storage.localPath(obj.status!.artifact!));
    assert.ok(
      Object.keys(files).some((f) => f.startsWith(`umbrella/charts/podinfo-${chartVersion}.tgz`) || f.startsWith('umbrella/charts/podinfo/')),
      `dependency packaged: ${Object.keys(files).join(', ')}`,
    );
  });

  it('downloads an http(s) dependency from its chart repository', async () => {
    await create('remote', { chart: 'charts/remote' });
    const { obj, error } = await reconcile('remote');
    assert.equal(error, undefined, String(error));
    const files = await tgzFiles(h.storage.localPath(obj.status!.artifact!));
    const dep = files['remote/charts/podinfo/Chart.yaml'];
    assert.ok(dep !== undefined || files[`remote/charts/podinfo-${chartRepo.charts[0]!.version}.tgz`] !== undefined, Object.keys(files).join(', '));
    if (dep) assert.equal((parse(dep) as { version: string }).version, chartRepo.charts[0]!.version);
  });

  it('stalls on a chart path that does not exist', async () => {
    await create('missing', { chart: 'charts/absent' });
    const { obj } = await reconcile('missing');
    assert.equal(cond(obj, 'FetchFailed')?.reason, 'InvalidChartReference');
    assert.match(cond(obj, 'FetchFailed')?.message ?? '', /^invalid chart reference: /);
    assert.equal(cond(obj, 'Stalled')?.status, 'True');
  });
});
