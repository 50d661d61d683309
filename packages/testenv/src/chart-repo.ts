// SPDX-License-Identifier: Apache-2.0
/**
 * A loopback Helm chart repository: charts packaged with the real helm (`helm package`), indexed with
 * `helm repo index`, served over node:http with optional Basic auth.
 * @module
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join, normalize } from 'node:path';
import { parse } from 'yaml';
import { TestEnvError } from './errors.ts';
import { run } from './exec.ts';
import { makeTempDir, repoRoot, toolPath } from './paths.ts';
import type { Reaper } from './reaper.ts';
import { removeDir, startReaper } from './reaper.ts';

/** A chart served by a {@link ChartRepo}. */
export interface ServedChart {
  /** Chart name. */
  name: string;
  /** Chart version. */
  version: string;
  /** The packaged `.tgz` file. */
  file: string;
}

/** A running chart repository; see {@link startChartRepo}. */
export interface ChartRepo {
  /** `http://127.0.0.1:<port>` (the HelmRepository `url`). */
  url: string;
  /** `<url>/index.yaml`. */
  indexUrl: string;
  /** The charts served, in the order they were added. */
  charts: ServedChart[];
  /** Basic auth user, when auth is on. */
  username?: string;
  /** Basic auth password, when auth is on. */
  password?: string;
  /** Every request answered (method, url, status). */
  requests: { method: string; url: string; status: number }[];
  /**
   * Packages a chart directory (optionally overriding its version) and re-indexes.
   * @param chartDir - a chart directory with `Chart.yaml`.
   * @param version - a version to package it as (default: the one in Chart.yaml).
   */
  addChart(chartDir: string, version?: string): Promise<void>;
  /** Stops serving and removes the packages. Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startChartRepo}. */
export interface ChartRepoOptions {
  /** Chart directories to package (default: the podinfo fixture chart from `../shared/fixtures/charts/podinfo`). */
  charts?: string[];
  /** Require these Basic credentials. */
  auth?: { username: string; password: string };
}

/** The podinfo chart from the shared fixtures, if present. */
export function podinfoChartDir(): string | undefined {
  const candidates = [
    process.env.EDDY_FIXTURES ? join(process.env.EDDY_FIXTURES, 'charts', 'podinfo') : '',
    join(repoRoot(), '..', 'shared', 'fixtures', 'charts', 'podinfo'),
  ];
  return candidates.find((c) => c && existsSync(join(c, 'Chart.yaml')));
}

const CONTENT_TYPES: Record<string, string> = { '.yaml': 'application/x-yaml', '.tgz': 'application/gzip' };

class LocalChartRepo implements ChartRepo {
  url = '';
  readonly charts: ServedChart[] = [];
  readonly requests: { method: string; url: string; status: number }[] = [];
  server: Server | undefined;
  #stopping: Promise<void> | undefined;

  constructor(
    readonly dir: string,
    readonly reaper: Reaper,
    readonly auth?: { username: string; password: string },
  ) {}

  get username(): string | undefined {
    return this.auth?.username;
  }
  get password(): string | undefined {
    return this.auth?.password;
  }
  get indexUrl(): string {
    return `${this.url}/index.yaml`;
  }
  get served(): string {
    return join(this.dir, 'charts');
  }

  helmEnv(): NodeJS.ProcessEnv {
    return {
      HELM_CACHE_HOME: join(this.dir, 'helm', 'cache'),
      HELM_CONFIG_HOME: join(this.dir, 'helm', 'config'),
      HELM_DATA_HOME: join(this.dir, 'helm', 'data'),
    };
  }

  async addChart(chartDir: string, version?: string): Promise<void> {
    const chartFile = join(chartDir, 'Chart.yaml');
    if (!existsSync(chartFile)) throw new TestEnvError(`${chartDir} is not a chart: no Chart.yaml`);
    const meta = parse(readFileSync(chartFile, 'utf8')) as { name: string; version: string };
    const v = version ?? meta.version;
    const args = ['package', chartDir, '--destination', this.served, ...(version ? ['--version', version] : [])];
    await run(toolPath('helm'), args, { env: this.helmEnv() });
    await run(toolPath('helm'), ['repo', 'index', this.served, '--url', this.url], { env: this.helmEnv() });
    this.charts.push({ name: meta.name, version: v, file: join(this.served, `${meta.name}-${v}.tgz`) });
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const reply = (status: number, body: string | Buffer, headers: Record<string, string> = {}): void => {
      this.requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', status });
      res.writeHead(status, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (this.auth) {
      const expected = `Basic ${Buffer.from(`${this.auth.username}:${this.auth.password}`).toString('base64')}`;
      if (req.headers.authorization !== expected) {
        reply(401, 'authentication required\n', { 'WWW-Authenticate': 'Basic realm="eddy-charts"' });
        return;
      }
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      reply(405, 'method not allowed\n');
      return;
    }
    const rel = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^\/+/, '');
    const file = join(this.served, rel);
    if (!rel || rel.includes('..') || !file.startsWith(`${this.served}/`) || !existsSync(file)) {
      reply(404, 'not found\n');
      return;
    }
    const ext = rel.slice(rel.lastIndexOf('.'));
    reply(200, readFileSync(file), { 'Content-Type': CONTENT_TYPES[ext] ?? 'application/octet-stream' });
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      const server = this.server;
      if (server) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      removeDir(this.dir);
      await this.reaper.dismiss();
    })();
    return this.#stopping;
  }
}

/**
 * Starts a chart repository on 127.0.0.1 serving the given charts, packaged and indexed with the real helm.
 * @param opts - chart directories (default: podinfo from the fixtures), optional Basic auth.
 * @throws {@link ToolNotFoundError} naming `make tools` when helm is missing; {@link CommandError} when helm fails.
 */
export async function startChartRepo(opts: ChartRepoOptions = {}): Promise<ChartRepo> {
  const dir = makeTempDir('eddy-charts-');
  const reaper = startReaper(dir);
  const repo = new LocalChartRepo(dir, reaper, opts.auth);
  try {
    mkdirSync(repo.served, { recursive: true });
    const server = createServer((req, res) => repo.handle(req, res));
    repo.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    server.unref();
    const address = server.address();
    repo.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const podinfo = podinfoChartDir();
    const charts = opts.charts ?? (podinfo ? [podinfo] : []);
    for (const chart of charts) await repo.addChart(chart);
    if (charts.length === 0) {
      await run(toolPath('helm'), ['repo', 'index', repo.served, '--url', repo.url], { env: repo.helmEnv() });
    }
    return repo;
  } catch (err) {
    await repo.stop();
    throw err;
  }
}

