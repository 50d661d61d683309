// SPDX-License-Identifier: Apache-2.0
/**
 * The source-controller process under load: 100 and 500 GitRepositories that all point at one
 * repository of the loopback git server. For each size a fresh `eddy-source-controller` process
 * (built `dist/main.js` when present, else the sources through tsx) reconciles them on a real
 * control plane; the figures are the time from the first create to every object Ready=True and
 * the process's peak resident memory (VmHWM), logged with the load average, the CPU seconds of
 * each process involved (the controller, the git processes it ran, the bench process serving git
 * over HTTP, the git-http-backend processes it ran, kube-apiserver, etcd), the apiserver requests
 * and git HTTP requests per GitRepository.
 *
 * `BENCH_GITREPOS` (default `100,500`) sets the sizes; `EDDY_BENCH_SOURCE_CONCURRENT` the
 * controller's `--concurrent` (default: its own, Flux's 2); `BENCH_SC_TSX=1` runs the sources;
 * `BENCH_SC_NODE_ARGS` adds node options (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`);
 * `BENCH_SC_STEPS=1` runs it at debug level and logs the mean wall time per reconcile step (from
 * its `reconcile steps` lines; the logging costs the controller some CPU).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DynamicClient, type KubeObject } from '@eddy/runtime';
import { repoRoot, startGitServer } from '@eddy/testenv';
import { CpuMeter, childCpuSeconds, cpuSeconds, findProcesses, load1 } from './proc-stats.ts';
import type { BenchContext, Benchmark, Figure } from './run.ts';

const SIZES = (process.env.BENCH_GITREPOS ?? '100,500').split(',').map(Number);
const CONCURRENT = process.env.EDDY_BENCH_SOURCE_CONCURRENT ? [`--concurrent=${Number(process.env.EDDY_BENCH_SOURCE_CONCURRENT)}`] : [];
const GR = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' } as const;

type Obj = KubeObject & { status?: { conditions?: Array<{ type: string; status: string }> } };

function controllerCommand(): string[] {
  const extra = (process.env.BENCH_SC_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return [...extra, ...controllerScript()];
}

function controllerScript(): string[] {
  const dist = join(repoRoot(), 'packages', 'source-controller', 'dist', 'main.js');
  if (existsSync(dist) && process.env.BENCH_SC_TSX !== '1') return [dist];
  return ['--conditions=development', '--import', 'tsx', join(repoRoot(), 'packages', 'source-controller', 'src', 'main.ts')];
}

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

const STEPS = process.env.BENCH_SC_STEPS === '1';

/** Mean milliseconds per field over the `reconcile steps` lines of runs that got past the checkpoint. */
function stepMeans(logFile: string): Record<string, number> {
  const sums: Record<string, number> = {};
  let n = 0;
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes('"reconcile steps"') || !line.includes('beginRunMs')) continue;
    const rec = JSON.parse(line) as Record<string, unknown>;
    n++;
    for (const [k, v] of Object.entries(rec)) if (k.endsWith('Ms') && typeof v === 'number') sums[k] = (sums[k] ?? 0) + v;
  }
  return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, Math.round((v / n) * 10) / 10]));
}

type RequestCounts = Map<string, { count: number; seconds: number }>;

/** apiserver request count and summed latency per `VERB resource[/subresource]` (from its `/metrics`). */
async function apiserverRequests(client: DynamicClient): Promise<RequestCounts> {
  const res = await client.transport.request({ method: 'GET', path: '/metrics' });
  const out: RequestCounts = new Map();
  for (const line of res.body.split('\n')) {
    const m = /^apiserver_request_duration_seconds_(sum|count)\{([^}]*)\} ([0-9.eE+-]+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (labels.verb === 'WATCH' || labels.verb === 'CONNECT') continue;
    const key = `${labels.verb} ${labels.resource}${labels.subresource ? `/${labels.subresource}` : ''}`;
    const e = out.get(key) ?? { count: 0, seconds: 0 };
    if (m[1] === 'sum') e.seconds += Number(m[3]);
    else e.count += Number(m[3]);
    out.set(key, e);
  }
  return out;
}

/** The requests between two readings, busiest first: `VERB resource count/object (mean ms)`. */
function requestDelta(before: RequestCounts, after: RequestCounts, per: number): string[] {
  return [...after.entries()]
    .map(([k, a]) => ({ k, count: a.count - (before.get(k)?.count ?? 0), seconds: a.seconds - (before.get(k)?.seconds ?? 0) }))
    .filter((e) => e.count > 0)
    .sort((x, y) => y.count - x.count)
    .slice(0, 10)
    .map((e) => `${e.k} ${(e.count / per).toFixed(2)}/obj ${((e.seconds / e.count) * 1000).toFixed(1)}ms`);
}

async function runOnce(ctx: BenchContext, client: DynamicClient, git: { url: string; requests: unknown[] }, size: number): Promise<Figure[]> {
  const { url } = git;
  const ns = `bench-gitrepo-${size}-${Date.now().toString(36)}`;
  await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const storage = mkdtempSync(join(tmpdir(), 'eddy-bench-sc-'));
  const logFile = join(storage, 'controller.log');
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...controllerCommand(),
      `--kubeconfig=${ctx.kubeconfigPath}`,
      `--storage-path=${storage}`,
      '--storage-addr=127.0.0.1:0',
      '--storage-adv-addr=source-controller.bench',
      '--metrics-addr=127.0.0.1:0',
      '--health-addr=127.0.0.1:0',
      // Only this size's namespace: the objects of an earlier size stay behind (no namespace controller).
      '--watch-all-namespaces=false',
      STEPS ? '--log-level=debug' : '--log-level=error',
      ...CONCURRENT,
    ],
    { stdio: ['ignore', 'ignore', STEPS ? openSync(logFile, 'w') : 'inherit'], env: { ...process.env, RUNTIME_NAMESPACE: ns } },
  );
  try {
    const planeDir = dirname(ctx.kubeconfigPath);
    const [apiserver] = findProcesses('kube-apiserver', planeDir);
    const [etcd] = findProcesses('etcd', planeDir);
    const cpu = new CpuMeter({
      'source-controller': () => cpuSeconds(child.pid!),
      'git (controller children)': () => childCpuSeconds(child.pid!),
      'bench + git HTTP server': () => cpuSeconds(process.pid),
      'git-http-backend (server children)': () => childCpuSeconds(process.pid),
      'kube-apiserver': () => (apiserver ? cpuSeconds(apiserver) : 0),
      etcd: () => (etcd ? cpuSeconds(etcd) : 0),
    });
    const reqBefore = await apiserverRequests(client);
    const gitBefore = git.requests.length;
    const loadBefore = load1();
    const t0 = Date.now();
    await pool(
      Array.from({ length: size }, (_, i) => i),
      16,
      (i) => client.create({ ...GR, metadata: { name: `repo-${i}`, namespace: ns }, spec: { interval: '10m', url, ref: { branch: 'main' } } } as never),
    );
    let ready = 0;
    while (ready < size) {
      if (child.exitCode !== null) throw new Error(`source-controller exited with ${child.exitCode}`);
      if (Date.now() - t0 > 15 * 60_000) throw new Error(`only ${ready}/${size} Ready after 15 minutes`);
      await new Promise((r) => setTimeout(r, 500));
      const list = await client.list<Obj>(GR.apiVersion, GR.kind, { namespace: ns });
      ready = list.items.filter((o) => o.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
    }
    const seconds = (Date.now() - t0) / 1000;
    const rss = peakRssMiB(child.pid!);
    const used = cpu.used();
    const requests = requestDelta(reqBefore, await apiserverRequests(client), size);
    const gitRequests = (git.requests.length - gitBefore) / size;
    ctx.log(
      `${size} GitRepositories Ready in ${seconds.toFixed(1)}s (load average ${loadBefore} → ${load1()}), peak RSS ${rss} MiB; ` +
        `CPU seconds ${JSON.stringify(used)}; ${STEPS ? `mean ms per run past the checkpoint ${JSON.stringify(stepMeans(logFile))}; ` : ''}git HTTP requests ${gitRequests.toFixed(2)}/obj; apiserver requests (incl. the bench's polling) ${requests.join(', ')}`,
    );
    return [
      { name: `${size} GitRepositories: time to all Ready`, value: Math.round(seconds * 10) / 10, unit: 's' },
      { name: `${size} GitRepositories: reconciles per second`, value: Math.round((size / seconds) * 10) / 10, unit: '/s' },
      { name: `${size} GitRepositories: controller peak RSS`, value: rss, unit: 'MiB' },
    ];
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(storage, { recursive: true, force: true });
    await client.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns }).catch(() => false);
  }
}

const bench: Benchmark = {
  name: 'gitrepository',
  description: 'source-controller reconciling BENCH_GITREPOS (default 100,500) GitRepositories of one local git server: time to all Ready, peak RSS, CPU and requests',
  needsControlPlane: true,
  async run(ctx) {
    const git = await startGitServer({ auth: 'none', ssh: false });
    const files: Record<string, string> = {};
    for (let i = 0; i < 20; i++) files[`deploy/app-${i}.yaml`] = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-${i}\ndata:\n  k: "${'x'.repeat(200)}"\n`;
    const repo = await git.createRepo('fleet', files, { branch: 'main' });
    const client = new DynamicClient({ kubeconfig: ctx.kubeconfigPath });
    try {
      const figures: Figure[] = [];
      for (const size of SIZES) figures.push(...(await runOnce(ctx, client, { url: repo.httpUrl, requests: git.requests }, size)));
      return figures;
    } finally {
      client.close();
      await git.stop();
    }
  },
};

export default bench;
