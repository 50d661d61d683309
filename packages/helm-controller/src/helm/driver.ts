// SPDX-License-Identifier: Apache-2.0
/**
 * {@link HelmDriver}: a typed driver over the real `helm` binary. Every call gets a private
 * temporary directory holding a kubeconfig, the values file and the post-render configuration
 * (all mode 0600), removed when the call ends, whatever the outcome. Helm's own state (cache,
 * config, plugins) lives under the driver's work directory, never in the user's home.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { realClock, type Clock } from '@eddy/runtime/clock';
import {
  installArgs,
  rollbackArgs,
  testArgs,
  uninstallArgs,
  upgradeArgs,
  type InstallArgs,
  type ReleaseTarget,
  type RollbackArgs,
  type TestArgs,
  type UninstallArgs,
  type UpgradeArgs,
  type CallFiles,
} from './args.ts';
import { execHelm, type ExecResult } from './exec.ts';
import { installPostRendererPlugin, type PostRenderConfig } from './post-renderer.ts';

/** Options of {@link HelmDriver}. */
export interface HelmDriverOptions {
  /** The helm v4 binary. */
  helmPath: string;
  /** A directory the driver owns: helm home, plugins and per-call temp dirs. */
  workDir: string;
  /** Node.js used to run the post-renderer plugin. @default process.execPath */
  nodePath?: string;
  /** @default realClock */
  clock?: Clock;
  /** Grace between SIGTERM and SIGKILL on cancellation. @default 10000 */
  killGraceMs?: number;
}

/** What each call needs besides its action options. */
export interface CallContext {
  /** The kubeconfig text (see `renderKubeconfig`). */
  kubeconfig: string;
  signal?: AbortSignal;
}

/** Inputs of the rendering actions. */
export interface RenderInput {
  /** A chart directory or `.tgz`. */
  chartPath: string;
  values: Record<string, unknown>;
  postRender?: PostRenderConfig;
}

/** A typed driver over the helm CLI; see the module doc. */
export class HelmDriver {
  private readonly clock: Clock;
  private ready: Promise<void> | undefined;

  constructor(private readonly opts: HelmDriverOptions) {
    this.clock = opts.clock ?? realClock;
  }

  private get pluginsDir(): string {
    return join(this.opts.workDir, 'plugins');
  }

  /** Creates the work directory and installs the post-renderer plugin (once). */
  init(): Promise<void> {
    this.ready ??= (async () => {
      for (const d of ['tmp', 'cache', 'config', 'data']) await mkdir(join(this.opts.workDir, d), { recursive: true, mode: 0o700 });
      await installPostRendererPlugin(this.pluginsDir, this.opts.nodePath);
    })();
    return this.ready;
  }

  private env(): Record<string, string> {
    const w = this.opts.workDir;
    return {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: w,
      HELM_CACHE_HOME: join(w, 'cache'),
      HELM_CONFIG_HOME: join(w, 'config'),
      HELM_DATA_HOME: join(w, 'data'),
      HELM_PLUGINS: this.pluginsDir,
      HELM_DRIVER: 'secret',
      TMPDIR: join(w, 'tmp'),
    };
  }

  /** Runs helm in a fresh call directory prepared by `prepare`, then removes the directory. */
  private async call(
    ctx: CallContext,
    prepare: (dir: string, files: CallFiles) => Promise<string[]>,
  ): Promise<ExecResult> {
    await this.init();
    const dir = await mkdtemp(join(this.opts.workDir, 'tmp', 'call-'));
    try {
      const files: CallFiles = { kubeconfig: join(dir, 'kubeconfig') };
      await writeFile(files.kubeconfig, ctx.kubeconfig, { mode: 0o600 });
      const args = await prepare(dir, files);
      return await execHelm(args, {
        helmPath: this.opts.helmPath,
        env: this.env(),
        cwd: dir,
        clock: this.clock,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        ...(this.opts.killGraceMs !== undefined ? { killGraceMs: this.opts.killGraceMs } : {}),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async writeRenderFiles(dir: string, files: CallFiles, input: RenderInput): Promise<void> {
    files.values = join(dir, 'values.yaml');
    // JSON is YAML that go-yaml v1.1 cannot misread (`yes`, `on`, `0755` stay strings).
    await writeFile(files.values, JSON.stringify(input.values ?? {}), { mode: 0o600 });
    if (input.postRender) {
      files.postRenderConfig = join(dir, 'postrender.json');
      await writeFile(files.postRenderConfig, JSON.stringify(input.postRender), { mode: 0o600 });
    }
  }

  /** `helm install`. */
  async install(ctx: CallContext, input: RenderInput, o: InstallArgs): Promise<ExecResult> {
    return this.call(ctx, async (dir, files) => {
      await this.writeRenderFiles(dir, files, input);
      return installArgs(input.chartPath, o, files);
    });
  }

  /** `helm upgrade`. */
  async upgrade(ctx: CallContext, input: RenderInput, o: UpgradeArgs): Promise<ExecResult> {
    return this.call(ctx, async (dir, files) => {
      await this.writeRenderFiles(dir, files, input);
      return upgradeArgs(input.chartPath, o, files);
    });
  }

  /** `helm test`. */
  async test(ctx: CallContext, o: TestArgs): Promise<ExecResult> {
    return this.call(ctx, async (_dir, files) => testArgs(o, files));
  }

  /** `helm rollback`. */
  async rollback(ctx: CallContext, o: RollbackArgs): Promise<ExecResult> {
    return this.call(ctx, async (_dir, files) => rollbackArgs(o, files));
  }

  /** `helm uninstall`. */
  async uninstall(ctx: CallContext, o: UninstallArgs): Promise<ExecResult> {
    return this.call(ctx, async (_dir, files) => uninstallArgs(o, files));
  }

  /** `helm history -o json`: revisions as helm lists them. */
  async history(ctx: CallContext, t: Omit<ReleaseTarget, 'timeout'>): Promise<HelmHistoryEntry[]> {
    const r = await this.call(ctx, async (_dir, files) => [
      'history', t.releaseName, '--kubeconfig', files.kubeconfig, '--namespace', t.namespace, '--max', '256', '-o', 'json',
    ]);
    return JSON.parse(r.stdout) as HelmHistoryEntry[];
  }

  /** `helm status -o json` (the release as JSON, chart included). */
  async status(ctx: CallContext, t: Omit<ReleaseTarget, 'timeout'>, revision?: number): Promise<Record<string, unknown>> {
    const r = await this.call(ctx, async (_dir, files) => [
      'status', t.releaseName, '--kubeconfig', files.kubeconfig, '--namespace', t.namespace, '-o', 'json',
      ...(revision ? ['--revision', String(revision)] : []),
    ]);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  }

  /** `helm get manifest`. */
  async getManifest(ctx: CallContext, t: Omit<ReleaseTarget, 'timeout'>, revision?: number): Promise<string> {
    const r = await this.call(ctx, async (_dir, files) => [
      'get', 'manifest', t.releaseName, '--kubeconfig', files.kubeconfig, '--namespace', t.namespace,
      ...(revision ? ['--revision', String(revision)] : []),
    ]);
    return r.stdout;
  }

  /**
   * `helm template` (client-side: no cluster access unless `validate`), for previews and tests.
   * Hooks are included; tests can be skipped.
   */
  async template(
    ctx: CallContext,
    input: RenderInput,
    o: { releaseName: string; namespace: string; kubeVersion?: string; apiVersions?: string[]; includeCRDs?: boolean; skipTests?: boolean; isUpgrade?: boolean },
  ): Promise<string> {
    const r = await this.call(ctx, async (dir, files) => {
      await this.writeRenderFiles(dir, files, input);
      return [
        'template', o.releaseName, input.chartPath, '--namespace', o.namespace, '--values', files.values!,
        ...(o.kubeVersion ? ['--kube-version', o.kubeVersion] : []),
        ...(o.apiVersions ?? []).flatMap((v) => ['--api-versions', v]),
        ...(o.includeCRDs ? ['--include-crds'] : []),
        ...(o.skipTests ? ['--skip-tests'] : []),
        ...(o.isUpgrade ? ['--is-upgrade'] : []),
        ...(files.postRenderConfig ? ['--post-renderer', 'eddy-postrender', '--post-renderer-args', files.postRenderConfig] : []),
      ];
    });
    return r.stdout;
  }
}

/** The release-changing calls of {@link HelmDriver}, what the release actions use. */
export type ReleaseDriver = Pick<HelmDriver, 'install' | 'upgrade' | 'test' | 'rollback' | 'uninstall'>;

/** One row of `helm history -o json`. */
export interface HelmHistoryEntry {
  revision: number;
  updated: string;
  status: string;
  chart: string;
  app_version: string;
  description: string;
}
