// SPDX-License-Identifier: Apache-2.0
/**
 * Runs Eddy's benchmarks and prints their figures.
 *
 *   node --conditions=development --import tsx bench/run.ts [name-filter...]
 *
 * Every `bench/*.bench.ts` exports a {@link Benchmark} as default. Benchmarks that need a
 * Kubernetes control plane share one, started here (or the one `EDDY_BENCH_KUBECONFIG` points at).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startControlPlane, type ControlPlane } from '@eddy/testenv';

/** What a benchmark gets. */
export interface BenchContext {
  /** Admin kubeconfig of the control plane (only for benchmarks that need one). */
  kubeconfigPath: string;
  /** Progress output. */
  log(msg: string): void;
}

/** One figure: a name, a value and its unit. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
}

/** A benchmark module's default export. */
export interface Benchmark {
  name: string;
  description: string;
  needsControlPlane: boolean;
  run(ctx: BenchContext): Promise<Figure[]>;
}

const dir = import.meta.dirname;
const filters = process.argv.slice(2).filter((a) => a !== '');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error(`no benchmark matched ${filters.join(' ')}`);
  process.exit(1);
}

let plane: ControlPlane | undefined;
let kubeconfigPath = process.env.EDDY_BENCH_KUBECONFIG ?? '';
let failed = false;
try {
  for (const file of files) {
    const bench = ((await import(pathToFileURL(join(dir, file)).href)) as { default: Benchmark }).default;
    if (bench.needsControlPlane && !kubeconfigPath) {
      const t0 = Date.now();
      plane = await startControlPlane({ name: 'bench', controllerManager: false });
      kubeconfigPath = plane.kubeconfigPath;
      console.log(`control plane ready in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    }
    console.log(`\n## ${bench.name}: ${bench.description}`);
    try {
      const figures = await bench.run({ kubeconfigPath, log: (m) => console.log(`  … ${m}`) });
      const width = Math.max(...figures.map((f) => f.name.length));
      for (const f of figures) console.log(`  ${f.name.padEnd(width)}  ${format(f.value)} ${f.unit}`);
    } catch (err) {
      failed = true;
      console.error(`  FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }
} finally {
  await plane?.stop();
}
process.exit(failed ? 1 : 0);

function format(v: number): string {
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toPrecision(3);
}
