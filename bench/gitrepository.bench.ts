// SPDX-License-Identifier: Apache-2.0
/**
 * The source-controller process under load: 100 and 500 GitRepositories that all point at one
 * repository of the loopback git server. For each size a fresh `eddy-source-controller` process
 * (built `dist/main.js` when present, else the sources through tsx) reconciles them on a real
 * control plane; the figures are the time from the first create to every object Ready=True and
 * the process's peak resident memory (VmHWM).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamicClient, type KubeObject } from '@eddy/runtime';
import { repoRoot, startGitServer } from '@eddy/testenv';
import type { BenchContext, Benchmark, Figure } from './run.ts';

const SIZES = (process.env.BENCH_GITREPOS ?? '100,500').split(',').map(Number);
const GR = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' } as const;

type Obj = KubeObject & { status?: { conditions?: Array<{ type: string; status: string }> } };

function controllerCommand(): string[] {
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

async function runOnce(ctx: BenchContext, client: DynamicClient, url: string, size: number): Promise<Figure[]> {
  const ns = `bench-gitrepo-${size}-${Date.now().toString(36)}`;
  await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const storage = mkdtempSync(join(tmpdir(), 'eddy-bench-sc-'));
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
      '--log-level=error',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, RUNTIME_NAMESPACE: ns } },
  );
  try {
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
    ctx.log(`${size} GitRepositories Ready in ${seconds.toFixed(1)}s, peak RSS ${rss} MiB`);
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
  description: 'source-controller reconciling 100 and 500 GitRepositories of one local git server: time to all Ready, peak RSS',
  needsControlPlane: true,
  async run(ctx) {
    const git = await startGitServer({ auth: 'none', ssh: false });
    const files: Record<string, string> = {};
    for (let i = 0; i < 20; i++) files[`deploy/app-${i}.yaml`] = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-${i}\ndata:\n  k: "${'x'.repeat(200)}"\n`;
    const repo = await git.createRepo('fleet', files, { branch: 'main' });
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
