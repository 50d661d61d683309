// SPDX-License-Identifier: Apache-2.0
/**
 * `make demo`: Eddy end to end on this machine, nothing from the internet.
 *
 * 1. a local control plane (etcd, kube-apiserver, kube-controller-manager) with the CRDs;
 * 2. a git server with the demo fleet repository (scripts/demo-fleet.ts), and a Helm chart server
 *    with the podinfo chart when the helm-controller can run;
 * 3. the controllers as separate processes, from their own entry points;
 * 4. the `flux-system` GitRepository and Kustomization, then a live status table (like
 *    `eddy get all -A`, redrawn every second) until everything is Ready;
 * 5. `eddy tree kustomization flux-system`, and how to clone the repository, commit and watch.
 *
 * Ctrl-C stops everything. `EDDY_DEMO_EXIT_WHEN_READY=1` exits 0 once all is Ready (smoke test),
 * `EDDY_DEMO_TIMEOUT` (seconds, default 300) bounds the wait.
 *
 *   node --conditions=development --import tsx scripts/demo.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { renderAll, run } from '../packages/cli/src/index.ts';
import { makeContext } from '../packages/cli/src/context.ts';
import { DynamicClient, type KubeObject } from '../packages/runtime/src/client/index.ts';
import { startChartRepo, startControlPlane, startControllerProcess, startGitServer, toolPath, type ChartRepo, type ControlPlane, type ControllerProcess, type GitServer } from '../packages/testenv/src/index.ts';

/** The controllers the demo runs, by short name. */
type ControllerName = 'source' | 'kustomize' | 'helm';
import { DEMO_READY_OBJECTS, demoFleet, syncObjects } from './demo-fleet.ts';

const root = join(import.meta.dirname, '..');
const started = Date.now();
const exitWhenReady = process.env.EDDY_DEMO_EXIT_WHEN_READY === '1';
const timeoutMs = Number(process.env.EDDY_DEMO_TIMEOUT ?? 300) * 1000;
const tty = Boolean(process.stdout.isTTY) && !exitWhenReady;
const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const say = (line: string): void => void process.stdout.write(`${line}\n`);

let cp: ControlPlane | undefined;
let git: GitServer | undefined;
let charts: ChartRepo | undefined;
let client: DynamicClient | undefined;
const controllers: ControllerProcess[] = [];
const work = mkdtempSync(join(tmpdir(), 'eddy-demo-'));
let stopping: Promise<void> | undefined;

/** Stops everything, newest first; idempotent. */
function shutdown(code: number): Promise<void> {
  stopping ??= (async () => {
    say(`\n► stopping the demo`);
    await Promise.all(controllers.map((c) => c.stop(3000)));
    client?.transport.close();
    await Promise.all([git?.stop(), charts?.stop()]);
    await cp?.stop();
    rmSync(work, { recursive: true, force: true });
    say(`✔ stopped (${elapsed()})`);
    process.exit(code);
  })();
  return stopping;
}
process.on('SIGINT', () => void shutdown(130));
process.on('SIGTERM', () => void shutdown(143));

async function startControllers(kubeconfig: string, names: ControllerName[]): Promise<void> {
  const env = {
    PATH: [dirname(toolPath('kustomize')), dirname(toolPath('helm')), process.env.PATH ?? ''].join(':'),
    EDDY_KUSTOMIZE: toolPath('kustomize'),
    EDDY_HELM: toolPath('helm'),
    RUNTIME_NAMESPACE: 'flux-system',
  };
  await Promise.all(
    names.map(async (name) => {
      const t0 = Date.now();
      const proc = await startControllerProcess({
        controller: `${name}-controller`,
        kubeconfigPath: kubeconfig,
        storagePath: join(work, 'storage'),
        args: ['--requeue-dependency=5s'],
        env,
      });
      controllers.push(proc);
      say(`✔ ${name}-controller running (pid ${proc.pid}${proc.storageUrl ? `, artifacts on ${proc.storageUrl}` : ''}) in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    }),
  );
}

/** Whether every expected object exists and every Eddy object is Ready for its generation. */
async function allReady(c: DynamicClient, expected: ReadonlyArray<readonly [string, string, string, string]>): Promise<{ ready: boolean; waiting: string[] }> {
  const waiting: string[] = [];
  for (const [apiVersion, kind, namespace, name] of expected) {
    const obj = await c.get({ apiVersion, kind, name, namespace });
    if (!isReady(obj)) waiting.push(`${kind}/${namespace}/${name}`);
  }
  return { ready: waiting.length === 0, waiting };
}

function isReady(obj: KubeObject | undefined): boolean {
  if (!obj) return false;
  const status = (obj['status'] ?? {}) as { observedGeneration?: number; conditions?: Array<{ type: string; status: string }> };
  return status.observedGeneration === obj.metadata.generation && (status.conditions ?? []).some((x) => x.type === 'Ready' && x.status === 'True');
}

async function liveTable(kubeconfig: string, expected: ReadonlyArray<readonly [string, string, string, string]>): Promise<void> {
  const ctx = makeContext({ kubeconfig, namespace: 'flux-system', timeoutMs: 60_000 }, { out: () => undefined, err: () => undefined });
  let last = '';
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const table = (await renderAll(ctx, { allNamespaces: true }).catch((e: unknown) => `(${(e as Error).message})`)) ?? '(no objects yet)';
    const { ready, waiting } = await allReady(client!, expected);
    if (tty) process.stdout.write(`\x1b[H\x1b[2J► Eddy demo: waiting for everything to be Ready (${elapsed()}, Ctrl-C to stop)\n\n${table}\n`);
    else if (table !== last) say(`\n${table}`);
    last = table;
    if (ready) return;
    if (Date.now() > deadline) {
      say(`\n✗ not Ready after ${timeoutMs / 1000}s: ${waiting.join(', ')}`);
      for (const c of controllers) say(`\n--- ${c.controller} (last lines)\n${c.logTail(15)}`);
      await shutdown(1);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** After Ready: print each Kustomization's newly applied revision (commit, push, watch). */
async function watchRevisions(c: DynamicClient): Promise<void> {
  const seen = new Map<string, string>();
  for (;;) {
    const list = await c.list('kustomize.toolkit.fluxcd.io/v1', 'Kustomization', {}).catch(() => ({ items: [] as KubeObject[] }));
    for (const ks of list.items) {
      const key = `${ks.metadata.namespace ?? ''}/${ks.metadata.name ?? ''}`;
      const rev = String((ks['status'] as { lastAppliedRevision?: string } | undefined)?.lastAppliedRevision ?? '');
      if (seen.has(key) && seen.get(key) !== rev && rev) say(`✔ [${new Date().toLocaleTimeString()}] Kustomization ${key} applied revision ${rev}`);
      seen.set(key, rev);
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

async function main(): Promise<void> {
  say('► starting a local control plane (etcd, kube-apiserver, kube-controller-manager) with the CRDs');
  cp = await startControlPlane({ name: 'demo' });
  client = new DynamicClient({ kubeconfig: cp.kubeconfigPath });
  say(`✔ control plane ready in ${(cp.timings.total / 1000).toFixed(1)}s (${cp.server})`);

  charts = await startChartRepo();
  say(`✔ chart server on ${charts.url} (${charts.charts.map((c) => `${c.name}-${c.version}`).join(', ')})`);
  git = await startGitServer({ ssh: false });
  const repo = await git.createRepo('fleet', demoFleet(root, charts.url));
  say(`✔ git server on ${git.httpUrl}: fleet repository at ${repo.commit!.slice(0, 12)}`);

  await startControllers(cp.kubeconfigPath, ['source', 'kustomize', 'helm']);

  await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'flux-system' } });
  for (const obj of syncObjects(repo.httpUrl, git.username, git.password)) await client.apply(obj, { fieldManager: 'eddy' });
  say(`✔ created GitRepository and Kustomization flux-system (${elapsed()})`);

  await liveTable(cp.kubeconfigPath, DEMO_READY_OBJECTS);
  say(`\n✔ everything is Ready in ${elapsed()}\n`);

  const eddyArgs = ['--kubeconfig', cp.kubeconfigPath];
  await run([...eddyArgs, 'tree', 'kustomization', 'flux-system'], { out: say, err: say });
  if (exitWhenReady) return shutdown(0);

  const auth = `${git.username}:${git.password}@`;
  const cloneUrl = repo.httpUrl.replace('://', `://${auth}`);
  say(`
Try it:
  export KUBECONFIG=${cp.kubeconfigPath}
  alias eddy='node --conditions=development --import tsx ${join(root, 'packages/cli/src/main.ts')}'
  eddy get all -A

  git clone ${cloneUrl} fleet && cd fleet     # user ${git.username}, password ${git.password}
  sed -i 's/minReplicas: 2/minReplicas: 3/' apps/podinfo/hpa.yaml
  git commit -am 'scale podinfo' && git push
  eddy reconcile source git flux-system       # or wait up to 30s for the next poll
  eddy get ks -A --watch

Applied revisions are printed below. Ctrl-C stops everything.`);
  await watchRevisions(client);
}

main().catch(async (err: unknown) => {
  say(`✗ ${(err as Error).message}`);
  for (const c of controllers) say(`\n--- ${c.controller} (last lines)\n${c.logTail(15)}`);
  await shutdown(1);
});
