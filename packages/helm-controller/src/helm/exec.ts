// SPDX-License-Identifier: Apache-2.0
/**
 * Runs the helm binary: argv only (no shell), a controlled environment, bounded output, and
 * cancellation through an `AbortSignal` (SIGTERM, then SIGKILL after a grace period measured on the
 * injected {@link Clock}).
 */
import { spawn } from 'node:child_process';
import type { Clock } from '@eddy/runtime/clock';
import { HelmError, classifyHelmError } from './errors.ts';

/** Options of {@link execHelm}. */
export interface ExecOptions {
  /** Path of the helm binary. */
  helmPath: string;
  /** The complete environment of the child (nothing is inherited). */
  env: Record<string, string>;
  /** Working directory. */
  cwd: string;
  clock: Clock;
  signal?: AbortSignal;
  /** Data written to stdin, if any. */
  stdin?: string;
  /** Grace period between SIGTERM and SIGKILL. @default 10000 */
  killGraceMs?: number;
  /** Stdout kept in memory; more fails the call. @default 64 MiB */
  maxStdoutBytes?: number;
  /** Stderr kept (the tail). @default 256 KiB */
  maxStderrBytes?: number;
}

/** The output of a successful helm call. */
export interface ExecResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs `helm <args>` and resolves with its output when it exits 0. Rejects with a classified
 * {@link HelmError} otherwise (`kind: 'canceled'` when `signal` aborted it).
 */
export function execHelm(args: string[], opts: ExecOptions): Promise<ExecResult> {
  const command = args.find((a) => !a.startsWith('-')) ?? 'helm';
  const maxOut = opts.maxStdoutBytes ?? 64 * 1024 * 1024;
  const maxErr = opts.maxStderrBytes ?? 256 * 1024;
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(new HelmError('canceled', `helm ${command} canceled before start`, { command }));
      return;
    }
    const child = spawn(opts.helmPath, args, { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = Buffer.alloc(0);
    let overflow = false;
    let canceled = false;
    let killTimer: { cancel(): void } | undefined;

    const terminate = (): void => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      killTimer = opts.clock.setTimer(opts.killGraceMs ?? 10_000, () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      });
    };
    const onAbort = (): void => {
      canceled = true;
      terminate();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (b: Buffer) => {
      outBytes += b.length;
      if (outBytes > maxOut) {
        if (!overflow) {
          overflow = true;
          terminate();
        }
        return;
      }
      out.push(b);
    });
    child.stderr.on('data', (b: Buffer) => {
      err = Buffer.concat([err, b]);
      if (err.length > maxErr) err = err.subarray(err.length - maxErr);
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.stdin ?? '');

    child.on('error', (e) => {
      opts.signal?.removeEventListener('abort', onAbort);
      killTimer?.cancel();
      reject(new HelmError('exec', `cannot run ${opts.helmPath}: ${e.message}`, { command, cause: e }));
    });
    child.on('close', (code, sig) => {
      opts.signal?.removeEventListener('abort', onAbort);
      killTimer?.cancel();
      const stderr = err.toString('utf8');
      const details = { stderr, command, exitCode: code ?? undefined };
      if (canceled) {
        reject(new HelmError('canceled', `helm ${command} canceled (${sig ?? `exit ${code}`})`, details));
      } else if (overflow) {
        reject(new HelmError('exec', `helm ${command} output exceeded ${maxOut} bytes`, details));
      } else if (code !== 0) {
        reject(sig ? new HelmError('exec', `helm ${command} killed by ${sig}`, details) : classifyHelmError(command, stderr, code ?? undefined));
      } else {
        resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr });
      }
    });
  });
}
