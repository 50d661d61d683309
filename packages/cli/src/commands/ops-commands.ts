// SPDX-License-Identifier: Apache-2.0
/**
 * Registers the commands that manage Eddy itself: `install`, `uninstall`, `check`, `bootstrap git`,
 * `controllers`, `logs`, `stats`, `version` and `completion`.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { boolFlag, durationMs, examples, type CommandKit } from '../command-kit.ts';
import { CliError } from '../context.ts';
import { componentsOf } from '../install/manifests.ts';
import { install, uninstall } from './install.ts';
import { check } from './check.ts';
import { bootstrapGit } from './bootstrap.ts';
import { runControllers, type ControllersOptions } from './controllers.ts';
import { logs } from './logs.ts';
import { stats } from './stats.ts';
import { version } from './version.ts';
import { completionScript } from './completion.ts';

type ComponentFlags = { components?: string[]; componentsExtra?: string[] };

const componentOptions = (c: Command): Command =>
  c
    .option('--components <names...>', 'controllers to install, comma-separated (default: source-controller,kustomize-controller,helm-controller)')
    .option('--components-extra <names...>', 'controllers in addition to the default ones: image-reflector-controller,image-automation-controller');

function registerInstall(program: Command, kit: CommandKit): void {
  const inst = componentOptions(program.command('install').description('Install or upgrade Eddy (CRDs and controllers) on the cluster'))
    .option('--export', 'print the install manifests to stdout instead of applying them')
    .action(async (o: ComponentFlags & { export?: boolean }, cmd: Command) =>
      install(kit.ctxOf(cmd), { components: componentsOf(o), ...(o.export ? { export: true } : {}) }),
    );
  examples(inst, [
    '# Install the default controllers in flux-system',
    'eddy install',
    '# Also the image automation controllers',
    'eddy install --components-extra=image-reflector-controller,image-automation-controller',
    '# Write the manifests to a file instead',
    'eddy install --export > gotk-components.yaml',
  ]);

  const un = program
    .command('uninstall')
    .description('Uninstall Eddy: controllers, finalizers of its objects, its CRDs and the namespace')
    .option('--keep-namespace', 'skip namespace deletion')
    .option('--dry-run', 'only print the objects that would be deleted')
    .option('-s, --silent', 'delete components without asking for confirmation')
    .action(async (o: { keepNamespace?: boolean; dryRun?: boolean; silent?: boolean }, cmd: Command) => uninstall(kit.ctxOf(cmd), o));
  examples(un, ['eddy uninstall --namespace=flux-system', 'eddy uninstall --keep-namespace --silent']);

  const chk = program
    .command('check')
    .description('Check requirements (Kubernetes version) and the installation (controllers, CRDs)')
    .option('--pre', 'only run pre-installation checks')
    .action(async (o: { pre?: boolean }, cmd: Command) => check(kit.ctxOf(cmd), o));
  examples(chk, ['# Run pre-installation checks', 'eddy check --pre', '# Run installation checks', 'eddy check']);
}

function registerBootstrap(program: Command, kit: CommandKit): void {
  const boot = program.command('bootstrap').description('Deploy Eddy on a cluster the GitOps way: commit its manifests to Git, then sync from them');
  const git = componentOptions(boot.command('git').description('Bootstrap from any Git server over HTTP(S) or SSH'))
    .requiredOption('--url <url>', 'Git repository URL (https://, http:// or ssh://)')
    .option('--branch <branch>', 'Git branch', 'main')
    .requiredOption('--path <path>', 'path relative to the repository root, e.g. clusters/my-cluster')
    .option('-u, --username <user>', 'basic authentication username', 'git')
    .option('-p, --password <password>', 'basic authentication password')
    .option('--token <token>', 'bearer token for HTTPS')
    .option('--private-key-file <file>', 'SSH private key file (for ssh:// URLs)')
    .option('--interval <duration>', 'sync interval of the GitRepository', '1m0s')
    .option('--author-name <name>', 'author name for Git commits', 'Eddy')
    .option('--author-email <email>', 'author email for Git commits', 'eddy@users.noreply.local')
    .option('--no-wait-controllers', 'do not wait for the controller Deployments (controllers run outside the cluster)')
    .action(async (o: ComponentFlags & Record<string, string | boolean | undefined>, cmd: Command) => {
      durationMs(String(o['interval']), '--interval');
      const str = (k: string): string | undefined => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
      await bootstrapGit(kit.ctxOf(cmd), {
        url: str('url')!,
        branch: str('branch')!,
        path: str('path')!,
        ...(str('password') !== undefined ? { username: str('username') ?? 'git', password: str('password')! } : {}),
        ...(str('token') ? { token: str('token')! } : {}),
        ...(str('privateKeyFile') ? { privateKeyFile: str('privateKeyFile')! } : {}),
        interval: str('interval')!,
        components: componentsOf(o),
        authorName: str('authorName')!,
        authorEmail: str('authorEmail')!,
        waitControllers: o['waitControllers'] !== false,
      });
    });
  examples(git, [
    '# Bootstrap over HTTPS with basic auth',
    'eddy bootstrap git --url=https://git.example.com/org/fleet.git --username=me --password=$TOKEN --path=clusters/my-cluster',
    '# Bootstrap over SSH',
    'eddy bootstrap git --url=ssh://git@git.example.com/org/fleet.git --private-key-file=./id_ed25519 --path=clusters/my-cluster',
  ]);
}

function registerControllers(program: Command, kit: CommandKit): void {
  const cmd = program
    .command('controllers')
    .description('Run several controllers in this one process (small clusters, local development)')
    .requiredOption('--enable <names>', 'controllers to run: source,kustomize,helm,image-reflector,image-automation')
    .option('--metrics-addr <addr>', 'the address the metric endpoint binds to', ':8080')
    .option('--health-addr <addr>', 'the address the health endpoint binds to', ':9440')
    .addOption(new Option('--enable-leader-election [bool]', 'enable leader election (one active process per namespace)').argParser((v) => boolFlag(v, '--enable-leader-election')))
    .option('--no-watch-all-namespaces', 'watch only the -n namespace')
    .option('--no-cross-namespace-refs', 'allow references between objects only within one namespace (multi-tenancy lockdown)')
    .option('--no-remote-bases', 'kustomize-controller: refuse remote bases in kustomize overlays')
    .option('--default-service-account <name>', 'kustomize- and helm-controller: impersonate this service account when an object names none')
    .option('--feature-gates <gates>', 'feature gates, e.g. AdditiveCELDependencyCheck=true,StrictPostBuildSubstitutions=true')
    .option('--concurrent <n>', 'the number of concurrent reconciles per controller', '4')
    .addOption(new Option('--requeue-dependency <duration>', 'the interval at which failing dependencies are reevaluated').default(30_000, '30s').argParser((v) => durationMs(v, '--requeue-dependency')))
    .addOption(new Option('--min-retry-delay <duration>', 'the minimum wait before retrying a failed reconcile (default 750ms)').argParser((v) => durationMs(v, '--min-retry-delay')))
    .addOption(new Option('--max-retry-delay <duration>', 'the maximum wait before retrying a failed reconcile (default 15m)').argParser((v) => durationMs(v, '--max-retry-delay')))
    .option('--log-level <level>', 'log verbosity level: trace, debug, info, error', 'info')
    .option('--log-encoding <encoding>', "log encoding format: 'json' or 'console'", 'json')
    .option('--events-addr <url>', 'the address of the events receiver')
    .option('--storage-path <dir>', 'source-controller: the local storage path', '/data')
    .option('--storage-addr <addr>', 'source-controller: the address the artifact server binds to', ':9090')
    .option('--storage-adv-addr <addr>', 'source-controller: the advertised address of the artifact server')
    .option('--image-storage-path <dir>', 'image-reflector-controller: where scanned tags are stored', join(tmpdir(), 'eddy-image-reflector'))
    .action(async (o: ControllersOptions, c: Command) => runControllers(kit.ctxOf(c), o));
  examples(cmd, [
    '# Everything in one process, artifacts served on localhost',
    'eddy controllers --enable source,kustomize,helm --storage-path=/tmp/eddy --storage-addr=127.0.0.1:9090 --storage-adv-addr=127.0.0.1:9090',
  ]);
}

function registerInfo(program: Command, kit: CommandKit): void {
  const lg = program
    .command('logs')
    .description("Show the controllers' logs (from their pods, filtered by object)")
    .option('--kind <kind>', 'only logs about objects of this kind, e.g. Kustomization')
    .option('--name <name>', 'only logs about objects with this name')
    .addOption(new Option('--level <level>', 'only logs of this level').choices(['debug', 'info', 'error']))
    .option('--tail <n>', 'lines of recent log file to display', '-1')
    .option('--since <duration>', 'only logs newer than a relative duration like 5s, 2m, or 3h')
    .option('-f, --follow', 'specifies if the logs should be streamed')
    .option('-A, --all-namespaces', 'displays logs for objects across all namespaces')
    .option('--flux-namespace <ns>', 'the namespace where the controllers run (default: the -n namespace)')
    .action(async (o: Record<string, string | boolean | undefined>, cmd: Command) => {
      const tail = Number(o['tail']);
      if (!Number.isInteger(tail)) throw new CliError(`--tail must be an integer, got '${String(o['tail'])}'`);
      const str = (k: string): string | undefined => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
      await logs(kit.ctxOf(cmd), {
        ...(str('kind') ? { kind: str('kind')! } : {}),
        ...(str('name') ? { name: str('name')! } : {}),
        ...(str('level') ? { level: str('level')! } : {}),
        tail,
        ...(str('since') ? { since: durationMs(str('since')!, '--since') } : {}),
        follow: o['follow'] === true,
        allNamespaces: o['allNamespaces'] === true,
        ...(str('fluxNamespace') ? { fluxNamespace: str('fluxNamespace')! } : {}),
      });
    });
  examples(lg, ['eddy logs --kind=Kustomization --name=apps', 'eddy logs --level=error --all-namespaces', 'eddy logs -f --tail 20']);

  const st = program
    .command('stats')
    .description('Counts of Eddy objects per kind: running, failing, suspended, and their artifact storage')
    .option('-A, --all-namespaces', 'list the statistics for objects across all namespaces')
    .action(async (o: { allNamespaces?: boolean }, cmd: Command) => stats(kit.ctxOf(cmd), o));
  examples(st, ['eddy stats --namespace default', 'eddy stats -A']);

  const ver = program
    .command('version')
    .description('Print the CLI version and the versions of the controllers on the cluster')
    .option('--client', 'print only the CLI version')
    .addOption(new Option('-o, --output <format>', 'the format in which the information should be printed').choices(['yaml', 'json']))
    .action(async (o: { client?: boolean; output?: string }, cmd: Command) => version(kit.ctxOf(cmd), o));
  examples(ver, ['eddy version', 'eddy version --client -o json']);

  const comp = program
    .command('completion')
    .description('Generate the completion script for a shell: bash, zsh or fish')
    .argument('<shell>', 'bash, zsh or fish')
    .action((shell: string, _o: unknown, cmd: Command) => {
      kit.ctxOf(cmd).out(completionScript(program, shell));
    });
  examples(comp, ['# bash, for the current shell', 'source <(eddy completion bash)', '# fish', 'eddy completion fish > ~/.config/fish/completions/eddy.fish']);
}

/** Registers every command that manages Eddy itself. */
export function registerOpsCommands(program: Command, kit: CommandKit): void {
  registerInstall(program, kit);
  registerBootstrap(program, kit);
  registerControllers(program, kit);
  registerInfo(program, kit);
}
