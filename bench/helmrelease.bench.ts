// SPDX-License-Identifier: Apache-2.0
/**
 * The helm-controller process under load: 100 and 500 HelmReleases of the podinfo chart (Deployment
 * scaled to 0, `disableWait`, like fluxcd/flux-benchmark; the Service is disabled because the test
 * control plane's service CIDR holds only ~250 ClusterIPs), all with `chartRef` to one HelmChart whose
 * artifact is served by a loopback chart repository (the HelmChart's status plays source-controller).
 * For each size a fresh `eddy-helm-controller` process reconciles them on a real control plane with
 * `--concurrent=10` (Flux's benchmark setting); the figures are the time from the first create to
 * every object Ready=True and the process's peak resident memory (VmHWM, the controller only — each
 * helm invocation is its own short-lived process). The controller watches only the run's namespace.
 *
 * Shaped like `bench/*.bench.ts` (default export {@link Benchmark}); it also runs standalone:
 *   node --conditions=development --import tsx bench/helmrelease.bench.ts
 * (`BENCH_HELMRELEASES=100,500`, `EDDY_BENCH_KUBECONFIG` to reuse a control plane).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DynamicClient, type KubeObject } from '@eddy/runtime/client';
import { podinfoChartDir, repoRoot, startChartRepo, startControlPlane, toolPath } from '@eddy/testenv';

/** A figure, as `bench/run.ts` prints it. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
}

/** What the benchmark gets from `bench/run.ts`. */
export interface BenchContext {
  kubeconfigPath: string;
  log(msg: string): void;
}

const SIZES = (process.env.BENCH_HELMRELEASES ?? '100,500').split(',').map(Number);
type Obj = KubeObject & { status?: { conditions?: Array<{ type: string; status: string }> } };

function peakRssMiB(pid: number): number {
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
}

async function runOnce(ctx: BenchContext, client: DynamicClient, size: number): Promise<Figure[]> {
  const ns = `bench-hr-${size}-${Date.now().toString(36)}`;
  await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const repo = await startChartRepo({ charts: [podinfoChartDir()!] });
  const file = repo.charts[0]!.file;
  const digest = `sha256:${createHash('sha256').update(readFileSync(file)).digest('hex')}`;
  const chart = await client.create<KubeObject>({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmChart', metadata: { name: 'podinfo', namespace: ns }, spec: { chart: 'podinfo', sourceRef: { kind: 'HelmRepository', name: 'podinfo' }, interval: '60m' } });
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  await client.patch({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmChart', namespace: ns, name: 'podinfo' }, {
    status: {
      observedGeneration: chart.metadata.generation,
      artifact: { url: `${repo.url}/${basename(file)}`, digest, revision: repo.charts[0]!.version, path: `helmchart/${ns}/podinfo/${basename(file)}`, lastUpdateTime: now },
      conditions: [{ type: 'Ready', status: 'True', reason: 'ChartPullSucceeded', message: 'pulled', lastTransitionTime: now, observedGeneration: chart.metadata.generation }],
    },
  }, { type: 'merge', subresource: 'status' });
  const child: ChildProcess = spawn(process.execPath, [
    '--conditions=development', '--import', 'tsx', join(repoRoot(), 'packages', 'helm-controller', 'src', 'main.ts'),
    `--kubeconfig=${ctx.kubeconfigPath}`, `--helm-path=${toolPath('helm')}`, `--kustomize-path=${toolPath('kustomize')}`,
    '--concurrent=10', '--metrics-addr=127.0.0.1:0', '--health-addr=127.0.0.1:0', '--log-level=error', '--graceful-shutdown-timeout=5s',
    // Only this run's namespace: the previous run's HelmReleases may still be terminating.
    '--watch-all-namespaces=false',
  ], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, RUNTIME_NAMESPACE: ns } });
  try {
    const started = Date.now();
    for (let i = 0; i < size; i++) {
      await client.create({
        apiVersion: 'helm.toolkit.fluxcd.io/v2',
        kind: 'HelmRelease',
        metadata: { name: `podinfo-${i}`, namespace: ns },
        spec: { interval: '60m', chartRef: { kind: 'HelmChart', name: 'podinfo' }, install: { disableWait: true }, values: { replicaCount: 0, service: { enabled: false } } },
      });
    }
    let ready = 0;
    while (ready < size) {
      if (child.exitCode !== null) throw new Error(`eddy-helm-controller exited with ${child.exitCode}`);
      const list = await client.list<Obj>('helm.toolkit.fluxcd.io/v2', 'HelmRelease', { namespace: ns });
      ready = list.items.filter((o) => o.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
      ctx.log(`helmrelease ${size}: ${ready}/${size} ready after ${((Date.now() - started) / 1000).toFixed(0)}s`);
      if (ready < size) await new Promise((r) => setTimeout(r, 2000));
    }
    const seconds = (Date.now() - started) / 1000;
    return [
      { name: `helmrelease ${size}: all Ready`, value: Math.round(seconds * 10) / 10, unit: 's' },
      { name: `helmrelease ${size}: controller peak RSS`, value: peakRssMiB(child.pid!), unit: 'MiB' },
      { name: `helmrelease ${size}: releases per second`, value: Math.round((size / seconds) * 100) / 100, unit: '1/s' },
    ];
  } finally {
    child.kill('SIGTERM');
    const exited = new Promise((r) => child.once('exit', r));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    await repo.stop();
    await client.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns }).catch(() => undefined);
  }
}

/** The benchmark, for `bench/run.ts`. */
const benchmark = {
  name: 'helmrelease',
  description: 'eddy-helm-controller: N HelmReleases of podinfo (chartRef), create to all Ready; peak RSS',
  needsControlPlane: true,
  async run(ctx: BenchContext): Promise<Figure[]> {
    const client = new DynamicClient({ kubeconfig: ctx.kubeconfigPath });
    const figures: Figure[] = [];
    for (const size of SIZES) figures.push(...(await runOnce(ctx, client, size)));
    return figures;
  },
};
export default benchmark;

if (import.meta.url === `file://${process.argv[1]}`) {
  const own = process.env.EDDY_BENCH_KUBECONFIG ? undefined : await startControlPlane({ name: 'bench-helm' });
  try {
    const figures = await benchmark.run({ kubeconfigPath: process.env.EDDY_BENCH_KUBECONFIG ?? own!.kubeconfigPath, log: (m) => console.error(m) });
    for (const f of figures) console.log(`${f.name}: ${f.value} ${f.unit}`);
  } finally {
    await own?.stop();
  }
}
