// SPDX-License-Identifier: Apache-2.0
/**
 * Runs the real `kustomize build` with the options Flux's in-process build uses:
 * `LoadRestrictionsNone` (files anywhere in the source root, see {@link checkConfinement}), plugins,
 * exec functions and Helm disabled (the CLI defaults), and no final reordering (`--reorder none`:
 * Flux's `krusty.Options` leaves `Reorder` unset, so resources keep their depth-first input order
 * unless the kustomization has `sortOptions`). The output is byte-for-byte what Flux's
 * `resmap.AsYaml()` returns. The child runs with a scrubbed environment, a private `HOME`, a
 * timeout and an output cap.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realClock, type Clock } from '@eddy/runtime/clock';
import { checkConfinement } from './confine.ts';
import { BuildError } from './errors.ts';

/** Options of {@link kustomizeBuild}. */
export interface KustomizeOptions {
  /** The kustomize binary. @default `$EDDY_KUSTOMIZE` or `kustomize` on `PATH` */
  kustomizePath?: string;
  /** Disallow remote bases and files (`--no-remote-bases`). @default false */
  noRemoteBases?: boolean;
  /** Kill the build after this many milliseconds; 0 disables. @default 300000 */
  timeoutMs?: number;
  /** Cap on stdout bytes. @default 256 MiB */
  maxOutputBytes?: number;
  /** Aborts the build. */
  signal?: AbortSignal;
  /** Time source for the timeout. @default realClock */
  clock?: Clock;
}

const STDERR_CAP = 64 << 10;

/** The kustomize binary to run when none is configured. */
export function defaultKustomizePath(): string {
  return process.env.EDDY_KUSTOMIZE || 'kustomize';
}

function childEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    // Remote bases are cloned with git; never prompt for credentials.
    GIT_TERMINAL_PROMPT: '0',
  };
  for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'SSL_CERT_FILE', 'SSL_CERT_DIR']) {
    if (process.env[k]) env[k] = process.env[k];
  }
  return env;
}

/** Turns kustomize's stderr into Flux's message shape: `kustomize build failed: <error>`. */
export function kustomizeErrorMessage(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l !== '' && !/^Flag --\S+ has been deprecated/.test(l));
  const errLine = lines.find((l) => l.startsWith('Error: '));
  const msg = errLine ? errLine.slice('Error: '.length) : lines.join('; ');
  return `kustomize build failed: ${msg || 'unknown error'}`;
}

/**
 * Builds the kustomization in `dir` (inside `root`) and returns the multi-document YAML.
 * The confinement check runs first.
 * @throws BuildError
 */
export async function kustomizeBuild(root: string, dir: string, opts: KustomizeOptions = {}): Promise<string> {
  await checkConfinement(root, dir, { noRemoteBases: opts.noRemoteBases ?? false });
  const home = await mkdtemp(join(tmpdir(), 'kustomize-home-'));
  try {
    return await run(dir, home, opts);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

function run(dir: string, home: string, opts: KustomizeOptions): Promise<string> {
  const bin = opts.kustomizePath ?? defaultKustomizePath();
  const clock = opts.clock ?? realClock;
  const maxOut = opts.maxOutputBytes ?? 256 << 20;
  const args = ['build', dir, '--load-restrictor', 'LoadRestrictionsNone', '--reorder', 'none'];
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: dir, env: childEnv(home), stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    let failure: BuildError | undefined;
    const kill = (e: BuildError): void => {
      failure ??= e;
      child.kill('SIGKILL');
    };
    const timeoutMs = opts.timeoutMs ?? 300_000;
    const timer =
      timeoutMs > 0
        ? clock.setTimer(timeoutMs, () => kill(new BuildError('Timeout', `kustomize build failed: timed out after ${timeoutMs}ms`)))
        : undefined;
    const onAbort = (): void => kill(new BuildError('Timeout', 'kustomize build failed: aborted'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > maxOut) kill(new BuildError('OutputTooLarge', `kustomize build failed: output exceeds ${maxOut} bytes`));
      else out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (err.length < STDERR_CAP) err += chunk.toString('utf8');
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      failure ??= new BuildError(
        'KustomizeFailed',
        e.code === 'ENOENT' ? `kustomize build failed: kustomize binary not found at '${bin}'` : `kustomize build failed: ${e.message}`,
        { cause: e },
      );
    });
    child.on('close', (code) => {
      timer?.cancel();
      opts.signal?.removeEventListener('abort', onAbort);
      if (failure) reject(failure);
      else if (code !== 0) reject(new BuildError('KustomizeFailed', kustomizeErrorMessage(err)));
      else resolve(Buffer.concat(out).toString('utf8'));
    });
  });
}
