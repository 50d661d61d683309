// SPDX-License-Identifier: Apache-2.0
/** Registers `eddy build kustomization` and `eddy diff kustomization`. */
import type { Command } from 'commander';
import { examples, type CommandKit } from '../command-kit.ts';
import { buildCommand, diffCommand, type BuildOptions } from './build-diff.ts';

function kustomizationSub(parent: Command, describe: string): Command {
  return parent
    .command('kustomization')
    .alias('ks')
    .description(describe)
    .argument('<name>', 'the Kustomization name')
    .requiredOption('--path <dir>', 'path to a local directory that matches the specified Kustomization.spec.path')
    .option('--kustomization-file <file>', 'path to the Flux Kustomization YAML file (instead of reading it from the cluster)');
}

/** Registers `build` and `diff`. */
export function registerBuildCommands(program: Command, kit: CommandKit): void {
  const build = program.command('build').description('Build a Kustomization from a local directory, as the controller would');
  const bk = kustomizationSub(build, 'Build a Kustomization: kustomize build plus the spec transforms, printed as YAML')
    .option('--dry-run', 'build without the cluster (needs --kustomization-file; substituteFrom is skipped)')
    .action(async (name: string, o: BuildOptions, cmd: Command) => buildCommand(kit.ctxOf(cmd), name, o));
  examples(bk, [
    '# Build the local manifests as they were built on the cluster',
    'eddy build kustomization my-app --path ./path/to/local/manifests',
    '# Build offline from a Kustomization file',
    'eddy build ks my-app --path ./manifests --kustomization-file ./clusters/my-app.yaml --dry-run',
  ]);

  const diff = program.command('diff').description('Diff a Kustomization built from a local directory against the cluster');
  const dk = kustomizationSub(
    diff,
    'Build, then server-side dry-run apply and print the changes.\nExit status: 0 no differences, 1 differences found, 2 the diff failed.',
  ).action(async (name: string, o: BuildOptions, cmd: Command) => diffCommand(kit.ctxOf(cmd), name, o));
  examples(dk, [
    '# Preview local changes as they would be applied on the cluster',
    'eddy diff kustomization my-app --path ./path/to/local/manifests',
  ]);
}
