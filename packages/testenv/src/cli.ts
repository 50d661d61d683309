// SPDX-License-Identifier: Apache-2.0
/**
 * `make cluster-up` / `make cluster-down`: a local control plane with Eddy's CRDs that outlives the command.
 *
 *   node --conditions=development --import tsx packages/testenv/src/cli.ts up|down|status
 *
 * `up` detaches a holder process that owns the control plane, writes `.eddy/kubeconfig` (CA embedded) and
 * `.eddy/cluster.json` (holder pid, state dir, server), and returns once the apiserver is ready. `down` sends
 * SIGTERM to the holder, which stops everything and removes its files. If the holder dies, its watchdog cleans up.
 * @module
 */
import { fork } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { startControlPlane } from './control-plane.ts';
import { kubeRequest } from './kube-http.ts';
import { readKubeconfig, writeKubeconfig } from './kubeconfig.ts';
import { repoRoot } from './paths.ts';
import { pidAlive, tailFile, waitUntil } from './process.ts';

/** What `.eddy/cluster.json` holds. */
interface ClusterState {
  pid: number;
  dir: string;
  server: string;
  kubeconfig: string;
  startedAt: string;
  startSeconds: number;
}

const eddyDir = join(repoRoot(), '.eddy');
const statePath = join(eddyDir, 'cluster.json');
const kubeconfigPath = join(eddyDir, 'kubeconfig');
const logPath = join(eddyDir, 'cluster.log');

function readState(): ClusterState | undefined {
  try {
    return JSON.parse(readFileSync(statePath, 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

function usage(state: ClusterState): string {
  const rel = relative(process.cwd(), repoRoot()) || '.';
  return [
    `control plane ready at ${state.server} (holder pid ${state.pid}, state in ${state.dir})`,
    '',
    `  export KUBECONFIG=${state.kubeconfig}`,
    `  export PATH=${join(rel === '.' ? process.cwd() : repoRoot(), '.eddy', 'bin')}:$PATH`,
    '  kubectl get crds',
    '',
    'stop it with: make cluster-down',
  ].join('\n');
}

/** The holder: owns the control plane until SIGTERM. */
async function hold(): Promise<void> {
  const cp = await startControlPlane({ name: 'cluster' });
  writeKubeconfig(kubeconfigPath, cp, { name: 'eddy', embedCa: true });
  const state: ClusterState = {
    pid: process.pid,
    dir: cp.dir,
    server: cp.server,
    kubeconfig: kubeconfigPath,
    startedAt: new Date().toISOString(),
    startSeconds: Math.round(cp.timings.total) / 1000,
  };
  writeFileSync(statePath, `${JSON.stringify(state, null, 2)}\n`);
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const shutdown = (): void => {
    cp.stop()
      .catch((err: unknown) => console.error('stopping the control plane failed:', err))
      .finally(() => {
        rmSync(statePath, { force: true });
        rmSync(kubeconfigPath, { force: true });
        clearInterval(keepAlive);
        process.exit(0);
      });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  console.log(`ready: ${JSON.stringify(state)}`);
  process.send?.({ ready: state }, () => {
    if (process.connected) process.disconnect();
  });
}

async function up(): Promise<number> {
  const existing = readState();
  if (existing && pidAlive(existing.pid)) {
    console.log(`already running.\n${usage(existing)}`);
    return 0;
  }
  mkdirSync(eddyDir, { recursive: true });
  rmSync(statePath, { force: true });
  const log = openSync(logPath, 'w');
  const child = fork(import.meta.filename, ['__hold'], {
    detached: true,
    stdio: ['ignore', log, log, 'ipc'],
    execArgv: process.execArgv,
  });
  closeSync(log);
  const result = await new Promise<ClusterState | string>((resolve) => {
    child.on('message', (m: { ready?: ClusterState }) => {
      if (m.ready) resolve(m.ready);
    });
    child.on('exit', (code, signal) =>
      resolve(`the holder exited (${code ?? signal}) before the control plane was ready`),
    );
  });
  if (typeof result === 'string') {
    console.error(`${result}\n--- ${logPath} ---\n${tailFile(logPath, 60)}`);
    return 1;
  }
  if (child.connected) child.disconnect();
  child.unref();
  console.log(usage(result));
  return 0;
}

async function down(): Promise<number> {
  const state = readState();
  if (!state || !pidAlive(state.pid)) {
    rmSync(statePath, { force: true });
    console.log('no control plane is running');
    return 0;
  }
  process.kill(state.pid, 'SIGTERM');
  try {
    await waitUntil(() => !pidAlive(state.pid), { what: `holder ${state.pid} to stop`, timeoutMs: 30_000 });
  } catch {
    process.kill(state.pid, 'SIGKILL'); // its watchdog removes the processes and the directory
  }
  await waitUntil(() => !existsSync(state.dir), { what: `${state.dir} to be removed`, timeoutMs: 15_000 });
  rmSync(statePath, { force: true });
  rmSync(kubeconfigPath, { force: true });
  console.log(`control plane at ${state.server} stopped`);
  return 0;
}

async function status(): Promise<number> {
  const state = readState();
  if (!state || !pidAlive(state.pid)) {
    console.log('no control plane is running (start one with: make cluster-up)');
    return 1;
  }
  const res = await kubeRequest(readKubeconfig(kubeconfigPath), 'GET', '/readyz').catch((e: unknown) => String(e));
  console.log(`${usage(state)}\n\n/readyz: ${typeof res === 'string' ? res : res.status}`);
  return typeof res === 'string' || res.status !== 200 ? 1 : 0;
}

const commands: Record<string, () => Promise<number | void>> = { up, down, status, __hold: hold };
const command = commands[process.argv[2] ?? ''];
if (!command) {
  console.error('usage: cli.ts up|down|status');
  process.exit(2);
}
command().then(
  (code) => {
    if (typeof code === 'number') process.exit(code);
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
