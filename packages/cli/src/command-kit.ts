// SPDX-License-Identifier: Apache-2.0
/**
 * What every command registration shares: turning a commander `Command` into a {@link CliContext},
 * Go-style duration parsing, kind words, and Flux-style help text with examples.
 */
import type { Command } from 'commander';
import { parseDuration } from '@eddy/api';
import { CliError, makeContext, type CliContext, type CliIo, type GlobalOptions } from './context.ts';
import { findKind, type CliKind } from './kinds.ts';

/** Helpers handed to every `register*` function. */
export interface CommandKit {
  /** The context of the running (sub)command, from its flags and the global ones. */
  ctxOf(cmd: Command): CliContext;
  /** The I/O the program was built with (tests and the demo redirect it). */
  io: CliIo;
}

/** Parses a Go duration (`5m`, `1h30m`, `90s`) into milliseconds, or fails with a one-line error. */
export function durationMs(value: string, flag = '--timeout'): number {
  const parsed = parseDuration(value);
  if (!parsed.ok) throw new CliError(`invalid ${flag} '${value}': ${parsed.error.message}`);
  return parsed.value;
}

/**
 * Parses the value of an optional-value boolean flag the way Go's flag package does, so
 * `--flag`, `--flag=true` and `--flag=false` all work (commander passes `true` for the bare flag).
 */
export function boolFlag(value: string | boolean, flag: string): boolean {
  if (typeof value === 'boolean') return value;
  const v = value.toLowerCase();
  if (['1', 't', 'true'].includes(v)) return true;
  if (['0', 'f', 'false'].includes(v)) return false;
  throw new CliError(`invalid ${flag} '${value}': want true or false`);
}

/** Resolves the kind words of `get`, `reconcile`, … (`source git`, `ks`, `helmreleases`). */
export function resolveKind(words: string[]): { kind: CliKind; rest: string[] } {
  const plural: Record<string, string> = { sources: 'source', images: 'image' };
  const normalized = plural[words[0] ?? ''] ? [plural[words[0]!]!, ...words.slice(1)] : words;
  const found = findKind(normalized);
  if (!found) throw new CliError(`unknown kind '${words.join(' ')}'; run with --help to list the kinds`);
  return found;
}

/** Like {@link resolveKind}, and requires a name after the kind words. */
export function resolveNamed(words: string[]): { kind: CliKind; name: string } {
  const { kind, rest } = resolveKind(words);
  if (!rest[0]) throw new CliError(`${kind.kind} name is required`);
  return { kind, name: rest[0] };
}

/** Appends an `Examples:` section (Flux prints one for every command). */
export function examples(cmd: Command, lines: string[]): Command {
  return cmd.addHelpText('after', `\nExamples:\n${lines.map((l) => (l === '' ? '' : `  ${l}`)).join('\n')}\n`);
}

/** Makes the kit for a program whose global options are `--kubeconfig`, `--context`, `-n`, `--timeout`, `--verbose`. */
export function makeKit(io: CliIo): CommandKit {
  return {
    io,
    ctxOf(cmd: Command): CliContext {
      const g = cmd.optsWithGlobals<{ kubeconfig?: string; context?: string; namespace: string; timeout: string; verbose?: boolean }>();
      const opts: GlobalOptions = {
        namespace: g.namespace,
        timeoutMs: durationMs(g.timeout),
        ...(g.kubeconfig ? { kubeconfig: g.kubeconfig } : {}),
        ...(g.context ? { context: g.context } : {}),
        ...(g.verbose ? { verbose: true } : {}),
      };
      return makeContext(opts, io);
    },
  };
}

/** The words a kind argument accepts, for help text. */
export const KIND_HELP =
  "kind words: 'source git|oci|helm|chart|bucket', 'kustomization' (ks), 'helmrelease' (hr), 'image repository|policy|update', 'receiver', 'alert', 'alert-provider'";
