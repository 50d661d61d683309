// SPDX-License-Identifier: Apache-2.0
/**
 * Informer + work queue over 10 000 ConfigMaps on a real control plane:
 * - time to sync (paginated list into the cache, every key in the queue);
 * - heap per cached object (as the apiserver sends it, and with managedFields stripped);
 * - watch events per second the informer absorbs while writer processes update every object,
 *   and the informer's own CPU per event (the writers run in other processes);
 * - queue throughput with 4 workers (add → get → done), in process.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { randomBytes } from 'node:crypto';
import {
  DynamicClient,
  RateLimitingQueue,
  SharedInformer,
  objectKey,
  realClock,
  stripManagedFields,
  type KubeObject,
} from '@eddy/runtime';
import type { BenchContext, Benchmark, Figure } from './run.ts';

const COUNT = Number(process.env.BENCH_OBJECTS ?? 10_000);
const WRITERS = 64;
const WRITER_PROCESSES = 4;
const CM = { apiVersion: 'v1', kind: 'ConfigMap' } as const;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function heapUsed(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/** Runs the update writers in child processes; resolves when all finished. */
function writeAll(kubeconfig: string, ns: string, revision: number): Promise<void> {
  const per = Math.ceil(COUNT / WRITER_PROCESSES);
  const script = join(import.meta.dirname, 'update-writer.ts');
  return Promise.all(
    Array.from({ length: WRITER_PROCESSES }, (_, i) => {
      const args = [kubeconfig, ns, String(i * per), String(Math.min(COUNT, (i + 1) * per)), String(WRITERS / WRITER_PROCESSES), String(revision)];
      const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', script, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
      return new Promise<void>((resolve, reject) =>
        child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`update writer exited with ${code}`)))),
      );
    }),
  ).then(() => undefined);
}

async function until(check: () => boolean, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('benchmark timed out');
    await new Promise((r) => setImmediate(r));
  }
}

/** Lists and caches every ConfigMap of `ns`, each key going to a queue; measures time and heap. */
async function syncOnce(client: DynamicClient, ns: string, strip: boolean): Promise<{ informer: SharedInformer; queue: RateLimitingQueue; ms: number; bytesPerObject: number }> {
  const before = heapUsed();
  const queue = new RateLimitingQueue({ clock: realClock });
  const informer = new SharedInformer({
    client,
    clock: realClock,
    ...CM,
    namespace: ns,
    ...(strip ? { transform: stripManagedFields } : {}),
  });
  informer.addEventHandler({
    onAdd: (o) => queue.add(objectKey(o)),
    onUpdate: (_o, n) => queue.add(objectKey(n)),
    onDelete: (o) => queue.add(objectKey(o)),
  });
  const t0 = performance.now();
  informer.start();
  await informer.waitForSync();
  await until(() => queue.len() >= COUNT);
  const ms = performance.now() - t0;
  const bytesPerObject = (heapUsed() - before) / COUNT;
  return { informer, queue, ms, bytesPerObject };
}

const bench: Benchmark = {
  name: 'informer-queue',
  description: `informer + work queue with ${COUNT.toLocaleString('en-US')} ConfigMaps on a real control plane`,
  needsControlPlane: true,
  async run(ctx: BenchContext): Promise<Figure[]> {
    const client = new DynamicClient({ kubeconfig: ctx.kubeconfigPath });
    const ns = `bench-${randomBytes(3).toString('hex')}`;
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const names = Array.from({ length: COUNT }, (_, i) => `cm-${String(i).padStart(5, '0')}`);
    const cm = (name: string, rev: number): KubeObject => ({
      ...CM,
      metadata: { name, namespace: ns, labels: { app: 'bench', 'app.kubernetes.io/part-of': 'eddy' } },
      data: { revision: String(rev), 'config.yaml': `replicas: 3\nimage: ghcr.io/stefanprodan/podinfo:6.7.${rev}\n` },
    });
    ctx.log(`creating ${COUNT} ConfigMaps`);
    const t = performance.now();
    await pool(names, WRITERS, (n) => client.create(cm(n, 0)));
    const createRate = COUNT / ((performance.now() - t) / 1000);

    ctx.log('syncing an informer (objects as sent, managedFields included)');
    const raw = await syncOnce(client, ns, false);
    await raw.informer.stop();
    ctx.log('syncing an informer with managedFields stripped');
    const lean = await syncOnce(client, ns, true);

    ctx.log(`updating every ConfigMap from ${WRITER_PROCESSES} writer processes`);
    let events = 0;
    let lastEventAt = 0;
    lean.informer.addEventHandler({
      onUpdate: () => {
        events++;
        lastEventAt = performance.now();
      },
    });
    const cpu0 = process.cpuUsage();
    const updateStart = performance.now();
    await writeAll(ctx.kubeconfigPath, ns, 1);
    const writesDone = performance.now();
    await until(() => events >= COUNT);
    const cpu = process.cpuUsage(cpu0);
    const eventSeconds = (lastEventAt - updateStart) / 1000;

    ctx.log('draining the queue with 4 workers');
    const queue = lean.queue;
    const drainStart = performance.now();
    let processed = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (;;) {
          if (queue.len() === 0) return;
          const r = await queue.get();
          if (r.shutdown) return;
          processed++;
          queue.forget(r.item);
          queue.done(r.item);
        }
      }),
    );
    const drainRate = processed / ((performance.now() - drainStart) / 1000);
    await lean.informer.stop();
    queue.shutdown();

    ctx.log('queue micro-benchmark (no apiserver)');
    const q = new RateLimitingQueue({ clock: realClock });
    const keys = names.map((n) => `${ns}/${n}`);
    const rounds = 20;
    const queueStart = performance.now();
    for (let r = 0; r < rounds; r++) {
      for (const k of keys) q.add(k);
      for (const k of keys) q.add(k);
      for (;;) {
        if (q.len() === 0) break;
        const g = await q.get();
        q.done(g.item!);
      }
    }
    const queueOps = (rounds * keys.length) / ((performance.now() - queueStart) / 1000);

    await client.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
    client.close();
    return [
      { name: 'objects', value: COUNT, unit: 'ConfigMaps' },
      { name: 'create rate (64 writers, setup)', value: createRate, unit: 'objects/s' },
      { name: 'time to sync (list + cache + queue)', value: raw.ms, unit: 'ms' },
      { name: 'time to sync, managedFields stripped', value: lean.ms, unit: 'ms' },
      { name: 'heap per cached object (cache + queued key)', value: raw.bytesPerObject, unit: 'bytes' },
      { name: 'heap per object, managedFields stripped', value: lean.bytesPerObject, unit: 'bytes' },
      { name: `update writes (${WRITER_PROCESSES} processes, incl. start-up)`, value: COUNT / ((writesDone - updateStart) / 1000), unit: 'writes/s' },
      { name: 'watch events absorbed (bounded by the writers)', value: COUNT / eventSeconds, unit: 'events/s' },
      { name: 'last event after last write ack', value: Math.max(0, lastEventAt - writesDone), unit: 'ms' },
      { name: 'informer CPU per watch event', value: (cpu.user + cpu.system) / COUNT, unit: 'µs' },
      { name: 'informer capacity (1 core, from CPU/event)', value: 1e6 / ((cpu.user + cpu.system) / COUNT), unit: 'events/s' },
      { name: 'queue drain, 4 workers, noop reconcile', value: drainRate, unit: 'keys/s' },
      { name: 'queue add+add+get+done (in process)', value: queueOps, unit: 'keys/s' },
    ];
  },
};

export default bench;
