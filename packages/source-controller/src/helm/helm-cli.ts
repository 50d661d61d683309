// SPDX-License-Identifier: Apache-2.0
/**
 * The real `helm` binary for packaging charts (`helm package`) and building their dependencies
 * (`helm dependency build`), run with private HELM_* homes so nothing leaks between runs or into
 * the user's configuration. The binary is `$EDDY_HELM`, else `.eddy/bin/helm` of the repository
 * (found upwards from this file or the working directory), else `helm` on the PATH.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A failed helm command; the message carries helm's own error line. */
export class HelmCommandError extends Error {
  override readonly name = 'HelmCommandError';
}

let cached: string | undefined;

function upwards(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    const candidate = join(dir, '.eddy', 'bin', 'helm');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The helm binary to run (see the module doc). */
export function helmBinary(): string {
  if (process.env.EDDY_HELM) return process.env.EDDY_HELM;
  cached ??= upwards(dirname(fileURLToPath(import.meta.url))) ?? upwards(process.cwd()) ?? 'helm';
  return cached;
}

/** Options of {@link runHelm}. */
export interface HelmRunOptions {
  cwd?: string;
  /** @default 120000 */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** More environment (e.g. HELM_REPOSITORY_CONFIG). */
  env?: Record<string, string>;
}

/** Runs `helm <args>` with private homes; resolves with stdout, rejects with {@link HelmCommandError}. */
export async function runHelm(args: string[], opts: HelmRunOptions = {}): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'eddy-helm-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
    HELM_REPOSITORY_CONFIG: join(home, 'config', 'repositories.yaml'),
    HELM_REPOSITORY_CACHE: join(home, 'cache', 'repository'),
    HELM_NO_PLUGINS: '1',
    ...opts.env,
  };
  try {
    return await new Promise<string>((ok, fail) => {
      execFile(
        helmBinary(),
        args,
        { cwd: opts.cwd, env, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 8 << 20, ...(opts.signal ? { signal: opts.signal } : {}) },
        (err, stdout, stderr) => {
          if (!err) {
            ok(stdout);
            return;
          }
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') {
            fail(new HelmCommandError(`helm binary '${helmBinary()}' not found: set EDDY_HELM or run 'make tools'`));
            return;
          }
          const line = stderr
            .split('\n')
            .map((l) => l.trim())
            .filter((l) => l !== '' && !l.startsWith('WARNING') && !l.startsWith('level=WARN'))
            .pop();
          fail(new HelmCommandError((line ?? err.message).replace(/^Error: /, '')));
        },
      );
    });
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/**
 * `helm package <chartDir> --destination <outDir> [--version v]`; returns the path of the one
 * `.tgz` written to the (empty) `outDir`.
 */
export async function helmPackage(chartDir: string, outDir: string, opts: { version?: string } & HelmRunOptions = {}): Promise<string> {
  const args = ['package', chartDir, '--destination', outDir, ...(opts.version ? ['--version', opts.version] : [])];
  await runHelm(args, opts);
  const written = (await readdir(outDir)).filter((f) => f.endsWith('.tgz'));
  if (written.length !== 1) throw new HelmCommandError(`helm package wrote ${written.length} archives to ${outDir}`);
  return join(outDir, written[0]!);
}

/** `helm dependency build <chartDir>` (resolves `file://` dependencies into `charts/`). */
export async function helmDependencyBuild(chartDir: string, opts: HelmRunOptions = {}): Promise<void> {
  await runHelm(['dependency', 'build', chartDir], opts);
}
