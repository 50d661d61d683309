// SPDX-License-Identifier: Apache-2.0
/**
 * The command tree. Verbs and flags follow Flux's CLI so a Flux user's muscle memory works:
 * `eddy get kustomizations -A`, `eddy reconcile ks apps --with-source`, `eddy create source git …`,
 * `eddy install --export`, `eddy check --pre`, `eddy bootstrap git --url …`.
 */
import { Command } from 'commander';
import { makeKit } from './command-kit.ts';
import { CliError, DEFAULT_NAMESPACE, type CliIo } from './context.ts';
import { registerResourceCommands } from './commands/resource-commands.ts';
import { registerCreate } from './commands/create-command.ts';
import { registerOpsCommands } from './commands/ops-commands.ts';
import { registerBuildCommands } from './commands/build-commands.ts';
import { CLI_VERSION } from './version.ts';

/** Builds the commander program; `io` redirects output and prompts (tests, the demo). */
export function buildProgram(io: CliIo = {}): Command {
  const program = new Command('eddy')
    .description('Eddy: GitOps for Kubernetes, wire-compatible with Flux v2.\nCommands, flags and output follow the flux CLI.')
    .version(CLI_VERSION, '-v, --version', 'print the version of the eddy CLI')
    .option('--kubeconfig <path>', 'path to the kubeconfig file')
    .option('--context <name>', 'kubernetes context to use')
    .option('-n, --namespace <ns>', 'the namespace scope for this operation', DEFAULT_NAMESPACE)
    .option('--timeout <duration>', 'timeout for this operation', '5m0s')
    .option('--verbose', 'print generated objects and stack traces')
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(add --help for usage and examples)')
    .configureOutput({
      writeOut: (t) => (io.out ? io.out(t.replace(/\n$/, '')) : process.stdout.write(t)),
      writeErr: (t) => (io.err ? io.err(t.replace(/\n$/, '')) : process.stderr.write(t)),
    })
    .exitOverride();
  const kit = makeKit(io);
  registerResourceCommands(program, kit);
  registerCreate(program, kit);
  registerBuildCommands(program, kit);
  registerOpsCommands(program, kit);
  propagate(program);
  return program;
}

/** Gives every subcommand the program's output and exit behaviour (commander copies them only at creation). */
function propagate(cmd: Command): void {
  for (const sub of cmd.commands) {
    sub.exitOverride();
    sub.configureOutput(cmd.configureOutput());
    sub.showHelpAfterError('(add --help for usage and examples)');
    propagate(sub);
  }
}

/** Whether a commander error only means "help or version was printed". */
function isHelpExit(code: string | undefined): boolean {
  return code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help';
}

/** Prints an error as one `✗` line (plus the stack with --verbose) and returns the exit code. */
function report(e: unknown, argv: string[], err: (t: string) => void): number {
  const code = (e as { code?: string }).code;
  if (isHelpExit(code)) return 0;
  if (typeof code === 'string' && code.startsWith('commander.')) return (e as { exitCode?: number }).exitCode || 1;
  err(`✗ ${e instanceof Error ? e.message : String(e)}`);
  if (argv.includes('--verbose') && e instanceof Error && e.stack) err(e.stack);
  return e instanceof CliError ? e.exitCode : 1;
}

/**
 * Runs the CLI and returns the exit code. Errors become one `✗ message` line on stderr (stack
 * traces with --verbose). Ctrl-C cancels the running command (exit code 130).
 */
export async function run(argv: string[], io: CliIo = {}): Promise<number> {
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  if (!io.signal) process.once('SIGINT', onSigint);
  const program = buildProgram({ ...io, signal: io.signal ?? controller.signal });
  const err = io.err ?? ((t: string) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    return report(e, argv, err);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
