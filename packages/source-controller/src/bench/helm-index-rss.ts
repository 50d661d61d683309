// SPDX-License-Identifier: Apache-2.0
/**
 * Measures the peak resident memory of validating and storing a big Helm repository index:
 *
 *   node --conditions=development --import tsx packages/source-controller/src/bench/helm-index-rss.ts [MiB=50]
 *
 * Writes a synthetic `helm repo index`-style file of about MiB mebibytes (block YAML, 20 versions
 * per chart), then runs, each in a fresh process, the streamed normaliser used by the
 * HelmRepository reconciler and, for comparison, a whole-document parse with the same YAML library
 * (what a naive implementation does). Prints time and peak RSS (VmHWM) of each.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { normalizeIndex } from '../helm/index-file.ts';

const mode = process.argv[2];

function vmHWM(): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;
}

async function writeIndex(file: string, mib: number): Promise<void> {
  const out = createWriteStream(file);
  const put = async (s: string): Promise<void> => {
    if (!out.write(s)) await once(out, 'drain');
  };
  await put('apiVersion: v1\nentries:\n');
  for (let c = 0; statSync(file, { throwIfNoEntry: false })?.size === undefined || out.bytesWritten < mib * 1024 * 1024; c++) {
    await put(`  chart-${c}:\n`);
    for (let v = 0; v < 20; v++) {
      await put(
        `  - apiVersion: v2\n    appVersion: ${v}.0.${c}\n    created: "2024-01-0${(v % 9) + 1}T00:00:00.000000000Z"\n` +
          `    dependencies:\n    - condition: redis.enabled\n      name: redis\n      repository: https://charts.example.com\n      version: 17.x.x\n` +
          `    description: ${'A chart that deploys a service with many knobs. '.repeat(4)}\n` +
          `    digest: ${'0123456789abcdef'.repeat(4)}\n    home: https://example.com/chart-${c}\n` +
          `    keywords:\n    - app\n    - web\n    maintainers:\n    - email: team@example.com\n      name: team\n` +
          `    name: chart-${c}\n    sources:\n    - https://github.com/example/chart-${c}\n` +
          `    urls:\n    - https://charts.example.com/chart-${c}-${v}.${c % 10}.0.tgz\n    version: ${v}.${c % 10}.0\n`,
      );
    }
  }
  await put('generated: "2024-06-01T00:00:00Z"\n');
  out.end();
  await once(out, 'finish');
}

if (mode === '--normalize' || mode === '--parse') {
  const src = process.argv[3]!;
  const t0 = performance.now();
  if (mode === '--normalize') await normalizeIndex(src, `${src}.json`);
  else parse(readFileSync(src, 'utf8'));
  process.stdout.write(JSON.stringify({ seconds: (performance.now() - t0) / 1000, peakMiB: vmHWM() }));
} else {
  const mib = Number(mode ?? 50);
  const dir = mkdtempSync(join(tmpdir(), 'eddy-index-rss-'));
  try {
    const file = join(dir, 'index.yaml');
    await writeIndex(file, mib);
    console.log(`index: ${(statSync(file).size / 1048576).toFixed(1)} MiB`);
    const self = fileURLToPath(import.meta.url);
    const baseline = JSON.parse(execFileSync(process.execPath, ['--conditions=development', '--import', 'tsx', '-e', `process.stdout.write(JSON.stringify({peakMiB: Number(/VmHWM:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status','utf8'))[1])/1024}))`]).toString()) as { peakMiB: number };
    console.log(`baseline process: ${baseline.peakMiB.toFixed(0)} MiB`);
    for (const m of ['--normalize', '--parse']) {
      try {
        const r = JSON.parse(execFileSync(process.execPath, ['--conditions=development', '--import', 'tsx', self, m, file], { timeout: 300_000, maxBuffer: 1 << 20 }).toString()) as { seconds: number; peakMiB: number };
        console.log(`${m === '--normalize' ? 'streamed normaliser' : 'whole-document parse'}: ${r.seconds.toFixed(1)} s, peak RSS ${r.peakMiB.toFixed(0)} MiB`);
      } catch (err) {
        console.log(`${m}: failed (${(err as Error).message.split('\n')[0]})`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
