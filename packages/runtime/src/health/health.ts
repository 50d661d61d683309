// SPDX-License-Identifier: Apache-2.0
/**
 * Liveness and readiness probes, as controller-runtime serves them on `--health-addr`
 * (`:9440`): `GET /healthz` and `GET /readyz` run every registered check and answer 200 when all
 * pass, 500 otherwise; `/healthz/<name>` runs one check; `?verbose` lists each check. The manager
 * registers `ping` (liveness) and `informers-synced` (readiness), plus leader-election liveness.
 */
import { listen, type RunningServer } from '../metrics/server.ts';

/** A check: resolve (or return true) when healthy; throw (or return false) when not. */
export type Checker = () => void | boolean | Promise<void | boolean>;

/** The result of one check. */
export interface CheckResult {
  name: string;
  ok: boolean;
  reason?: string;
}

/** A named set of checks. */
export class CheckSet {
  private readonly checks = new Map<string, Checker>();

  /** Registers a check; names must be unique. */
  add(name: string, check: Checker): void {
    if (this.checks.has(name)) throw new Error(`health check "${name}" already registered`);
    this.checks.set(name, check);
  }

  /** Names of the registered checks. */
  names(): string[] {
    return [...this.checks.keys()];
  }

  /** Runs the checks (all, or only `name`). */
  async run(name?: string): Promise<CheckResult[]> {
    const entries = [...this.checks].filter(([n]) => name === undefined || n === name);
    return Promise.all(
      entries.map(async ([n, check]): Promise<CheckResult> => {
        try {
          const r = await check();
          return r === false ? { name: n, ok: false, reason: 'check returned false' } : { name: n, ok: true };
        } catch (err) {
          return { name: n, ok: false, reason: err instanceof Error ? err.message : String(err) };
        }
      }),
    );
  }
}

/** The liveness and readiness check sets of a process. */
export class HealthProbes {
  /** Liveness checks (`/healthz`). */
  readonly healthz = new CheckSet();
  /** Readiness checks (`/readyz`). */
  readonly readyz = new CheckSet();

  /** Registers a liveness check. */
  addHealthzCheck(name: string, check: Checker): void {
    this.healthz.add(name, check);
  }

  /** Registers a readiness check. */
  addReadyzCheck(name: string, check: Checker): void {
    this.readyz.add(name, check);
  }

  /** Serves `/healthz` and `/readyz` on `addr`; undefined when `addr` disables it (`0`). */
  serve(addr: string): Promise<RunningServer | undefined> {
    return listen(addr, async (_req, res, url) => {
      const m = /^\/(healthz|readyz)(?:\/([^/]+))?\/?$/.exec(url.pathname);
      if (!m) return false;
      const set = m[1] === 'healthz' ? this.healthz : this.readyz;
      const one = m[2];
      if (one !== undefined && !set.names().includes(one)) return false;
      const results = await set.run(one);
      const ok = results.every((r) => r.ok);
      const verbose = url.searchParams.has('verbose') || !ok;
      const lines = verbose
        ? results.map((r) => (r.ok ? `[+]${r.name} ok` : `[-]${r.name} failed: ${r.reason ?? 'unhealthy'}`)).join('\n') + '\n'
        : '';
      res.writeHead(ok ? 200 : 500, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      res.end(ok ? `${lines}${verbose ? `${m[1]} check passed\n` : 'ok'}` : `${lines}${m[1]} check failed\n`);
      return true;
    });
  }
}
