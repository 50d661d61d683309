// SPDX-License-Identifier: Apache-2.0
/**
 * Helm charts from an OCI registry end to end: the source-controller and the helm-controller as
 * separate processes watching this test's namespace. The podinfo fixture chart is packaged and
 * pushed with the real `helm push` to the loopback registry, then released twice:
 *
 * - `chartRef` → an OCIRepository selecting the Helm chart layer
 *   (`application/vnd.cncf.helm.chart.content.v1.tar+gzip`, `copy`), as Flux documents;
 * - `spec.chart` from a HelmRepository of `type: oci` (the helm-controller templates the HelmChart).
 *
 * A new chart version pushed afterwards is picked up by both (the sources on a reconcile request,
 * the releases through the source watch), and `helm history` agrees with `status.history`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '@eddy/runtime/client';
import { podinfoChartDir, startRegistry, toolPath, type ControllerProcess, type Registry } from '@eddy/testenv';
import { setup, type Env } from './harness.ts';

const SOURCE_V1 = 'source.toolkit.fluxcd.io/v1';
const HELM_V2 = 'helm.toolkit.fluxcd.io/v2';
const HELM_CHART_LAYER = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';

interface Condition { type: string; status: string; reason?: string; message?: string }
interface Snapshot { name: string; namespace: string; version: number; status: string; chartName: string; chartVersion: string }
type Release = KubeObject & { status?: { conditions?: Condition[]; history?: Snapshot[]; lastAttemptedRevision?: string; lastAttemptedRevisionDigest?: string; storageNamespace?: string } };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('helm charts from OCI: source-controller + helm-controller processes', { timeout: 300_000 }, () => {
  let env: Env;
  let registry: Registry;
  let helmHome: string;
  const procs: ControllerProcess[] = [];

  /** The real helm with a private home, against the shared control plane. */
  const helm = (args: string[]): string =>
    execFileSync(toolPath('helm'), args, {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: helmHome, HELM_CACHE_HOME: join(helmHome, 'cache'), HELM_CONFIG_HOME: join(helmHome, 'config'), HELM_DATA_HOME: join(helmHome, 'data'), KUBECONFIG: env.kubeconfig },
    });

  /** Packages podinfo as `version` and pushes it to `oci://<registry>/charts/podinfo:<version>`. */
  const push = (version: string): void => {
    const out = join(helmHome, 'packages');
    helm(['package', podinfoChartDir()!, '--version', version, '--app-version', version, '-d', out]);
    helm(['push', join(out, `podinfo-${version}.tgz`), `oci://${registry.host}/charts`, '--plain-http']);
  };

  async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn();
      if (v !== undefined) return v;
      if (Date.now() > deadline) {
        const logs = procs.map((p) => `--- ${p.controller} (running=${p.running})\n${p.logTail(40)}`).join('\n');
        assert.fail(`timed out waiting for ${what}\n${logs}`);
      }
      await sleep(250);
    }
  }

  const release = (name: string): Promise<Release | undefined> => env.client.get<Release>({ apiVersion: HELM_V2, kind: 'HelmRelease', namespace: env.namespace, name });
  const releasedAt = (name: string, chartVersion: string): Promise<Release> =>
    until(`HelmRelease ${name} Ready with ${chartVersion}`, async () => {
      const hr = await release(name);
      const ready = hr?.status?.conditions?.find((c) => c.type === 'Ready');
      return ready?.status === 'True' && hr?.status?.history?.[0]?.chartVersion.startsWith(chartVersion) ? hr : undefined;
    });
  const requestReconcile = (kind: string, name: string, at: string): Promise<KubeObject> =>
    env.client.patch({ apiVersion: SOURCE_V1, kind, namespace: env.namespace, name }, { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': at } } }, { type: 'merge' });

  /** `helm history` of a release, oldest first, as `[revision, status, chart]`. */
  const helmHistory = (releaseName: string): Array<[number, string, string]> =>
    (JSON.parse(helm(['history', releaseName, '-n', env.namespace, '-o', 'json'])) as Array<{ revision: number; status: string; chart: string }>).map((e) => [e.revision, e.status, e.chart]);
  const statusHistory = (hr: Release): Array<[number, string, string]> =>
    [...(hr.status?.history ?? [])].reverse().map((s) => [s.version, s.status, `${s.chartName}-${s.chartVersion}`]);

  before(async () => {
    env = await setup('e2e-helm-oci');
    helmHome = mkdtempSync(join(tmpdir(), 'e2e-helm-oci-'));
    registry = await startRegistry();
    push('6.14.1');
    procs.push(await env.controller('source'), await env.controller('helm'));
  });

  after(async () => {
    await env?.cleanup();
    await registry?.stop();
    if (helmHome) rmSync(helmHome, { recursive: true, force: true });
  });

  it('installs from an OCIRepository (chart layer) and from an OCI HelmRepository', async () => {
    const ns = env.namespace;
    await env.client.create({
      apiVersion: SOURCE_V1,
      kind: 'OCIRepository',
      metadata: { name: 'podinfo', namespace: ns },
      spec: { interval: '10m', url: `oci://${registry.host}/charts/podinfo`, insecure: true, ref: { semver: '6.14.x' }, layerSelector: { mediaType: HELM_CHART_LAYER, operation: 'copy' } },
    } as KubeObject);
    await env.client.create({ apiVersion: SOURCE_V1, kind: 'HelmRepository', metadata: { name: 'charts', namespace: ns }, spec: { interval: '10m', type: 'oci', url: `oci://${registry.host}/charts`, insecure: true } } as KubeObject);
    const common = { interval: '10m', install: { disableWait: true }, upgrade: { disableWait: true }, values: { replicaCount: 1 } };
    await env.client.create({ apiVersion: HELM_V2, kind: 'HelmRelease', metadata: { name: 'from-oci', namespace: ns }, spec: { ...common, chartRef: { kind: 'OCIRepository', name: 'podinfo' } } } as KubeObject);
    await env.client.create({
      apiVersion: HELM_V2,
      kind: 'HelmRelease',
      metadata: { name: 'from-repo', namespace: ns },
      spec: { ...common, chart: { spec: { chart: 'podinfo', version: '6.14.x', interval: '10m', sourceRef: { kind: 'HelmRepository', name: 'charts' } } } },
    } as KubeObject);

    const fromOci = await releasedAt('from-oci', '6.14.1+');
    const digest = fromOci.status!.lastAttemptedRevisionDigest;
    assert.match(digest ?? '', /^sha256:[0-9a-f]{64}$/, 'the OCI digest of the chart is recorded');
    assert.equal(fromOci.status!.history![0]!.chartVersion, `6.14.1+${digest!.slice(7, 19)}`, "Flux's OCI chart version: <version>+<digest12>");
    const fromRepo = await releasedAt('from-repo', '6.14.1');
    assert.equal(fromRepo.status!.history![0]!.chartVersion, '6.14.1');
    for (const name of ['from-oci', 'from-repo']) {
      assert.ok(await env.client.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name: `${name}-podinfo` }), `${name}'s Deployment exists`);
      assert.deepEqual(helmHistory(name), statusHistory((await release(name))!));
    }
  });

  it('upgrades both to a newly pushed chart version; helm history agrees with status.history', async () => {
    push('6.14.2');
    await requestReconcile('OCIRepository', 'podinfo', 'push-6.14.2');
    await requestReconcile('HelmChart', `${env.namespace}-from-repo`, 'push-6.14.2');
    const fromOci = await releasedAt('from-oci', '6.14.2+');
    const fromRepo = await releasedAt('from-repo', '6.14.2');
    for (const hr of [fromOci, fromRepo]) {
      const name = hr.metadata.name!;
      const history = helmHistory(name);
      assert.deepEqual(history.map(([rev, status]) => [rev, status]), [[1, 'superseded'], [2, 'deployed']]);
      assert.deepEqual(history, statusHistory(hr), `${name}: helm history = status.history`);
      assert.equal(hr.status!.storageNamespace, env.namespace);
    }
    assert.equal(helmHistory('from-oci')[1]![2], `podinfo-${fromOci.status!.history![0]!.chartVersion}`);
  });
});
