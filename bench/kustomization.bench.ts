// SPDX-License-Identifier: Apache-2.0
/**
 * The kustomize-controller process under load: N Kustomizations (N from `EDDY_BENCH_N`, default
 * `100`, a comma-separated list runs several sizes), each applying the podinfo-kustomize app
 * (Deployment, Service, HorizontalPodAutoscaler) into its own namespace from its own GitRepository;
 * the N GitRepositories all point at one repository of the loopback git server. Each size gets a
 * fresh control plane (torn down after, so no size measures against the objects of the one before;
 * with `EDDY_BENCH_KUBECONFIG` the given cluster is used and the namespaces are deleted instead), and a
 * fresh source-controller and kustomize-controller process (the way they run in a cluster).
 * `EDDY_BENCH_CONCURRENT` sets both controllers' `--concurrent` (default: their own, Flux's 4);
 * `EDDY_BENCH_SOURCE_CONCURRENT` the source-controller's alone (to get the sources phase over with).
 *
 * The figures: the time from the first create to every GitRepository Ready, then from the first
 * Kustomization create to every Kustomization Ready=True with all of its objects in its inventory;
 * the kustomize-controller's peak resident memory (VmHWM); and where the time goes — reconcile
 * count, mean reconcile and queue wait from the workqueue metrics, the mean wall time per reconcile
 * step from the controller's `reconcile steps` debug log, CPU seconds of the kustomize-controller
 * (and of the kustomize processes it spawned), source-controller, kube-apiserver and etcd during the
 * Kustomization phase, and the load average (the machine may be shared).
 */
import { dirname } from 'node:path';
import { readFileSync } from 'node:fs';
import { DynamicClient, type KubeObject } from '@eddy/runtime';
import { startControlPlane, startControllerProcess, startGitServer, toolPath, type ControllerProcess } from '@eddy/testenv';
import { CpuMeter, childCpuSeconds, cpuSeconds, findProcesses, load1, peakRssMiB } from './proc-stats.ts';
import type { BenchContext, Benchmark, Figure } from './run.ts';

const SIZES = (process.env.EDDY_BENCH_N ?? '100').split(',').map((s) => Number(s.trim())).filter((n) => n > 0);
const concurrent = (v: string | undefined): string[] => (v ? [`--concurrent=${v}`] : []);
const CONCURRENT = concurrent(process.env.EDDY_BENCH_CONCURRENT);
const SOURCE_CONCURRENT = concurrent(process.env.EDDY_BENCH_SOURCE_CONCURRENT ?? process.env.EDDY_BENCH_CONCURRENT);
const FIXTURE = '/work/shared/fixtures/manifests/podinfo-kustomize';
/** Objects podinfo-kustomize renders: Deployment, Service, HorizontalPodAutoscaler. */
const APP_OBJECTS = 3;
const GR = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' } as const;
const KS = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' } as const;
const STEPS = ['get', 'source', 'patch', 'fetch', 'build', 'apply', 'prune', 'total'] as const;

type Obj = KubeObject & { status?: { conditions?: Array<{ type: string; status: string }>; inventory?: { entries?: unknown[] } } };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const round1 = (v: number): number => Math.round(v * 10) / 10;

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

const isReady = (o: Obj): boolean => o.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** Sum and count of a Prometheus histogram's series. */
function histogram(text: string, name: string): { sum: number; count: number } {
  let sum = 0;
  let count = 0;
  for (const line of text.split('\n')) {
    const m = new RegExp(`^${name}_(sum|count)\\{[^}]*\\} ([0-9.eE+-]+)$`).exec(line);
    if (m?.[1] === 'sum') sum += Number(m[2]);
    if (m?.[1] === 'count') count += Number(m[2]);
  }
  return { sum, count };
}

/** Mean milliseconds per step over the controller's `reconcile steps` debug lines. */
function stepMeans(logFile: string): Record<string, number> {
  const sums: Record<string, number> = {};
  let n = 0;
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes('"reconcile steps"')) continue;
    const rec = JSON.parse(line) as Record<string, unknown>;
    n++;
    for (const s of STEPS) sums[s] = (sums[s] ?? 0) + (typeof rec[`${s}Ms`] === 'number' ? (rec[`${s}Ms`] as number) : 0);
  }
  return Object.fromEntries(STEPS.map((s) => [s, n ? round1((sums[s] ?? 0) / n) : 0]));
}

/** apiserver request count and summed latency per `VERB resource[/subresource]` (from its `/metrics`). */
async function apiserverRequests(client: DynamicClient): Promise<Map<string, { count: number; seconds: number }>> {
  const res = await client.transport.request({ method: 'GET', path: '/metrics' });
  const out = new Map<string, { count: number; seconds: number }>();
  for (const line of res.body.split('\n')) {
    const m = /^apiserver_request_duration_seconds_(sum|count)\{([^}]*)\} ([0-9.eE+-]+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (labels.verb === 'WATCH' || labels.verb === 'CONNECT') continue;
    const key = `${labels.dry_run ? 'DRYRUN ' : ''}${labels.verb} ${labels.resource}${labels.subresource ? `/${labels.subresource}` : ''}`;
    const e = out.get(key) ?? { count: 0, seconds: 0 };
    if (m[1] === 'sum') e.seconds += Number(m[3]);
    else e.count += Number(m[3]);
    out.set(key, e);
  }
  return out;
}

/** The requests made between two {@link apiserverRequests} readings, busiest first: `VERB resource ×count (mean ms)`. */
function requestDelta(before: Map<string, { count: number; seconds: number }>, after: Map<string, { count: number; seconds: number }>, per: number): string[] {
  return [...after.entries()]
    .map(([k, a]) => ({ k, count: a.count - (before.get(k)?.count ?? 0), seconds: a.seconds - (before.get(k)?.seconds ?? 0) }))
    .filter((e) => e.count > 0)
    .sort((x, y) => y.seconds - x.seconds)
    .slice(0, 12)
    .map((e) => `${e.k} ${round1(e.count / per)}/KS ${round1((e.seconds / e.count) * 1000)}ms`);
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
    // Listing N objects is apiserver work too: poll less often the more there are (±1 s at N=1000).
    await sleep(Math.max(250, size));
  }
}

async function measure(ctx: BenchContext, kubeconfigPath: string, url: string, size: number): Promise<Figure[]> {
  const client = new DynamicClient({ kubeconfig: kubeconfigPath });
  const ns = `bench-ks-${size}-${Date.now().toString(36)}`;
  const appNs = (i: number): string => `${ns}-app-${i}`;
  const indexes = Array.from({ length: size }, (_, i) => i);
  const procs: ControllerProcess[] = [];
  try {
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await pool(indexes, 16, (i) => client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: appNs(i) } }));
    const kustomize = toolPath('kustomize');
    const env = { EDDY_KUSTOMIZE: kustomize, PATH: `${dirname(kustomize)}:${process.env.PATH ?? ''}` };
    const common = { kubeconfigPath, namespace: ns, env };
    const source = await startControllerProcess({ ...common, controller: 'source-controller', args: ['--log-level=error', ...SOURCE_CONCURRENT] });
    procs.push(source);
    const kc = await startControllerProcess({ ...common, controller: 'kustomize-controller', args: ['--log-level=debug', ...CONCURRENT] });
    procs.push(kc);
    const rssIdle = peakRssMiB(kc.pid);
    // Phase 1: the sources, so that phase 2 measures the kustomize-controller alone.
    const t0 = Date.now();
    await pool(indexes, 16, (i) =>
      client.create({ ...GR, metadata: { name: `app-${i}`, namespace: ns }, spec: { interval: '10m', url, ref: { branch: 'main' } } } as never),
    );
    const sourcesAt = await waitAll({ client, ns, procs }, GR, t0, size, isReady);
    const kcBefore = histogram(await (await fetch(kc.metricsUrl)).text(), 'workqueue_work_duration_seconds');
    // Phase 2: the Kustomizations.
    const planeDir = dirname(kubeconfigPath);
    const [apiserver] = findProcesses('kube-apiserver', planeDir);
    const [etcd] = findProcesses('etcd', planeDir);
    const cpu = new CpuMeter({
      'kustomize-controller': () => cpuSeconds(kc.pid),
      'kustomize (children)': () => childCpuSeconds(kc.pid),
      'source-controller': () => cpuSeconds(source.pid),
      'kube-apiserver': () => (apiserver ? cpuSeconds(apiserver) : 0),
      etcd: () => (etcd ? cpuSeconds(etcd) : 0),
    });
    const reqBefore = await apiserverRequests(client);
    const loadBefore = load1();
    const t1 = Date.now();
    await pool(indexes, 16, (i) =>
      client.create({
        ...KS,
        metadata: { name: `app-${i}`, namespace: ns },
        spec: { interval: '10m', retryInterval: '30s', path: './', prune: true, targetNamespace: appNs(i), sourceRef: { kind: 'GitRepository', name: `app-${i}` } },
      } as never),
    );
    const created = (Date.now() - t1) / 1000;
    const seconds = await waitAll({ client, ns, procs }, KS, t1, size, (o) => isReady(o) && o.status?.inventory?.entries?.length === APP_OBJECTS);
    const used = cpu.used();
    const requests = requestDelta(reqBefore, await apiserverRequests(client), size);
    const loadAfter = load1();
    const rss = peakRssMiB(kc.pid);
    const kcMetrics = await (await fetch(kc.metricsUrl)).text();
    const mean = (h: { sum: number; count: number }): number => (h.count ? round1((h.sum / h.count) * 1000) : 0);
    const kcAll = histogram(kcMetrics, 'workqueue_work_duration_seconds');
    const kcWork = { sum: kcAll.sum - kcBefore.sum, count: kcAll.count - kcBefore.count };
    const kcQueue = histogram(kcMetrics, 'workqueue_queue_duration_seconds');
    const steps = stepMeans(kc.logFile);
    ctx.log(
      `${size}: GitRepositories Ready in ${sourcesAt.toFixed(1)}s; then Kustomizations created in ${created.toFixed(1)}s, Ready in ${seconds.toFixed(1)}s ` +
        `(load average ${loadBefore} → ${loadAfter}); kustomize-controller ${kcWork.count} reconciles, mean ${mean(kcWork)} ms, queue wait ${mean(kcQueue)} ms, ` +
        `RSS idle ${rssIdle} MiB, peak ${rss} MiB (source-controller ${peakRssMiB(source.pid)} MiB); mean ms per reconcile step ${JSON.stringify(steps)}; ` +
        `CPU seconds during the Kustomizations ${JSON.stringify(used)}; apiserver requests (incl. the bench's polling) ${requests.join(', ')}`,
    );
    const p = `${size} Kustomizations:`;
    return [
      { name: `${p} time to all GitRepositories Ready`, value: round1(sourcesAt), unit: 's' },
      { name: `${p} then time to all Kustomizations Ready`, value: round1(seconds), unit: 's' },
      { name: `${p} total`, value: round1(sourcesAt + seconds), unit: 's' },
      { name: `${p} Kustomizations Ready per second`, value: round1(size / seconds), unit: '/s' },
      { name: `${p} kustomize-controller peak RSS`, value: rss, unit: 'MiB' },
      { name: `${p} kustomize-controller RSS before any object`, value: rssIdle, unit: 'MiB' },
      { name: `${p} kustomize-controller reconciles`, value: kcWork.count, unit: '' },
      { name: `${p} kustomize-controller mean reconcile`, value: mean(kcWork), unit: 'ms' },
      { name: `${p} kustomize-controller mean queue wait`, value: mean(kcQueue), unit: 'ms' },
      ...STEPS.map((s) => ({ name: `${p} mean ${s} step per reconcile`, value: steps[s] ?? 0, unit: 'ms' })),
      ...Object.entries(used).map(([k, v]) => ({ name: `${p} CPU of ${k} during the Kustomizations`, value: v, unit: 's' })),
      { name: `${p} load average (1 min) at the end`, value: loadAfter, unit: '' },
    ];
  } finally {
    await Promise.all(procs.map((pr) => pr.stop()));
    if (process.env.EDDY_BENCH_KUBECONFIG) {
      await pool([ns, ...indexes.map(appNs)], 16, (name) => client.delete({ apiVersion: 'v1', kind: 'Namespace', name }).catch(() => false));
    }
    client.close();
  }
}

const bench: Benchmark = {
  name: 'kustomization',
  description: 'kustomize-controller applying N podinfo-kustomize apps (EDDY_BENCH_N, default 100): time to all Ready, peak RSS, where the time goes',
  needsControlPlane: false,
  async run(ctx) {
    const git = await startGitServer({ auth: 'none', ssh: false });
    const repo = await git.createRepo('podinfo', FIXTURE, { branch: 'main' });
    try {
      const figures: Figure[] = [];
      for (const size of SIZES) {
        const shared = process.env.EDDY_BENCH_KUBECONFIG;
        const plane = shared ? undefined : await startControlPlane({ name: `bench-ks-${size}`, controllerManager: false });
        try {
          figures.push(...(await measure(ctx, shared ?? plane!.kubeconfigPath, repo.httpUrl, size)));
        } finally {
          await plane?.stop();
        }
      }
      return figures;
    } finally {
      await git.stop();
    }
  },
};

export default bench;
