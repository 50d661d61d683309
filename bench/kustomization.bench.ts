// SPDX-License-Identifier: Apache-2.0
/**
 * The kustomize-controller process under load: N Kustomizations (N from `EDDY_BENCH_N`, default
 * `100`, a comma-separated list runs several sizes), each applying the podinfo-kustomize app
 * (Deployment, Service, HorizontalPodAutoscaler) into its own namespace from its own GitRepository;
 * the N GitRepositories all point at one repository of the loopback git server. For each size a
 * fresh source-controller and kustomize-controller process (the way they run in a cluster) watch
 * a fresh namespace. The figures are the time from the first create to every GitRepository and
 * every Kustomization Ready=True (with all of its objects in its inventory), the kustomize-controller's
 * peak resident memory (VmHWM), and where the time goes: each controller's reconcile count, mean
 * reconcile duration and queue wait from its workqueue metrics, and the mean wall time of one
 * `kustomize build` of the app (the controller spawns the kustomize binary once per reconcile).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DynamicClient, type KubeObject } from '@eddy/runtime';
import { startControllerProcess, startGitServer, toolPath, type ControllerProcess } from '@eddy/testenv';
import type { BenchContext, Benchmark, Figure } from './run.ts';

const SIZES = (process.env.EDDY_BENCH_N ?? '100').split(',').map((s) => Number(s.trim())).filter((n) => n > 0);
const FIXTURE = '/work/shared/fixtures/manifests/podinfo-kustomize';
/** Objects podinfo-kustomize renders: Deployment, Service, HorizontalPodAutoscaler. */
const APP_OBJECTS = 3;
const GR = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' } as const;
const KS = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' } as const;

type Obj = KubeObject & { status?: { conditions?: Array<{ type: string; status: string }>; inventory?: { entries?: unknown[] } } };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const round1 = (v: number): number => Math.round(v * 10) / 10;

function peakRssMiB(pid: number): number {
  try {
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    return round1(kb / 1024);
  } catch {
    return 0;
  }
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

const isReady = (o: Obj): boolean => o.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** Sum and count of a Prometheus histogram's series whose labels contain `match`. */
function histogram(text: string, name: string, match: string): { sum: number; count: number } {
  let sum = 0;
  let count = 0;
  for (const line of text.split('\n')) {
    if (!line.includes(match)) continue;
    const m = new RegExp(`^${name}_(sum|count)\\{[^}]*\\} ([0-9.eE+-]+)$`).exec(line);
    if (m?.[1] === 'sum') sum += Number(m[2]);
    if (m?.[1] === 'count') count += Number(m[2]);
  }
  return { sum, count };
}

/** Mean wall time of `kustomize build` of the app, spawned as the controller spawns it. */
function kustomizeBuildMs(runs: number): number {
  const bin = toolPath('kustomize');
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(bin, ['build', FIXTURE], { stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) throw new Error(`kustomize build failed: ${r.stderr.toString()}`);
  }
  return (performance.now() - t0) / runs;
}

/** Polls until `size` objects of `type` in the bench namespace pass `done`; seconds since `t0`. */
async function waitAll(
  run: { client: DynamicClient; ns: string; procs: ControllerProcess[] },
  type: { apiVersion: string; kind: string },
  t0: number,
  size: number,
  done: (o: Obj) => boolean,
): Promise<number> {
  const { client, ns, procs } = run;
  for (;;) {
    for (const p of procs) if (!p.running) throw new Error(`${p.controller} exited:\n${p.logTail(30)}`);
    const list = await client.list<Obj>(type.apiVersion, type.kind, { namespace: ns });
    const n = list.items.filter(done).length;
    if (n === size) return (Date.now() - t0) / 1000;
    if (Date.now() - t0 > 20 * 60_000) throw new Error(`only ${n}/${size} ${type.kind}s Ready after 20 minutes:\n${procs.map((p) => p.logTail(20)).join('\n')}`);
    await sleep(250);
  }
}

async function runOnce(ctx: BenchContext, client: DynamicClient, url: string, size: number): Promise<Figure[]> {
  const ns = `bench-ks-${size}-${Date.now().toString(36)}`;
  const appNs = (i: number): string => `${ns}-app-${i}`;
  const indexes = Array.from({ length: size }, (_, i) => i);
  await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await pool(indexes, 16, (i) => client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: appNs(i) } }));
  const kustomize = toolPath('kustomize');
  const env = { EDDY_KUSTOMIZE: kustomize, PATH: `${dirname(kustomize)}:${process.env.PATH ?? ''}` };
  const procs: ControllerProcess[] = [];
  try {
    const common = { kubeconfigPath: ctx.kubeconfigPath, namespace: ns, env, args: ['--log-level=error'] };
    const source = await startControllerProcess({ ...common, controller: 'source-controller' });
    procs.push(source);
    const kc = await startControllerProcess({ ...common, controller: 'kustomize-controller' });
    procs.push(kc);
    // Phase 1: the sources, so that phase 2 measures the kustomize-controller alone.
    const t0 = Date.now();
    await pool(indexes, 16, (i) =>
      client.create({ ...GR, metadata: { name: `app-${i}`, namespace: ns }, spec: { interval: '10m', url, ref: { branch: 'main' } } } as never),
    );
    const sourcesAt = await waitAll({ client, ns, procs }, GR, t0, size, isReady);
    const kcBefore = histogram(await (await fetch(kc.metricsUrl)).text(), 'workqueue_work_duration_seconds', '');
    // Phase 2: the Kustomizations.
    const t1 = Date.now();
    await pool(indexes, 16, (i) =>
      client.create({
        ...KS,
        metadata: { name: `app-${i}`, namespace: ns },
        spec: { interval: '10m', retryInterval: '30s', path: './', prune: true, targetNamespace: appNs(i), sourceRef: { kind: 'GitRepository', name: `app-${i}` } },
      } as never),
    );
    const created = (Date.now() - t1) / 1000;
    const rssBefore = peakRssMiB(kc.pid);
    const seconds = await waitAll({ client, ns, procs }, KS, t1, size, (o) => isReady(o) && o.status?.inventory?.entries?.length === APP_OBJECTS);
    const rss = peakRssMiB(kc.pid);
    const [kcMetrics, scMetrics] = await Promise.all([kc, source].map(async (p) => (await fetch(p.metricsUrl)).text()));
    const mean = (h: { sum: number; count: number }): number => (h.count ? round1((h.sum / h.count) * 1000) : 0);
    const kcAll = histogram(kcMetrics, 'workqueue_work_duration_seconds', '');
    const kcWork = { sum: kcAll.sum - kcBefore.sum, count: kcAll.count - kcBefore.count };
    const kcQueue = histogram(kcMetrics, 'workqueue_queue_duration_seconds', '');
    const scWork = histogram(scMetrics, 'workqueue_work_duration_seconds', '');
    const scQueue = histogram(scMetrics, 'workqueue_queue_duration_seconds', '');
    const scRss = peakRssMiB(source.pid);
    const buildMs = round1(kustomizeBuildMs(10));
    ctx.log(
      `${size}: GitRepositories Ready in ${sourcesAt.toFixed(1)}s; then Kustomizations created in ${created.toFixed(1)}s, Ready in ${seconds.toFixed(1)}s; ` +
        `kustomize-controller ${kcWork.count} reconciles, mean ${mean(kcWork)} ms, queue wait ${mean(kcQueue)} ms, peak RSS ${rssBefore} MiB before the Kustomizations, ${rss} MiB after; ` +
        `source-controller ${scWork.count} reconciles, mean ${mean(scWork)} ms, queue wait ${mean(scQueue)} ms, peak RSS ${scRss} MiB; kustomize build ${buildMs} ms`,
    );
    return [
      { name: `${size} Kustomizations: time to all GitRepositories Ready`, value: round1(sourcesAt), unit: 's' },
      { name: `${size} Kustomizations: then time to all Kustomizations Ready`, value: round1(seconds), unit: 's' },
      { name: `${size} Kustomizations: applied per second`, value: round1(size / seconds), unit: '/s' },
      { name: `${size} Kustomizations: kustomize-controller peak RSS`, value: rss, unit: 'MiB' },
      { name: `${size} Kustomizations: kustomize-controller reconciles`, value: kcWork.count, unit: '' },
      { name: `${size} Kustomizations: kustomize-controller mean reconcile`, value: mean(kcWork), unit: 'ms' },
      { name: `${size} Kustomizations: kustomize-controller mean queue wait`, value: mean(kcQueue), unit: 'ms' },
      { name: `${size} Kustomizations: source-controller mean reconcile`, value: mean(scWork), unit: 'ms' },
      { name: `${size} Kustomizations: source-controller mean queue wait`, value: mean(scQueue), unit: 'ms' },
      { name: `${size} Kustomizations: source-controller peak RSS`, value: scRss, unit: 'MiB' },
      { name: 'kustomize build of the app (one process)', value: buildMs, unit: 'ms' },
    ];
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await pool([ns, ...indexes.map(appNs)], 16, (name) => client.delete({ apiVersion: 'v1', kind: 'Namespace', name }).catch(() => false));
  }
}

const bench: Benchmark = {
  name: 'kustomization',
  description: 'kustomize-controller applying N podinfo-kustomize apps (EDDY_BENCH_N, default 100): time to all Ready, peak RSS',
  needsControlPlane: true,
  async run(ctx) {
    const git = await startGitServer({ auth: 'none', ssh: false });
    const repo = await git.createRepo('podinfo', FIXTURE, { branch: 'main' });
    const client = new DynamicClient({ kubeconfig: ctx.kubeconfigPath });
    try {
      const figures: Figure[] = [];
      for (const size of SIZES) figures.push(...(await runOnce(ctx, client, repo.httpUrl, size)));
      return figures;
    } finally {
      client.close();
      await git.stop();
    }
  },
};

export default bench;
