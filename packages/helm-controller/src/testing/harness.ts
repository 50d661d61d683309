// SPDX-License-Identifier: Apache-2.0
/**
 * Integration test support: a namespace on the shared real control plane, a dynamic client, a helm
 * driver with its private work directory, a loopback chart repository serving podinfo (packaged by
 * the real helm), and a recorder of the events the release actions emit.
 *
 * The control plane runs kube-controller-manager (Deployments get ReplicaSets, Jobs get Pods) but no
 * kubelet, so Pods never run by themselves. {@link startPodPhaseDriver} stands in for the node: it
 * sets the phase of Pods in the test namespace (test hooks, hook Jobs' Pods) to a phase the test
 * chooses. Workload readiness is not simulated: releases use `disableWait` (helm `--wait=hookOnly`,
 * which still waits for hooks).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { DynamicClient, type KubeObject } from '@eddy/runtime/client';
import { realClock } from '@eddy/runtime/clock';
import { podinfoChartDir, randomNamespaceName, startChartRepo, toolPath, useControlPlane, type ChartRepo } from '@eddy/testenv';
import { HelmDriver } from '../helm/driver.ts';
import { renderKubeconfig } from '../helm/kubeconfig.ts';
import { originLabels } from '../helm/post-renderer.ts';
import { ReleaseStorage } from '../helm/storage.ts';
import type { ActionEnv, ReleaseRequest } from '../release/action-env.ts';
import type { HelmReleaseObject, HelmReleaseSpec } from '../release/types.ts';
import { loadChart, type LoadedChart } from '../chart/load.ts';
import type { ArtifactRef } from '../chart/fetch.ts';

/** One event the actions emitted. */
export interface RecordedEvent {
  type: string;
  reason: string;
  message: string;
  metadata?: Record<string, string>;
}

/** What a test gets from {@link setupHarness}. */
export interface Harness {
  namespace: string;
  kubeconfigPath: string;
  /** Admin kubeconfig text for helm calls, defaulting to the test namespace. */
  kubeconfig: string;
  client: DynamicClient;
  driver: HelmDriver;
  repo: ChartRepo;
  events: RecordedEvent[];
  workDir: string;
  /** The artifact (URL and digest) of a served chart version. */
  artifact(version: string, name?: string): Promise<ArtifactRef>;
  /** A HelmRelease `podinfo` in the test namespace. */
  helmRelease(spec?: Partial<HelmReleaseSpec>): HelmReleaseObject;
  /** Loads a chart version and builds the request and environment for the release actions. */
  request(hr: HelmReleaseObject, values: Record<string, unknown>, version?: string, name?: string): Promise<{ req: ReleaseRequest; env: ActionEnv; chart: LoadedChart }>;
  /** Deletes the namespace and temporary files. */
  teardown(): Promise<void>;
}

/** Starts everything a helm-controller integration test needs; see the module doc. */
export async function setupHarness(prefix: string): Promise<Harness> {
  const cp = await useControlPlane();
  const client = new DynamicClient({ kubeconfig: cp.kubeconfigPath });
  const namespace = randomNamespaceName(prefix);
  await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  const workDir = await mkdtemp(join(tmpdir(), 'eddy-hc-'));
  const driver = new HelmDriver({ helmPath: toolPath('helm'), workDir, killGraceMs: 2000 });
  const chartDir = podinfoChartDir();
  if (!chartDir) throw new Error('podinfo fixture chart not found');
  const repo = await startChartRepo({ charts: [chartDir] });
  const events: RecordedEvent[] = [];
  const kubeconfig = await renderKubeconfig({ kind: 'file', path: cp.kubeconfigPath }, { namespace });

  const artifact = async (version: string, name = 'podinfo'): Promise<ArtifactRef> => {
    const served = repo.charts.find((c) => c.version === version && c.name === name);
    if (!served) throw new Error(`chart version ${version} not served`);
    const digest = `sha256:${createHash('sha256').update(await readFile(served.file)).digest('hex')}`;
    return { url: `${repo.url}/${basename(served.file)}`, digest, revision: version };
  };

  const helmRelease = (spec: Partial<HelmReleaseSpec> = {}): HelmReleaseObject => ({
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'podinfo', namespace, generation: 1 },
    spec: { interval: '10m', install: { disableWait: true }, upgrade: { disableWait: true }, rollback: { disableWait: true }, ...spec },
    status: {},
  });

  const request = async (hr: HelmReleaseObject, values: Record<string, unknown>, version = '6.14.1', name = 'podinfo') => {
    const chart = await loadChart(await artifact(version, name), { tmpDir: workDir, sourceKind: 'HelmChart' });
    const env: ActionEnv = {
      driver,
      storage: new ReleaseStorage(client, namespace),
      kubeconfig,
      clock: realClock,
      events: { event: (type, reason, message, metadata) => events.push({ type, reason, message, ...(metadata ? { metadata } : {}) }) },
    };
    const req: ReleaseRequest = {
      hr,
      chart: { path: chart.path, name: chart.name, version: chart.version, crdFiles: chart.crdFiles, ...(chart.appVersion ? { appVersion: chart.appVersion } : {}) },
      values,
      postRender: { originLabels: originLabels(namespace, hr.metadata.name) },
    };
    return { req, env, chart };
  };

  return {
    namespace,
    kubeconfigPath: cp.kubeconfigPath,
    kubeconfig,
    client,
    driver,
    repo,
    events,
    workDir,
    artifact,
    helmRelease,
    request,
    async teardown() {
      await repo.stop();
      await client.delete({ apiVersion: 'v1', kind: 'Namespace', name: namespace }).catch(() => undefined);
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

/** Decides the phase of a Pod the driver sees, or leaves it alone (undefined). */
export type PodPhaseRule = (pod: KubeObject) => 'Succeeded' | 'Failed' | undefined;

/** The default rule: test hooks succeed unless named `*-fault-test-*`; hook Job pods follow `jobs`. */
export function hookRule(jobs: Record<string, 'Succeeded' | 'Failed'> = {}): PodPhaseRule {
  return (pod) => {
    const hook = pod.metadata.annotations?.['helm.sh/hook'] ?? '';
    if (hook.includes('test')) return pod.metadata.name?.includes('-fault-test-') ? 'Failed' : 'Succeeded';
    const job = pod.metadata.labels?.['job-name'];
    return job ? (jobs[job] ?? 'Succeeded') : undefined;
  };
}

/** Starts the stand-in for the kubelet (see the module doc). Returns its stop function. */
export function startPodPhaseDriver(client: DynamicClient, namespace: string, rule: PodPhaseRule): () => Promise<void> {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const pods = await client.list<KubeObject>('v1', 'Pod', { namespace }).catch(() => ({ items: [] as KubeObject[] }));
      for (const pod of pods.items) {
        const phase = (pod['status'] as { phase?: string } | undefined)?.phase;
        if (phase && phase !== 'Pending') continue;
        const want = rule(pod);
        if (!want) continue;
        const ref = { apiVersion: 'v1', kind: 'Pod', namespace, name: pod.metadata.name! };
        const status = want === 'Failed'
          ? { phase: want, containerStatuses: [{ name: 'c', image: 'x', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 1, reason: 'Error' } } }] }
          : { phase: want };
        await client.patch(ref, { status }, { type: 'merge', subresource: 'status' }).catch(() => undefined);
      }
      await realClock.sleep(200);
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}
