// SPDX-License-Identifier: Apache-2.0
/**
 * Memory of Eddy's five controllers as five processes (how Flux runs) against `eddy controllers`
 * running all five in one process (Eddy's mode for small clusters), on the same workload: the
 * demo fleet (a GitRepository, three Kustomizations, a HelmRepository and a HelmRelease of the
 * podinfo chart from a loopback chart server) reconciled to Ready, then left idle.
 *
 * Each mode gets a fresh control plane, so both see the same cluster. The processes run the built
 * entry points (`dist/main.js`, as the container image does) when `make build` has run, else the
 * sources through tsx (`EDDY_BENCH_TSX=1` forces that); figures say which. Memory is the resident
 * set (VmRSS) of each controller process once everything is Ready and a settle period passed, and
 * its peak (VmHWM); helm and kustomize subprocesses are transient and not counted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamicClient, type KubeObject } from '@eddy/runtime';
import { freePort, repoRoot, startChartRepo, startControlPlane, startGitServer, toolPath } from '@eddy/testenv';
import { DEMO_READY_OBJECTS, demoFleet, syncObjects } from '../scripts/demo-fleet.ts';
import type { BenchContext, Benchmark, Figure } from './run.ts';

const CONTROLLERS = ['source', 'kustomize', 'helm', 'image-reflector', 'image-automation'] as const;
const SETTLE_MS = Number(process.env.EDDY_BENCH_SETTLE_MS ?? 15_000);


interface Proc {
  name: string;
  child: ChildProcess;
  healthUrl: string;
  stderr: string[];
}

const useTsx = (): boolean => process.env.EDDY_BENCH_TSX === '1' || !CONTROLLERS.every((c) => existsSync(distMain(`packages/${c}-controller`))) || !existsSync(distMain('packages/cli'));

function distMain(pkg: string): string {
  return join(repoRoot(), pkg, 'dist', 'main.js');
}

/** The node arguments that run a package's entry point. */
function entry(pkg: string): string[] {
  if (useTsx()) return ['--conditions=development', '--import', 'tsx', join(repoRoot(), pkg, 'src', 'main.ts')];
  return [distMain(pkg)];
}

/** `VmRSS` and `VmHWM` of a process, in MiB. */
function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mib = (key: string): number => Math.round((Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024) * 10) / 10;
  return { rss: mib('VmRSS'), hwm: mib('VmHWM') };
}

async function startProc(name: string, args: string[], env: NodeJS.ProcessEnv): Promise<Proc> {
  const healthPort = await freePort();
  const healthUrl = `http://127.0.0.1:${healthPort}`;
  const child = spawn(process.execPath, [...args, `--health-addr=127.0.0.1:${healthPort}`], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  const stderr: string[] = [];
  child.stderr!.on('data', (b: Buffer) => {
    stderr.push(b.toString());
    if (stderr.length > 50) stderr.shift();
  });
  const proc = { name, child, healthUrl, stderr };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited ${child.exitCode}:\n${stderr.join('')}`);
    const ok = await fetch(`${healthUrl}/readyz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status === 200, () => false);
    if (ok) return proc;
    if (Date.now() > deadline) throw new Error(`${name} not ready after 120 s:\n${stderr.join('')}`);
    await sleep(200);
  }
}

async function stopProc(p: Proc): Promise<void> {
  if (p.child.exitCode !== null) return;
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGTERM');
  await Promise.race([exited, sleep(10_000).then(() => p.child.kill('SIGKILL'))]);
}

function isReady(obj: KubeObject | undefined): boolean {
  const status = (obj?.['status'] ?? {}) as { observedGeneration?: number; conditions?: Array<{ type: string; status: string }> };
  return !!obj && status.observedGeneration === obj.metadata.generation && (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

async function waitReady(client: DynamicClient, procs: Proc[]): Promise<void> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    for (const p of procs) if (p.child.exitCode !== null) throw new Error(`${p.name} exited:\n${p.stderr.join('')}`);
    const objs = await Promise.all(DEMO_READY_OBJECTS.map(([apiVersion, kind, namespace, name]) => client.get({ apiVersion, kind, namespace, name })));
    if (objs.every(isReady)) return;
    if (Date.now() > deadline) throw new Error(`not Ready after 300 s: ${DEMO_READY_OBJECTS.filter((_, i) => !isReady(objs[i])).map((e) => e.join('/')).join(', ')}`);
    await sleep(500);
  }
}

/** Runs the demo fleet to Ready with the controllers `start` launches; returns each process's memory. */
async function measure(ctx: BenchContext, mode: string, start: (common: string[], env: NodeJS.ProcessEnv, work: string) => Promise<Proc[]>): Promise<{ seconds: number; mem: Array<{ name: string; rss: number; hwm: number }> }> {
  const plane = await startControlPlane({ name: `bench-mem-${mode}`, controllerManager: false });
  const charts = await startChartRepo();
  const git = await startGitServer({ ssh: false });
  const work = join(plane.dir, 'work');
  mkdirSync(work, { recursive: true });
  const procs: Proc[] = [];
  const client = new DynamicClient({ kubeconfig: plane.kubeconfigPath });
  try {
    const repo = await git.createRepo('fleet', demoFleet(repoRoot(), charts.url));
    const env = {
      PATH: [dirname(toolPath('kustomize')), dirname(toolPath('helm')), process.env.PATH ?? ''].join(':'),
      EDDY_KUSTOMIZE: toolPath('kustomize'),
      EDDY_HELM: toolPath('helm'),
      RUNTIME_NAMESPACE: 'flux-system',
    };
    const common = [`--kubeconfig=${plane.kubeconfigPath}`, '--metrics-addr=127.0.0.1:0', '--enable-leader-election=false', '--log-level=error', '--requeue-dependency=5s'];
    procs.push(...(await start(common, env, work)));
    const t0 = Date.now();
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'flux-system' } });
    for (const obj of syncObjects(repo.httpUrl, git.username, git.password)) await client.apply(obj, { fieldManager: 'eddy-bench' });
    await waitReady(client, procs);
    const seconds = (Date.now() - t0) / 1000;
    await sleep(SETTLE_MS);
    const mem = procs.map((p) => ({ name: p.name, ...memory(p.child.pid!) }));
    ctx.log(`${mode}: demo fleet Ready in ${seconds.toFixed(1)} s; ${mem.map((m) => `${m.name} ${m.rss} MiB (peak ${m.hwm})`).join(', ')}`);
    return { seconds, mem };
  } finally {
    await Promise.all(procs.map(stopProc));
    client.close();
    await git.stop();
    await charts.stop();
    await plane.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** The source-controller's artifact storage flags: a directory under `work` and a free loopback port. */
async function storageFlags(work: string): Promise<string[]> {
  const addr = `127.0.0.1:${await freePort()}`;
  return [`--storage-path=${join(work, 'storage')}`, `--storage-addr=${addr}`, `--storage-adv-addr=${addr}`];
}

const sum = (xs: number[]): number => Math.round(xs.reduce((a, b) => a + b, 0) * 10) / 10;

const bench: Benchmark = {
  name: 'controllers-memory',
  description: 'five controller processes against `eddy controllers` running all five in one process: memory on the demo fleet',
  needsControlPlane: false,
  async run(ctx: BenchContext): Promise<Figure[]> {
    const how = useTsx() ? 'tsx' : 'dist';
    const separate = await measure(ctx, 'separate', async (common, env, work) => {
      const storage = await storageFlags(work);
      return Promise.all(
        CONTROLLERS.map((c) => {
          const own = c === 'source' ? storage : c === 'image-reflector' ? [`--storage-path=${join(work, 'images')}`] : [];
          return startProc(`${c}-controller`, [...entry(`packages/${c}-controller`), ...common, ...own], env);
        }),
      );
    });
    const one = await measure(ctx, 'one-process', async (common, env, work) => [
      await startProc(
        'eddy controllers',
        [
          ...entry('packages/cli'),
          ...common.filter((a) => a.startsWith('--kubeconfig')),
          'controllers',
          `--enable=${CONTROLLERS.join(',')}`,
          ...common.filter((a) => !a.startsWith('--kubeconfig')),
          ...(await storageFlags(work)),
          `--image-storage-path=${join(work, 'images')}`,
        ],
        env,
      ),
    ]);
    const figures: Figure[] = separate.mem.map((m) => ({ name: `separate (${how}): ${m.name} RSS`, value: m.rss, unit: 'MiB' }));
    figures.push(
      { name: `separate (${how}): demo fleet Ready`, value: Math.round(separate.seconds * 10) / 10, unit: 's' },
      { name: `separate (${how}): five processes RSS, total`, value: sum(separate.mem.map((m) => m.rss)), unit: 'MiB' },
      { name: `separate (${how}): five processes peak RSS, total`, value: sum(separate.mem.map((m) => m.hwm)), unit: 'MiB' },
      { name: `one process (${how}): demo fleet Ready`, value: Math.round(one.seconds * 10) / 10, unit: 's' },
      { name: `one process (${how}): RSS`, value: one.mem[0]!.rss, unit: 'MiB' },
      { name: `one process (${how}): peak RSS`, value: one.mem[0]!.hwm, unit: 'MiB' },
    );
    return figures;
  },
};

export default bench;
