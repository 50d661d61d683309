// SPDX-License-Identifier: Apache-2.0
/**
 * Eddy's core promise, checked with Flux's own CLI: the real `flux` binary (v2.9.4, built from Go
 * modules by `hack/tools.sh flux`) reads and drives objects reconciled by Eddy's source-,
 * kustomize-, image-reflector- and image-automation-controllers, run as processes watching this
 * test's namespace, against the loopback git server, OCI registry and Helm repository.
 * flux decodes every object into Flux's Go API types and waits with kstatus, so a field of the
 * wrong type, a missing `observedGeneration`, conditions kstatus misreads, an ignored
 * `reconcile.fluxcd.io/requestedAt` or missing `kustomize.toolkit.fluxcd.io/*` labels fail here
 * even when Eddy's own CLI is happy. Covered: check --pre, get (sources, kustomizations, images,
 * all), reconcile (git, oci, chart --with-source, ks --with-source, image repository/update),
 * suspend/resume, create source git/kustomization, export, trace, diff, stats, tree, events, delete.
 *
 * Without the binary the test fails (`make test` builds it); set `EDDY_SKIP_FLUX=1` to skip instead.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '@eddy/runtime/client';
import { startChartRepo, startGitServer, startRegistry, podinfoChartDir, type ChartRepo, type ControllerProcess, type GitServer, type Registry } from '@eddy/testenv';
import { fluxBinary, row, runFlux, short, tables, type FluxResult, type Table } from './flux.ts';
import { getObj, setup, type Env } from './harness.ts';

const SOURCE_V1 = 'source.toolkit.fluxcd.io/v1';
const KS_V1 = 'kustomize.toolkit.fluxcd.io/v1';
const IMAGE_V1 = 'image.toolkit.fluxcd.io/v1';
const REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';
const IMAGE_REPO = 'apps/web';
const OCI_REPO = 'apps/manifests';
const FLUX_LAYER = 'application/vnd.cncf.flux.content.v1.tar+gzip';

const { path: FLUX, missing: FLUX_MISSING } = fluxBinary();
const SKIP = !FLUX && process.env.EDDY_SKIP_FLUX ? 'the flux binary is not built (run `hack/tools.sh flux`) and EDDY_SKIP_FLUX is set' : false;

const configMap = (name: string, value: string): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  value: "${value}"\n`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type WithStatus = KubeObject & {
  spec?: { suspend?: boolean };
  status?: {
    conditions?: Array<{ type: string; status: string; message?: string }>;
    artifact?: { revision?: string };
    lastAppliedRevision?: string;
    lastHandledReconcileAt?: string;
  };
};

describe('the flux CLI drives Eddy', { skip: SKIP, timeout: 600_000 }, () => {
  let env: Env;
  let git: GitServer;
  let registry: Registry;
  let charts: ChartRepo;
  let ociDigest = '';
  let home = '';
  let repoUrl = '';
  let commit = '';
  const procs: ControllerProcess[] = [];

  const logs = (): string => procs.map((p) => `--- ${p.controller} (running: ${p.running})\n${p.logTail(40)}`).join('\n');

  /** Runs `flux <argv> --kubeconfig … -n <ns>` (with `--timeout 2m` unless given); never throws on a non-zero exit. */
  const flux = (argv: string[]): Promise<FluxResult> => runFlux(FLUX!, argv, { kubeconfig: env.kubeconfig, namespace: env.namespace, home });

  /** Runs flux and asserts exit 0, failing with its output and the controllers' logs. */
  async function fluxOk(argv: string[]): Promise<FluxResult> {
    const r = await flux(argv);
    assert.equal(r.code, 0, `flux ${argv.join(' ')} exited ${r.code}\nstdout:\n${r.out}\nstderr:\n${r.err}\n${logs()}`);
    return r;
  }

  /**
   * Runs `flux get …` until the row of `name` is Ready=True and returns it with its table. A
   * reconcile can start right after a Ready one (a dependency retry falling due), and every
   * reconcile opens with Ready=Unknown, as Flux's controllers do; flux then prints `Unknown`.
   */
  async function readyRow(argv: string[], name: string): Promise<{ table: Table; row: Record<string, string>; out: string }> {
    let last: FluxResult | undefined;
    const found = await until(
      `flux ${argv.join(' ')} to show ${name} Ready`,
      async () => {
        last = await fluxOk(argv);
        const [table] = tables(last.out);
        const r = row(table, name);
        return table && r?.['READY'] === 'True' ? { table, row: r, out: last.out } : undefined;
      },
      30_000,
    ).catch((err: unknown) => assert.fail(`${(err as Error).message}\nlast output:\n${last?.out ?? ''}${last?.err ?? ''}`));
    return found;
  }

  /** Polls `probe` until it returns a value other than undefined; fails with the controllers' logs. */
  async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}\n${logs()}`);
      await sleep(250);
    }
  }

  const get = (apiVersion: string, kind: string, name: string): Promise<WithStatus | undefined> =>
    getObj(env, apiVersion, kind, name) as Promise<WithStatus | undefined>;
  const ready = (o: WithStatus | undefined): boolean => o?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';

  before(async () => {
    if (!FLUX) assert.fail(`${FLUX_MISSING ?? 'flux not found'} (or set EDDY_SKIP_FLUX=1 to skip this test)`);
    env = await setup('e2e-flux');
    home = mkdtempSync(join(tmpdir(), 'e2e-flux-home-'));
    [git, registry, charts] = await Promise.all([startGitServer({ ssh: false }), startRegistry(), startChartRepo()]);
    const repo = await git.createRepo('fleet', { 'apps/config.yaml': configMap('app-config', 'one') });
    repoUrl = repo.httpUrl;
    commit = repo.commit!;
    await registry.pushImage(IMAGE_REPO, '1.0.0');
    await registry.pushImage(IMAGE_REPO, '1.1.0');
    ociDigest = (await registry.pushImage(OCI_REPO, 'latest', { mediaType: FLUX_LAYER, files: { 'config.yaml': configMap('oci-config', 'one') } })).digest;
    for (const name of ['source', 'kustomize', 'image-reflector', 'image-automation'] as const) procs.push(await env.controller(name));
    const meta = (name: string): { name: string; namespace: string } => ({ name, namespace: env.namespace });
    await env.client.create({ apiVersion: 'v1', kind: 'Secret', metadata: meta('git-auth'), stringData: { username: git.username, password: git.password } } as never);
    await env.client.create({
      apiVersion: SOURCE_V1,
      kind: 'GitRepository',
      metadata: meta('fleet'),
      spec: { interval: '10m', url: repoUrl, ref: { branch: 'main' }, secretRef: { name: 'git-auth' } },
    } as never);
    await env.client.create({
      apiVersion: KS_V1,
      kind: 'Kustomization',
      metadata: meta('apps'),
      spec: { interval: '10m', path: './apps', prune: true, targetNamespace: env.namespace, sourceRef: { kind: 'GitRepository', name: 'fleet' } },
    } as never);
    await env.client.create({
      apiVersion: IMAGE_V1,
      kind: 'ImageRepository',
      metadata: meta('web'),
      spec: { image: `${registry.host}/${IMAGE_REPO}`, interval: '10m', insecure: true },
    } as never);
    await env.client.create({
      apiVersion: IMAGE_V1,
      kind: 'ImagePolicy',
      metadata: meta('web'),
      spec: { imageRepositoryRef: { name: 'web' }, policy: { semver: { range: '>=1.0.0' } } },
    } as never);
    // Nothing under ./apps carries an $imagepolicy marker, so every run finds nothing to commit.
    await env.client.create({
      apiVersion: IMAGE_V1,
      kind: 'ImageUpdateAutomation',
      metadata: meta('fleet'),
      spec: {
        interval: '10m',
        sourceRef: { kind: 'GitRepository', name: 'fleet' },
        git: { checkout: { ref: { branch: 'main' } }, commit: { author: { name: 'Eddy Bot', email: 'bot@eddy.dev' } }, push: { branch: 'main' } },
        update: { path: './apps', strategy: 'Setters' },
      },
    } as never);
    await env.client.create({
      apiVersion: SOURCE_V1,
      kind: 'OCIRepository',
      metadata: meta('manifests'),
      spec: { interval: '10m', url: `oci://${registry.host}/${OCI_REPO}`, ref: { tag: 'latest' }, insecure: true },
    } as never);
    await env.client.create({ apiVersion: SOURCE_V1, kind: 'HelmRepository', metadata: meta('charts'), spec: { interval: '10m', url: charts.url } } as never);
    await env.client.create({
      apiVersion: SOURCE_V1,
      kind: 'HelmChart',
      metadata: meta('podinfo'),
      spec: { interval: '10m', chart: 'podinfo', version: '*', sourceRef: { kind: 'HelmRepository', name: 'charts' } },
    } as never);
    await until('Kustomization apps Ready', async () => {
      const ks = await get(KS_V1, 'Kustomization', 'apps');
      return ready(ks) && ks?.status?.lastAppliedRevision === `main@sha1:${commit}` ? true : undefined;
    });
  });

  after(async () => {
    await env?.cleanup();
    await Promise.all([git?.stop(), registry?.stop(), charts?.stop()]);
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('flux check --pre accepts the control plane', async () => {
    const r = await fluxOk(['check', '--pre']);
    assert.match(r.err, /✔ Kubernetes \d+\.\d+\.\d+ >=\d+\.\d+\.\d+/);
    assert.match(r.err, /✔ prerequisites checks passed/);
  });

  it('flux check finds Eddy\'s CRDs by their app.kubernetes.io/part-of=flux label', async () => {
    // The controllers run as processes here, not as Deployments, so the controllers check fails.
    const r = await flux(['check']);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /✗ no controllers found in the '.*' namespace/);
    const crds = [...r.err.matchAll(/^✔ ([a-z]+\.[a-z.]+fluxcd\.io)\/(v\w+)$/gm)].map((m) => `${m[1]}/${m[2]}`);
    for (const want of [
      'gitrepositories.source.toolkit.fluxcd.io/v1',
      'ocirepositories.source.toolkit.fluxcd.io/v1',
      'helmrepositories.source.toolkit.fluxcd.io/v1',
      'helmcharts.source.toolkit.fluxcd.io/v1',
      'buckets.source.toolkit.fluxcd.io/v1',
      'kustomizations.kustomize.toolkit.fluxcd.io/v1',
      'helmreleases.helm.toolkit.fluxcd.io/v2',
      'imagerepositories.image.toolkit.fluxcd.io/v1',
      'imagepolicies.image.toolkit.fluxcd.io/v1',
      'imageupdateautomations.image.toolkit.fluxcd.io/v1',
    ]) {
      assert.ok(crds.includes(want), `flux check lists ${want}:\n${r.err}`);
    }
  });

  it('flux get sources git shows the GitRepository Ready at its revision', async () => {
    const { table, row: fleet } = await readyRow(['get', 'sources', 'git'], 'fleet');
    assert.deepEqual(table.header, ['NAME', 'REVISION', 'SUSPENDED', 'READY', 'MESSAGE']);
    assert.equal(fleet['REVISION'], short(`main@sha1:${commit}`));
    assert.equal(fleet['SUSPENDED'], 'False');
    assert.equal(fleet['MESSAGE'], short(`stored artifact for revision 'main@sha1:${commit}'`));
  });

  it('flux get kustomizations shows the Kustomization Ready with the applied revision', async () => {
    const { table, row: apps } = await readyRow(['get', 'kustomizations'], 'apps');
    assert.deepEqual(table.header, ['NAME', 'REVISION', 'SUSPENDED', 'READY', 'MESSAGE']);
    assert.equal(apps['REVISION'], short(`main@sha1:${commit}`));
    assert.equal(apps['SUSPENDED'], 'False');
    assert.equal(apps['MESSAGE'], short(`Applied revision: main@sha1:${commit}`));
  });

  it('flux reconcile source git fetches a new commit and the controller acknowledges requestedAt', async () => {
    const next = await git.commitFiles('fleet', { 'apps/config.yaml': configMap('app-config', 'two') });
    const r = await fluxOk(['reconcile', 'source', 'git', 'fleet']);
    assert.match(r.err, /► annotating GitRepository fleet in .* namespace/);
    assert.match(r.err, /✔ GitRepository annotated/);
    assert.match(r.err, new RegExp(`✔ fetched revision main@sha1:${next}`));
    const obj = await get(SOURCE_V1, 'GitRepository', 'fleet');
    const token = obj?.metadata.annotations?.[REQUESTED_AT];
    assert.ok(token, 'flux set reconcile.fluxcd.io/requestedAt');
    assert.equal(obj?.status?.lastHandledReconcileAt, token);
    assert.equal(obj?.status?.artifact?.revision, `main@sha1:${next}`);
    commit = next;
  });

  it('flux reconcile kustomization --with-source applies a new commit', async () => {
    const next = await git.commitFiles('fleet', { 'apps/config.yaml': configMap('app-config', 'three') });
    const r = await fluxOk(['reconcile', 'kustomization', 'apps', '--with-source']);
    assert.match(r.err, new RegExp(`✔ fetched revision main@sha1:${next}`));
    assert.match(r.err, /✔ Kustomization annotated/);
    assert.match(r.err, new RegExp(`✔ applied revision main@sha1:${next}`));
    const cm = await getObj(env, 'v1', 'ConfigMap', 'app-config');
    assert.equal((cm?.['data'] as { value?: string } | undefined)?.value, 'three');
    const ks = await get(KS_V1, 'Kustomization', 'apps');
    assert.equal(ks?.status?.lastHandledReconcileAt, ks?.metadata.annotations?.[REQUESTED_AT]);
    commit = next;
  });

  it('flux suspend kustomization sets spec.suspend; get shows it; reconcile refuses', async () => {
    const r = await fluxOk(['suspend', 'kustomization', 'apps']);
    assert.match(r.err, /✔ kustomization suspended/);
    assert.equal((await get(KS_V1, 'Kustomization', 'apps'))?.spec?.suspend, true);
    const listed = row(tables((await fluxOk(['get', 'kustomizations'])).out)[0], 'apps');
    assert.equal(listed?.['SUSPENDED'], 'True');
    const refused = await flux(['reconcile', 'kustomization', 'apps']);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /✗ resource is suspended/);
  });

  it('flux resume kustomization clears spec.suspend and waits until Ready', async () => {
    const next = await git.commitFiles('fleet', { 'apps/config.yaml': configMap('app-config', 'four') });
    await fluxOk(['reconcile', 'source', 'git', 'fleet']);
    const r = await fluxOk(['resume', 'kustomization', 'apps']);
    assert.match(r.err, /✔ kustomization resumed/);
    assert.match(r.err, /✔ Kustomization apps reconciliation completed/);
    // The suspended Kustomization missed the commit; resuming (a new generation) applies it.
    assert.match(r.err, new RegExp(`✔ applied revision main@sha1:${next}`));
    const ks = await get(KS_V1, 'Kustomization', 'apps');
    // flux's merge patch of `suspend: false` (omitempty in Go) removes the field.
    assert.ok(!ks?.spec?.suspend, 'spec.suspend cleared');
    assert.ok(ready(ks));
    assert.equal(((await getObj(env, 'v1', 'ConfigMap', 'app-config'))?.['data'] as { value?: string } | undefined)?.value, 'four');
    commit = next;
  });

  it('flux get image repository and policy show the scan and the selected tag', async () => {
    await until('ImagePolicy web Ready', async () => (ready(await get(IMAGE_V1, 'ImagePolicy', 'web')) ? true : undefined));
    const repos = await fluxOk(['get', 'image', 'repository']);
    const [repoTable] = tables(repos.out);
    assert.deepEqual(repoTable?.header, ['NAME', 'LAST SCAN', 'SUSPENDED', 'READY', 'MESSAGE']);
    const web = row(repoTable, 'web');
    assert.ok(web, `no row for web in:\n${repos.out}`);
    assert.match(web['LAST SCAN']!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'status.lastScanResult.scanTime decoded');
    assert.equal(web['READY'], 'True');
    assert.match(web['MESSAGE']!, /successful scan: found 2 tags/);
    const policies = await fluxOk(['get', 'image', 'policy']);
    const [policyTable] = tables(policies.out);
    assert.deepEqual(policyTable?.header, ['NAME', 'IMAGE', 'TAG', 'READY', 'MESSAGE']);
    const policy = row(policyTable, 'web');
    assert.equal(policy?.['IMAGE'], `${registry.host}/${IMAGE_REPO}`);
    assert.equal(policy?.['TAG'], '1.1.0');
    assert.equal(policy?.['READY'], 'True');
  });

  it('flux reconcile image repository rescans and picks up a new tag', async () => {
    await registry.pushImage(IMAGE_REPO, '1.2.0');
    const r = await fluxOk(['reconcile', 'image', 'repository', 'web']);
    assert.match(r.err, /✔ scan fetched 3 tags/);
    await until('ImagePolicy web at 1.2.0', async () => {
      const p = await get(IMAGE_V1, 'ImagePolicy', 'web');
      return (p?.status as { latestRef?: { tag?: string } } | undefined)?.latestRef?.tag === '1.2.0' ? true : undefined;
    });
  });

  it('flux get image update and flux reconcile image update', async () => {
    await until('ImageUpdateAutomation fleet Ready', async () => (ready(await get(IMAGE_V1, 'ImageUpdateAutomation', 'fleet')) ? true : undefined));
    const { table, row: fleet } = await readyRow(['get', 'image', 'update'], 'fleet');
    assert.deepEqual(table.header, ['NAME', 'LAST RUN', 'SUSPENDED', 'READY', 'MESSAGE']);
    assert.match(fleet['LAST RUN']!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'status.lastAutomationRunTime decoded');
    assert.equal(fleet['SUSPENDED'], 'False');
    const r = await fluxOk(['reconcile', 'image', 'update', 'fleet']);
    const obj = await get(IMAGE_V1, 'ImageUpdateAutomation', 'fleet');
    assert.equal(obj?.status?.lastHandledReconcileAt, obj?.metadata.annotations?.[REQUESTED_AT]);
    const message = obj?.status?.conditions?.find((c) => c.type === 'Ready')?.message ?? '';
    assert.ok(message, 'a Ready message');
    assert.ok(r.err.includes(`✔ ${message}`), `flux prints the Ready message:\n${r.err}`);
  });

  it('flux get sources all shows every source kind Ready at its revision', async () => {
    for (const kind of ['OCIRepository', 'HelmRepository', 'HelmChart']) {
      await until(`every ${kind} Ready`, async () => {
        const list = await env.client.list(SOURCE_V1, kind, { namespace: env.namespace });
        return list.items.length > 0 && list.items.every((o) => ready(o as WithStatus)) ? true : undefined;
      });
    }
    const helmRepo = await get(SOURCE_V1, 'HelmRepository', 'charts');
    const r = await fluxOk(['get', 'sources', 'all']);
    const all = tables(r.out);
    const find = (name: string): Record<string, string> | undefined => all.map((t) => row(t, name)).find(Boolean);
    for (const t of all) assert.deepEqual(t.header, ['NAME', 'REVISION', 'SUSPENDED', 'READY', 'MESSAGE'], r.out);
    assert.equal(find('gitrepository/fleet')?.['READY'], 'True', r.out);
    assert.equal(find('ocirepository/manifests')?.['READY'], 'True', r.out);
    assert.equal(find('ocirepository/manifests')?.['REVISION'], short(`latest@${ociDigest}`));
    assert.equal(find('helmrepository/charts')?.['READY'], 'True', r.out);
    assert.match(helmRepo?.status?.artifact?.revision ?? '', /^sha256:[a-f0-9]{64}$/);
    assert.equal(find('helmrepository/charts')?.['REVISION'], short(helmRepo!.status!.artifact!.revision!));
    assert.equal(find('helmchart/podinfo')?.['READY'], 'True', r.out);
    assert.equal(find('helmchart/podinfo')?.['REVISION'], charts.charts[0]!.version);
  });

  it('flux reconcile source oci fetches a newly pushed artifact', async () => {
    const pushed = await registry.pushImage(OCI_REPO, 'latest', { mediaType: FLUX_LAYER, files: { 'config.yaml': configMap('oci-config', 'two') } });
    assert.notEqual(pushed.digest, ociDigest);
    const r = await fluxOk(['reconcile', 'source', 'oci', 'manifests']);
    assert.match(r.err, new RegExp(`✔ fetched revision latest@${pushed.digest}`));
    ociDigest = pushed.digest;
  });

  it('flux reconcile source chart --with-source pulls a new chart version', async (t) => {
    const dir = podinfoChartDir();
    if (!dir) {
      t.skip('the podinfo fixture chart is missing');
      return;
    }
    await charts.addChart(dir, '9.9.9');
    const r = await fluxOk(['reconcile', 'source', 'chart', 'podinfo', '--with-source']);
    assert.match(r.err, /✔ fetched revision sha256:[a-f0-9]{64}/, 'the HelmRepository was reconciled first');
    assert.match(r.err, /✔ fetched revision 9\.9\.9/);
    const listed = row(tables((await fluxOk(['get', 'sources', 'chart'])).out)[0], 'podinfo');
    assert.equal(listed?.['REVISION'], '9.9.9');
    assert.equal(listed?.['MESSAGE'], "pulled 'podinfo' chart with version '9.9.9'");
  });

  it('flux get all lists every Eddy object, kind-prefixed', async () => {
    const r = await fluxOk(['get', 'all']);
    const all = tables(r.out);
    const find = (name: string): Record<string, string> | undefined => all.map((t) => row(t, name)).find(Boolean);
    assert.equal(find('gitrepository/fleet')?.['READY'], 'True', r.out);
    assert.equal(find('gitrepository/fleet')?.['REVISION'], short(`main@sha1:${commit}`));
    assert.equal(find('kustomization/apps')?.['READY'], 'True', r.out);
    assert.equal(find('kustomization/apps')?.['REVISION'], short(`main@sha1:${commit}`));
    assert.equal(find('imagerepository/web')?.['READY'], 'True', r.out);
    assert.equal(find('imagepolicy/web')?.['READY'], 'True', r.out);
    assert.equal(find('imageupdateautomation/fleet')?.['READY'], 'True', r.out);
  });

  it('flux export prints the objects as a user would commit them', async () => {
    const r = await fluxOk(['export', 'source', 'git', 'fleet']);
    const docs = parseAllDocuments(r.out).map((d) => d.toJS() as KubeObject & { spec: Record<string, unknown> });
    assert.equal(docs.length, 1, r.out);
    const [doc] = docs;
    assert.equal(doc!.apiVersion, SOURCE_V1);
    assert.equal(doc!.kind, 'GitRepository');
    // flux keeps labels and annotations (reconcile.fluxcd.io/requestedAt included); it drops the rest.
    const { annotations, ...meta } = doc!.metadata;
    assert.deepEqual(meta, { name: 'fleet', namespace: env.namespace });
    assert.deepEqual(Object.keys(annotations ?? {}), [REQUESTED_AT]);
    assert.equal(doc!.spec['url'], repoUrl);
    assert.deepEqual(doc!.spec['ref'], { branch: 'main' });
    assert.equal(doc!['status'], undefined);
    const ks = parseAllDocuments((await fluxOk(['export', 'kustomization', 'apps'])).out).map((d) => d.toJS() as KubeObject & { spec: Record<string, unknown> });
    assert.equal(ks[0]?.spec['path'], './apps');
    assert.deepEqual(ks[0]?.spec['sourceRef'], { kind: 'GitRepository', name: 'fleet' });
  });

  it('flux trace follows an applied object back through its Kustomization to the GitRepository', async () => {
    const r = await fluxOk(['trace', 'configmap', 'app-config']);
    const field = (label: string): string[] => [...r.out.matchAll(new RegExp(`^${label}:\\s+(.*)$`, 'gm'))].map((m) => m[1]!.trim());
    assert.deepEqual(field('Object'), ['ConfigMap/app-config'], r.out);
    assert.deepEqual(field('Kustomization'), ['apps'], 'found through the kustomize.toolkit.fluxcd.io/name and /namespace labels');
    assert.deepEqual(field('Path'), ['./apps']);
    assert.deepEqual(field('GitRepository'), ['fleet']);
    assert.deepEqual(field('URL'), [repoUrl]);
    assert.deepEqual(field('Branch'), ['main']);
    // The Kustomization's lastAppliedRevision, then the GitRepository's artifact revision.
    assert.deepEqual(field('Revision'), [`main@sha1:${commit}`, `main@sha1:${commit}`]);
    const [managed, ...statuses] = field('Status');
    assert.equal(managed, 'Managed by Flux');
    assert.equal(statuses.length, 2, r.out);
    assert.deepEqual(field('Message'), [`Applied revision: main@sha1:${commit}`, `stored artifact for revision 'main@sha1:${commit}'`]);
    for (const st of statuses) assert.match(st, /^Last reconciled at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$/);
  });

  it('flux suspend and resume source git', async () => {
    await fluxOk(['suspend', 'source', 'git', 'fleet']);
    assert.equal((await get(SOURCE_V1, 'GitRepository', 'fleet'))?.spec?.suspend, true);
    const r = await fluxOk(['resume', 'source', 'git', 'fleet']);
    assert.match(r.err, /✔ GitRepository fleet reconciliation completed/);
    assert.match(r.err, new RegExp(`✔ fetched revision main@sha1:${commit}`));
    assert.ok(!(await get(SOURCE_V1, 'GitRepository', 'fleet'))?.spec?.suspend);
  });

  it('flux create source git and kustomization: Eddy reconciles what flux creates', async () => {
    const next = await git.commitFiles('fleet', { 'extra/config.yaml': configMap('extra-config', 'x') });
    const src = await fluxOk(['create', 'source', 'git', 'extra', '--url', repoUrl, '--branch', 'main', '--secret-ref', 'git-auth', '--interval', '10m']);
    assert.match(src.err, /✔ GitRepository source reconciliation completed/);
    assert.match(src.err, new RegExp(`✔ fetched revision: main@sha1:${next}`));
    const ks = await fluxOk([
      'create', 'kustomization', 'extra', '--source', 'GitRepository/extra', '--path', './extra', '--prune', '--target-namespace', env.namespace, '--interval', '10m',
    ]);
    assert.match(ks.err, /✔ Kustomization extra is ready/);
    assert.match(ks.err, new RegExp(`✔ applied revision main@sha1:${next}`));
    assert.equal(((await getObj(env, 'v1', 'ConfigMap', 'extra-config'))?.['data'] as { value?: string } | undefined)?.value, 'x');
  });

  it('flux diff kustomization finds no drift in what Eddy applied, and finds a local change', async () => {
    const local = mkdtempSync(join(tmpdir(), 'e2e-flux-diff-'));
    try {
      writeFileSync(join(local, 'config.yaml'), configMap('extra-config', 'x'));
      const same = await flux(['diff', 'kustomization', 'extra', '--path', local, '--progress-bar=false']);
      assert.equal(same.code, 0, `flux diff saw drift in what Eddy applied:\n${same.out}\n${same.err}`);
      assert.doesNotMatch(same.out, /drifted|created/);
      writeFileSync(join(local, 'config.yaml'), configMap('extra-config', 'y'));
      const changed = await flux(['diff', 'kustomization', 'extra', '--path', local, '--progress-bar=false']);
      assert.equal(changed.code, 1, `${changed.out}\n${changed.err}`);
      assert.match(changed.out, new RegExp(`► ConfigMap/${env.namespace}/extra-config drifted`));
    } finally {
      rmSync(local, { recursive: true, force: true });
    }
  });

  it('flux create kustomization does not call a failing Kustomization ready', async () => {
    // A path missing from the source: every attempt fails, and is retried (Reconciling stays True,
    // reason ProgressingWithRetry, as Flux's controllers do) so kstatus reads it as in progress.
    const r = await flux(['create', 'kustomization', 'broken', '--source', 'GitRepository/extra', '--path', './missing', '--interval', '10m', '--timeout', '15s']);
    const ks = await get(KS_V1, 'Kustomization', 'broken');
    const conds = JSON.stringify(ks?.status?.conditions);
    assert.notEqual(r.code, 0, `flux create exited 0:\n${r.err}\nconditions: ${conds}`);
    assert.doesNotMatch(r.err, /is ready/);
    assert.match(r.err, /✗ context deadline exceeded/);
    const readyCond = ks?.status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(readyCond?.status, 'False', conds);
    assert.match(readyCond?.message ?? '', /missing/, conds);
  });

  it('flux stats counts reconcilers, failures and artifact storage', async () => {
    const r = await fluxOk(['stats']);
    const [table] = tables(r.out);
    assert.deepEqual(table?.header, ['RECONCILERS', 'RUNNING', 'FAILING', 'SUSPENDED', 'STORAGE'], r.out);
    const line = (kind: string): string[] | undefined => table.rows.find((cells) => cells[0] === kind);
    const repos = (await env.client.list(SOURCE_V1, 'GitRepository', { namespace: env.namespace })).items as WithStatus[];
    const bytes = repos.reduce((n, o) => n + ((o.status?.artifact as { size?: number } | undefined)?.size ?? 0), 0);
    assert.ok(bytes > 0, 'status.artifact.size is set');
    // flux's formatSize: bytes below 1 KiB as "<n> B", else one decimal in KiB/MiB/…
    const human = bytes < 1024 ? `${bytes} B` : `${(bytes / 1024 ** Math.floor(Math.log(bytes) / Math.log(1024))).toFixed(1)} ${'KMGTPE'[Math.floor(Math.log(bytes) / Math.log(1024)) - 1]}iB`;
    assert.deepEqual(line('GitRepository'), ['GitRepository', '2', '0', '0', human], r.out);
    // apps, extra and broken; broken is Ready=False.
    assert.deepEqual(line('Kustomization'), ['Kustomization', '3', '1', '0', '-'], r.out);
  });

  it('flux tree kustomization reads the inventory', async () => {
    const r = await fluxOk(['tree', 'kustomization', 'apps']);
    assert.equal(r.out.trim(), `Kustomization/${env.namespace}/apps\n└── ConfigMap/${env.namespace}/app-config`);
  });

  it('flux events lists the controllers\' events for an object', async () => {
    const r = await fluxOk(['events', '--for', 'Kustomization/apps']);
    const [table] = tables(r.out);
    assert.deepEqual(table?.header, ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'], r.out + r.err);
    const mine = table.rows.filter((cells) => cells[3] === 'Kustomization/apps');
    assert.ok(mine.length > 0, `no Kustomization/apps events in:\n${r.out}`);
    assert.ok(
      mine.some((cells) => cells[1] === 'Normal' && cells[2] === 'ReconciliationSucceeded'),
      `a Normal ReconciliationSucceeded event in:\n${r.out}`,
    );
  });

  it('flux delete kustomization deletes; the controller finalizes it', async () => {
    const r = await fluxOk(['delete', 'kustomization', 'apps', '--silent']);
    assert.match(r.err, /✔ kustomization deleted/);
    await until('Kustomization apps gone', async () => ((await get(KS_V1, 'Kustomization', 'apps')) ? undefined : true));
    // prune: true, so the finalizer removed what the Kustomization applied.
    await until('ConfigMap app-config pruned', async () => ((await getObj(env, 'v1', 'ConfigMap', 'app-config')) ? undefined : true));
  });
});
