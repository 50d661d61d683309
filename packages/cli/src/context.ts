// SPDX-License-Identifier: Apache-2.0
/**
 * What every command gets: the global flags, a client for the chosen kubeconfig/context, and the
 * streams to print to (so tests capture output instead of spying on `console`).
 */
import { createInterface } from 'node:readline';
import { DynamicClient } from '@eddy/runtime/client';
import { realClock, type Clock } from '@eddy/runtime/clock';

/** The global flags, as Flux's CLI names them. */
export interface GlobalOptions {
  kubeconfig?: string;
  context?: string;
  /** @default `flux-system`, like Flux's CLI */
  namespace: string;
  /** Milliseconds a command waits for the cluster. @default 5 minutes */
  timeoutMs: number;
  verbose?: boolean;
}

/** The default namespace, shared with Flux's CLI so a Flux user's habits carry over. */
export const DEFAULT_NAMESPACE = process.env.EDDY_SYSTEM_NAMESPACE || process.env.FLUX_SYSTEM_NAMESPACE || 'flux-system';

/** Where a command writes and how it reaches the cluster. */
export interface CliContext {
  opts: GlobalOptions;
  out: (text: string) => void;
  err: (text: string) => void;
  clock: Clock;
  /** True when stdout is a terminal (spinners, colours, redrawn tables). */
  tty: boolean;
  /** Asks a yes/no question; resolves false unless the answer starts with `y`. */
  confirm: (question: string) => Promise<boolean>;
  /** The client, made on first use so `--help` and `--export` work without a cluster. */
  client(): DynamicClient;
  /** Aborted on Ctrl-C, for commands that wait or watch. */
  signal: AbortSignal;
}

/** The parts of a {@link CliContext} a caller (a test, the demo) may replace. */
export type CliIo = Partial<Pick<CliContext, 'out' | 'err' | 'clock' | 'tty' | 'confirm' | 'signal'>>;

const writeLine =
  (stream: NodeJS.WriteStream) =>
  (t: string): void => {
    stream.write(t.endsWith('\n') ? t : `${t}\n`);
  };

/** Reads one answer from stdin, Flux-style `<question> [y/N]`. */
async function askStdin(question: string): Promise<boolean> {
  if (!process.stdin.readable) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.question(`${question} [y/N]: `, resolve);
      rl.once('close', () => resolve(''));
    });
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** Builds the context of a command run from the parsed global flags. */
export function makeContext(opts: GlobalOptions, io: CliIo = {}): CliContext {
  let client: DynamicClient | undefined;
  return {
    opts,
    out: io.out ?? writeLine(process.stdout),
    err: io.err ?? writeLine(process.stderr),
    clock: io.clock ?? realClock,
    tty: io.tty ?? Boolean(process.stdout.isTTY),
    confirm: io.confirm ?? askStdin,
    signal: io.signal ?? new AbortController().signal,
    client() {
      client ??= new DynamicClient({
        ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
        ...(opts.context ? { context: opts.context } : {}),
        userAgent: 'eddy-cli/0.1',
      });
      return client;
    },
  };
}

/** Copies a context with another namespace (commands that follow cross-namespace references). */
export function inNamespace(ctx: CliContext, namespace: string): CliContext {
  return { ...ctx, opts: { ...ctx.opts, namespace } };
}

/** An error meant for the user: printed as `✗ message` without a stack, exit code 1 unless given. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Sleeps on the context's clock, throwing a `cancelled` {@link CliError} when the command is cancelled. */
export async function pause(ctx: CliContext, ms: number): Promise<void> {
  try {
    await ctx.clock.sleep(ms, ctx.signal);
  } catch {
    throw new CliError('cancelled', 130);
  }
}
