// SPDX-License-Identifier: Apache-2.0
/**
 * Runs Eddy's tests with Node's test runner.
 *
 *   node --import tsx scripts/run-tests.ts <unit|int|e2e|all> [file-filter...]
 *
 * - unit: `packages/*\/src/**\/*.test.ts` that are not `*.int.test.ts`
 * - int:  `packages/**\/*.int.test.ts` (real control plane)
 * - e2e:  `e2e/**\/*.test.ts`
 *
 * For `int`, `e2e` and `all` one control plane is started first and shared by every test file
 * through `EDDY_TEST_KUBECONFIG`; each test isolates itself in its own namespace. Tests that need
 * a control plane of their own (to stop the apiserver, say) start one themselves.
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const mode = process.argv[2] ?? 'all';
const filters = process.argv.slice(3);

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (entry.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

function select(kind: 'unit' | 'int' | 'e2e'): string[] {
  if (kind === 'e2e') return walk(join(root, 'e2e'));
  const all = walk(join(root, 'packages'));
  return all.filter((f) => (kind === 'int' ? f.endsWith('.int.test.ts') : !f.endsWith('.int.test.ts')));
}

const kinds: Array<'unit' | 'int' | 'e2e'> =
  mode === 'all' ? ['unit', 'int', 'e2e'] : mode === 'unit' || mode === 'int' || mode === 'e2e' ? [mode] : [];
if (kinds.length === 0) {
  console.error(`unknown test mode ${mode}: use unit, int, e2e or all`);
  process.exit(2);
}
let files = kinds.flatMap(select).sort();
if (filters.length > 0) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

const needsCluster = files.some((f) => f.endsWith('.int.test.ts') || f.startsWith('e2e'));
const env: NodeJS.ProcessEnv = { ...process.env };
let stop: (() => Promise<void>) | undefined;
if (needsCluster && !process.env.EDDY_TEST_KUBECONFIG) {
  const { startControlPlane } = await import('../packages/testenv/src/index.ts');
  const started = Date.now();
  const cp = await startControlPlane({ name: 'tests' });
  console.log(`control plane ready in ${((Date.now() - started) / 1000).toFixed(1)}s (${cp.kubeconfigPath})`);
  env.EDDY_TEST_KUBECONFIG = cp.kubeconfigPath;
  stop = () => cp.stop();
}

const concurrency = process.env.EDDY_TEST_CONCURRENCY ?? '2';
const args = [
  '--conditions=development',
  '--import',
  'tsx',
  '--test',
  `--test-concurrency=${concurrency}`,
  '--test-timeout=600000',
  '--test-reporter=spec',
  ...files,
];
const child = spawn(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
const forward = (sig: NodeJS.Signals): void => {
  child.kill(sig);
};
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
const code: number = await new Promise((resolve) => child.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0))));
if (stop) await stop();
process.exit(code);
