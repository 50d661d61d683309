// SPDX-License-Identifier: Apache-2.0
/**
 * ImageRepository scans of a repository with many tags. A loopback registry gets one small image
 * tagged `1.0.0` … `1.0.<N-1>` (N = `BENCH_IMAGE_TAGS`, default 10 000; the same manifest PUT
 * under every tag, 16 requests in flight). Then:
 *
 * 1. in-process, the scan path of the ImageRepository reconciler (`RegistryClient.listTags`, i.e.
 *    `OciClient.listTags` with `Link` paging, then the exclusion filter, sort and `TagStore`
 *    write through `scanRepository`): time of a cold and of warm scans, process RSS before/after
 *    and the heap delta;
 * 2. the `eddy-image-reflector-controller` process (namespace-scoped) with one ImageRepository
 *    for that image: time from create to `status.lastScanResult.tagCount` = N and the process's
 *    peak resident memory (VmHWM), idle and after the scan.
 *
 * The controller package is not a dependency of `bench/`, so it is loaded from source by path.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamicClient, type KubeObject } from '@eddy/runtime';
import { OciClient } from '@eddy/runtime/oci';
import { startControllerProcess, startRegistry, type Registry } from '@eddy/testenv';
import type { BenchContext, Benchmark, Figure } from './run.ts';
import * as reflector from '@eddy/image-reflector-controller';

const TAGS = Number(process.env.BENCH_IMAGE_TAGS ?? 10_000);
const WARM_RUNS = 3;
const REPO = 'bench/app';
const IR = { apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImageRepository' } as const;

type Obj = KubeObject & { status?: { lastScanResult?: { tagCount?: number } } };

const mib = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;
const secs = (ms: number): number => Math.round(ms) / 1000;

function procStatusMiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/** Pushes one image, then PUTs its manifest under `1.0.<i>` for every i. */
async function tagMany(ctx: BenchContext, registry: Registry): Promise<Figure> {
  const { manifest } = await registry.pushImage(REPO, '1.0.0');
  const body = JSON.stringify(manifest);
  const t0 = performance.now();
  await pool(
    Array.from({ length: TAGS - 1 }, (_, i) => i + 1),
    16,
    async (i) => {
      const url = `${registry.url}/v2/${REPO}/manifests/1.0.${i}`;
      const res = await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, body });
      await res.arrayBuffer();
      if (res.status !== 201) throw new Error(`PUT ${url}: ${res.status}`);
    },
  );
  const ms = performance.now() - t0;
  ctx.log(`tagged ${TAGS} times in ${secs(ms)}s`);
  return { name: `registry: tag ${TAGS} times (16 in flight)`, value: secs(ms), unit: 's' };
}

/** (1) The reconciler's scan path, in this process. */
async function inProcess(ctx: BenchContext, registry: Registry): Promise<Figure[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'eddy-bench-tags-'));
  try {
    const lister = new reflector.RegistryClient({ egress: null });
    const store = new reflector.TagStore({ dataDir });
    const image = reflector.parseImageRepository(`${registry.host}/${REPO}`, true);
    const scan = async (): Promise<number> => {
      const t0 = performance.now();
      const out = await reflector.scanRepository({ lister, store, repo: { namespace: 'bench', name: 'app' }, image, now: Date.now() });
      if (out.lastScanResult.tagCount !== TAGS) throw new Error(`scan found ${out.lastScanResult.tagCount} tags, want ${TAGS}`);
      return performance.now() - t0;
    };
    const before = process.memoryUsage();
    const cold = await scan();
    const after = process.memoryUsage();
    const warm: number[] = [];
    for (let i = 0; i < WARM_RUNS; i++) warm.push(await scan());
    warm.sort((a, b) => a - b);

    const oci = new OciClient({ insecure: true });
    const t0 = performance.now();
    const listed = await oci.listTags(`${registry.host}/${REPO}`);
    const listMs = performance.now() - t0;
    if (listed.length !== TAGS) throw new Error(`listTags returned ${listed.length} tags, want ${TAGS}`);
    ctx.log(`in-process scan: cold ${secs(cold)}s, warm median ${secs(warm[WARM_RUNS >> 1]!)}s`);
    return [
      { name: 'in-process scan: cold', value: secs(cold), unit: 's' },
      { name: `in-process scan: warm median of ${WARM_RUNS}`, value: secs(warm[WARM_RUNS >> 1]!), unit: 's' },
      { name: 'in-process OciClient.listTags alone (1000/page)', value: secs(listMs), unit: 's' },
      { name: 'in-process RSS before cold scan', value: mib(before.rss), unit: 'MiB' },
      { name: 'in-process RSS after cold scan', value: mib(after.rss), unit: 'MiB' },
      { name: 'in-process heapUsed delta over cold scan', value: mib(after.heapUsed - before.heapUsed), unit: 'MiB' },
      { name: 'bench process peak RSS (VmHWM)', value: procStatusMiB(process.pid, 'VmHWM'), unit: 'MiB' },
    ];
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** (2) The controller process reconciling one ImageRepository. */
async function controllerProcess(ctx: BenchContext, registry: Registry): Promise<Figure[]> {
  const client = new DynamicClient({ kubeconfig: ctx.kubeconfigPath });
  const ns = `bench-imagerepo-${Date.now().toString(36)}`;
  const storage = mkdtempSync(join(tmpdir(), 'eddy-bench-irc-'));
  await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const proc = await startControllerProcess({
    controller: 'image-reflector-controller',
    kubeconfigPath: ctx.kubeconfigPath,
    namespace: ns,
    args: [`--storage-path=${storage}`, '--log-level=error'],
  });
  try {
    const idleHwm = procStatusMiB(proc.pid, 'VmHWM');
    const t0 = performance.now();
    await client.create({ ...IR, metadata: { name: 'app', namespace: ns }, spec: { image: `${registry.host}/${REPO}`, interval: '10m', insecure: true } } as never);
    let count = 0;
    while (count !== TAGS) {
      if (!proc.running) throw new Error(`image-reflector-controller exited:\n${proc.logTail(30)}`);
      if (performance.now() - t0 > 5 * 60_000) throw new Error(`tagCount ${count}/${TAGS} after 5 minutes:\n${proc.logTail(30)}`);
      await new Promise((r) => setTimeout(r, 100));
      const obj = await client.get<Obj>({ ...IR, name: 'app', namespace: ns });
      count = obj?.status?.lastScanResult?.tagCount ?? 0;
    }
    const ms = performance.now() - t0;
    const hwm = procStatusMiB(proc.pid, 'VmHWM');
    const rss = procStatusMiB(proc.pid, 'VmRSS');
    ctx.log(`controller: tagCount ${TAGS} after ${secs(ms)}s, VmHWM ${idleHwm} → ${hwm} MiB`);
    return [
      { name: `controller: create → tagCount ${TAGS}`, value: secs(ms), unit: 's' },
      { name: 'controller peak RSS (VmHWM) idle, at /readyz', value: idleHwm, unit: 'MiB' },
      { name: 'controller peak RSS (VmHWM) after scan', value: hwm, unit: 'MiB' },
      { name: 'controller RSS (VmRSS) after scan', value: rss, unit: 'MiB' },
    ];
  } finally {
    await proc.stop();
    rmSync(storage, { recursive: true, force: true });
    await client.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns }).catch(() => false);
    client.close();
  }
}

const bench: Benchmark = {
  name: 'imagerepository',
  description: `ImageRepository scan of ${TAGS} tags on a local registry: in-process scan path and the controller process (time, memory)`,
  needsControlPlane: true,
  async run(ctx) {
    const registry = await startRegistry();
    try {
      const figures: Figure[] = [await tagMany(ctx, registry)];
      figures.push(...(await inProcess(ctx, registry)));
      figures.push(...(await controllerProcess(ctx, registry)));
      return figures;
    } finally {
      await registry.stop();
    }
  },
};

export default bench;
