// SPDX-License-Identifier: Apache-2.0
/**
 * `eddy bootstrap git`: Flux's bootstrap against any git server. Clone the branch with real git,
 * commit `<path>/flux-system/{gotk-components,gotk-sync,kustomization}.yaml`, push, install the
 * components on the cluster, create the `flux-system` Secret and sync objects, and wait for the
 * `flux-system` Kustomization to become Ready. Re-running it is safe: unchanged files make no
 * commit and every apply is server-side.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError, type CliContext } from '../context.ts';
import { applyManifests, applyOne, subjectOf } from '../install/apply.ts';
import { installManifests } from '../install/manifests.ts';
import { bootstrapFiles, credentialsSecret, syncObjects, type SyncOptions } from '../bootstrap/manifests.ts';
import { cloneBranch, commitFiles, push, type GitAuth } from '../bootstrap/git.ts';
import { verifyDeployments } from './install.ts';
import { reconcileWaitReady } from './wait.ts';
import { CLI_VERSION } from '../version.ts';

/** Options of `bootstrap git`. */
export interface BootstrapOptions {
  url: string;
  branch: string;
  path: string;
  username?: string;
  password?: string;
  token?: string;
  privateKeyFile?: string;
  interval: string;
  components: string[];
  authorName: string;
  authorEmail: string;
  /** Wait for the controllers' Deployments (off when they run outside the cluster). @default true */
  waitControllers?: boolean;
}

function authOf(o: BootstrapOptions, knownHostsFile: string): GitAuth {
  const isSsh = /^ssh:\/\//.test(o.url) || /^[^/:]+@[^/:]+:/.test(o.url);
  if (isSsh) {
    if (!o.privateKeyFile) throw new CliError('--private-key-file is required for ssh:// URLs');
    return { kind: 'ssh', privateKeyFile: o.privateKeyFile, knownHostsFile };
  }
  if (!/^https?:\/\//.test(o.url)) throw new CliError(`--url must start with http://, https:// or ssh://, got '${o.url}'`);
  if (o.token) return { kind: 'bearer', token: o.token };
  if (o.password !== undefined) return { kind: 'basic', username: o.username ?? 'git', password: o.password };
  return { kind: 'none' };
}

/** Runs `bootstrap git`. */
export async function bootstrapGit(ctx: CliContext, o: BootstrapOptions): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'eddy-bootstrap-'));
  const knownHostsFile = join(work, 'known_hosts');
  writeFileSync(knownHostsFile, '');
  try {
    const auth = authOf(o, knownHostsFile);
    const components = installManifests(ctx.opts.namespace, o.components);
    const sync: SyncOptions = { namespace: ctx.opts.namespace, url: o.url, branch: o.branch, path: o.path, interval: o.interval, secret: auth.kind !== 'none' };
    ctx.out(`► cloning branch "${o.branch}" from Git repository "${o.url}"`);
    const co = await cloneBranch(o.url, o.branch, join(work, 'repo'), auth);
    ctx.out('✔ cloned repository');
    ctx.out('► generating component manifests');
    const files = bootstrapFiles(sync, components);
    const author = { name: o.authorName, email: o.authorEmail };
    const sha = await commitFiles(co, files, `Add Eddy v${CLI_VERSION} component and sync manifests`, author);
    if (sha) {
      ctx.out(`✔ committed component and sync manifests to "${o.branch}" ("${sha}")`);
      ctx.out('► pushing component and sync manifests to "origin"');
      await push(co);
      ctx.out(`✔ component and sync manifests pushed to "${o.branch}"`);
    } else {
      ctx.out('✔ component and sync manifests are up to date');
    }
    ctx.out(`► installing components in "${ctx.opts.namespace}" namespace`);
    await applyManifests(ctx, components);
    ctx.out('✔ installed components');
    if (o.waitControllers !== false) await verifyDeployments(ctx, components);
    if (auth.kind !== 'none') {
      const secret = credentialsSecret(ctx.opts.namespace, {
        ...(auth.kind === 'basic' ? { username: auth.username, password: auth.password } : {}),
        ...(auth.kind === 'bearer' ? { token: auth.token } : {}),
        ...(auth.kind === 'ssh' ? { identity: readFileSync(auth.privateKeyFile, 'utf8'), knownHosts: readFileSync(knownHostsFile, 'utf8') } : {}),
      });
      ctx.out('► configuring deploy key / credentials');
      ctx.out(`${subjectOf(secret)} ${await applyOne(ctx, secret)}`);
    }
    ctx.out('► applying sync manifests');
    const [gitRepo, kustomization] = syncObjects(sync);
    for (const obj of [gitRepo!, kustomization!]) ctx.out(`${subjectOf(obj)} ${await applyOne(ctx, obj)}`);
    ctx.out('✔ reconciled sync configuration');
    await reconcileWaitReady(ctx, gitRepo!);
    await reconcileWaitReady(ctx, kustomization!);
    ctx.out('✔ bootstrap finished');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
