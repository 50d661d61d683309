// SPDX-License-Identifier: Apache-2.0
/**
 * Flux's remediation rules (`api/v2` `InstallRemediation`/`UpgradeRemediation` and the action
 * strategies): which configuration is active, how failures are counted and when retries are
 * exhausted.
 */
import type { HelmReleaseObject, RemediationSpec } from './types.ts';
import { statusOf } from './types.ts';

/** The active remediation, picked by `status.lastAttemptedReleaseAction`. */
export interface Remediation {
  action: 'install' | 'upgrade';
  retries: number;
  /** `rollback` or `uninstall`; installs always remediate by uninstalling. */
  strategy: 'rollback' | 'uninstall';
  mustIgnoreTestFailures(testIgnoreFailures: boolean): boolean;
  mustRemediateLastFailure(): boolean;
  failureCount(): number;
  incrementFailureCount(): void;
  retriesExhausted(): boolean;
}

function remediation(hr: HelmReleaseObject, action: 'install' | 'upgrade'): Remediation {
  const spec: RemediationSpec = hr.spec[action]?.remediation ?? {};
  const retries = spec.retries ?? 0;
  const field = action === 'install' ? 'installFailures' : 'upgradeFailures';
  const r: Remediation = {
    action,
    retries,
    strategy: action === 'install' ? 'uninstall' : (spec.strategy ?? 'rollback'),
    mustIgnoreTestFailures: (def) => spec.ignoreTestFailures ?? def,
    mustRemediateLastFailure: () => spec.remediateLastFailure ?? (action === 'upgrade' && retries > 0),
    failureCount: () => statusOf(hr)[field] ?? 0,
    incrementFailureCount: () => {
      const s = statusOf(hr);
      s[field] = (s[field] ?? 0) + 1;
    },
    retriesExhausted: () => retries >= 0 && r.failureCount() > retries,
  };
  return r;
}

/** `GetInstall().GetRemediation()`. */
export const installRemediation = (hr: HelmReleaseObject): Remediation => remediation(hr, 'install');
/** `GetUpgrade().GetRemediation()`. */
export const upgradeRemediation = (hr: HelmReleaseObject): Remediation => remediation(hr, 'upgrade');

/** `GetActiveRemediation()`: by the last attempted release action, or undefined before any. */
export function activeRemediation(hr: HelmReleaseObject): Remediation | undefined {
  const a = hr.status?.lastAttemptedReleaseAction;
  return a === 'install' || a === 'upgrade' ? remediation(hr, a) : undefined;
}

/** The strategy of an action: `RetryOnFailure` retries without remediating; the default remediates. */
export function strategyOf(hr: HelmReleaseObject, action: 'install' | 'upgrade'): { retry: boolean; retryIntervalMs: number } {
  const s = hr.spec[action]?.strategy;
  return { retry: s?.name === 'RetryOnFailure', retryIntervalMs: parseGoDuration(s?.retryInterval ?? '5m') };
}

/** `status.failures`, `installFailures`, `upgradeFailures` back to zero (removed, as Go's omitempty). */
export function clearFailures(hr: HelmReleaseObject): void {
  const s = statusOf(hr);
  delete s.failures;
  delete s.installFailures;
  delete s.upgradeFailures;
}

/** Increments `status.failures`. */
export function countFailure(hr: HelmReleaseObject): void {
  const s = statusOf(hr);
  s.failures = (s.failures ?? 0) + 1;
}

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a Go duration (`1h30m`, `5m0s`, `250ms`) into milliseconds. Throws on malformed input. */
export function parseGoDuration(d: string): number {
  if (d === '0') return 0;
  const re = /([0-9]*\.?[0-9]+)(ns|us|µs|ms|s|m|h)/gy;
  let ms = 0;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(d)) !== null) {
    ms += Number(m[1]) * UNITS[m[2]!]!;
    end = re.lastIndex;
  }
  if (end !== d.length || d.length === 0) throw new Error(`time: invalid duration "${d}"`);
  return ms;
}

/** Formats milliseconds as a Go duration string (`1m30s`, `2.5s`, `0s`). */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${+ms.toFixed(6)}ms`;
  let rest = ms;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = +(rest / 1000).toFixed(9);
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
}
