// SPDX-License-Identifier: Apache-2.0
/**
 * The verbs that work on Eddy objects by kind and name, with Flux's words and flags: `get`,
 * `reconcile`, `suspend`, `resume`, `delete`, `export`, `tree` and `events`.
 */
import { Option, type Command } from 'commander';
import { examples, KIND_HELP, resolveKind, resolveNamed, type CommandKit } from '../command-kit.ts';
import { CliError } from '../context.ts';
import { getAll, getKind } from './get.ts';
import { reconcileOne, resumeOne, suspendOne } from './reconcile.ts';
import { deleteOne, exportKind } from './delete-export.ts';
import { tree } from './tree.ts';
import { events } from './events.ts';

type GetFlags = { allNamespaces?: boolean; output: 'table' | 'json' | 'yaml'; watch?: boolean; status?: string };

function registerGet(program: Command, kit: CommandKit): void {
  const cmd = program
    .command('get')
    .description('Show the status of objects: eddy get <kind> [name], eddy get all, eddy get sources all')
    .argument('<words...>', KIND_HELP)
    .option('-A, --all-namespaces', 'list the requested object(s) across all namespaces')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json', 'yaml']).default('table'))
    .option('-w, --watch', 'after listing/getting the requested object, watch for changes')
    .addOption(new Option('--status-selector <condition=status>', "filter by a condition's status, e.g. ready=false"))
    .action(async (words: string[], o: GetFlags & { statusSelector?: string }, cmd: Command) => {
      const ctx = kit.ctxOf(cmd);
      const opts = { ...o, ...(o.statusSelector ? { statusSelector: o.statusSelector } : {}) };
      const group = words[0] === 'all' ? 'all' : words[1] === 'all' ? resolveGroup(words[0] ?? '') : undefined;
      if (group) return getAll(ctx, opts, group === 'all' ? undefined : group);
      const { kind, rest } = resolveKind(words);
      return getKind(ctx, kind, rest[0], opts);
    });
  examples(cmd, [
    '# List all Git sources in every namespace',
    'eddy get sources git -A',
    '# Watch the Kustomizations of flux-system',
    'eddy get kustomizations --watch',
    '# Everything in a namespace, failing objects only',
    'eddy get all -n apps --status-selector ready=false',
  ]);
}

function resolveGroup(word: string): 'source' | 'image' {
  if (word === 'source' || word === 'sources') return 'source';
  if (word === 'image' || word === 'images') return 'image';
  throw new CliError(`'${word} all' is not a group; use 'all', 'sources all' or 'images all'`);
}

function registerReconcile(program: Command, kit: CommandKit): void {
  const cmd = program
    .command('reconcile')
    .description('Trigger a reconcile now and wait for it: eddy reconcile <kind> <name>')
    .argument('<words...>', `${KIND_HELP}, then the name`)
    .option('--with-source', 'reconcile the source first')
    .option('--force', 'HelmRelease: force a one-off install or upgrade')
    .option('--reset', 'HelmRelease: reset failure counters')
    .action(async (words: string[], o: { withSource?: boolean; force?: boolean; reset?: boolean }, cmd: Command) => {
      const { kind, name } = resolveNamed(words);
      await reconcileOne(kit.ctxOf(cmd), kind, name, o);
    });
  examples(cmd, [
    '# Fetch the latest commit of a Git source',
    'eddy reconcile source git podinfo',
    '# Reconcile a Kustomization and its source',
    'eddy reconcile ks apps --with-source',
    '# Force a HelmRelease upgrade',
    'eddy reconcile hr podinfo -n podinfo --force',
  ]);
}

function registerSuspendResume(program: Command, kit: CommandKit): void {
  for (const verb of ['suspend', 'resume'] as const) {
    const cmd = program
      .command(verb)
      .description(verb === 'suspend' ? 'Stop reconciling an object: sets spec.suspend' : 'Resume a suspended object and wait for its reconcile')
      .argument('<words...>', `${KIND_HELP}, then the name`);
    if (verb === 'resume') cmd.option('--no-wait', 'do not wait for the reconcile to finish');
    cmd.action(async (words: string[], o: { wait?: boolean }, c: Command) => {
      const { kind, name } = resolveNamed(words);
      const ctx = kit.ctxOf(c);
      await (verb === 'suspend' ? suspendOne(ctx, kind, name) : resumeOne(ctx, kind, name, o.wait !== false));
    });
    examples(cmd, [`eddy ${verb} kustomization apps`, `eddy ${verb} source git podinfo`, `eddy ${verb} hr podinfo -n podinfo`]);
  }
}

function registerDeleteExport(program: Command, kit: CommandKit): void {
  const del = program
    .command('delete')
    .description('Delete an object (its controller finalizes it): eddy delete <kind> <name>')
    .argument('<words...>', `${KIND_HELP}, then the name`)
    .option('-s, --silent', 'delete resource without asking for confirmation')
    .action(async (words: string[], o: { silent?: boolean }, cmd: Command) => {
      const { kind, name } = resolveNamed(words);
      await deleteOne(kit.ctxOf(cmd), kind, name, o);
    });
  examples(del, ['eddy delete kustomization apps', 'eddy delete source git podinfo --silent']);

  const exp = program
    .command('export')
    .description('Print objects as YAML ready to commit: eddy export <kind> [name] | --all')
    .argument('<words...>', `${KIND_HELP}, then the name`)
    .option('--all', 'select all objects of the kind in the namespace')
    .action(async (words: string[], o: { all?: boolean }, cmd: Command) => {
      const { kind, rest } = resolveKind(words);
      if (!rest[0] && !o.all) throw new CliError(`${kind.kind} name is required (or --all)`);
      await exportKind(kit.ctxOf(cmd), kind, o.all ? undefined : rest[0]);
    });
  examples(exp, ['eddy export source git --all > sources.yaml', 'eddy export kustomization apps']);
}

function registerTreeEvents(program: Command, kit: CommandKit): void {
  const tr = program
    .command('tree')
    .description('Show the objects a Kustomization manages, nested: eddy tree kustomization <name>')
    .argument('<words...>', "'kustomization' (or 'ks') and the name")
    .action(async (words: string[], _o: unknown, cmd: Command) => {
      const { kind, name } = resolveNamed(words);
      if (kind.kind !== 'Kustomization') throw new CliError('usage: eddy tree kustomization <name>');
      await tree(kit.ctxOf(cmd), name);
    });
  examples(tr, ['eddy tree kustomization flux-system']);

  const ev = program
    .command('events')
    .description('Show the events controllers recorded, oldest first')
    .option('--for <Kind/name>', 'only events about this object, e.g. Kustomization/apps')
    .option('-A, --all-namespaces', 'across all namespaces')
    .action(async (o: { for?: string; allNamespaces?: boolean }, cmd: Command) => events(kit.ctxOf(cmd), o));
  examples(ev, ['eddy events', 'eddy events --for Kustomization/apps', 'eddy events -A']);
}

/** Registers `get`, `reconcile`, `suspend`, `resume`, `delete`, `export`, `tree` and `events`. */
export function registerResourceCommands(program: Command, kit: CommandKit): void {
  registerGet(program, kit);
  registerReconcile(program, kit);
  registerSuspendResume(program, kit);
  registerDeleteExport(program, kit);
  registerTreeEvents(program, kit);
}
