// SPDX-License-Identifier: Apache-2.0
/**
 * Process figures for benchmarks, read from `/proc` (Linux): peak resident memory (`VmHWM`),
 * CPU time (user + system), the processes of a local control plane found by their command line,
 * and the load average to record beside every figure on a shared machine.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename } from 'node:path';

const TICKS_PER_SECOND = 100;

/** Peak resident set size of `pid` in MiB (one decimal), 0 when it cannot be read. */
export function peakRssMiB(pid: number): number {
  try {
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    return Math.round((kb / 1024) * 10) / 10;
  } catch {
    return 0;
  }
}

/** User + system CPU seconds `pid` has used so far, 0 when it cannot be read. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command (which may contain spaces): state is field 3, utime 14, stime 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** CPU seconds of the children `pid` waited for (e.g. the kustomize processes a controller spawned). */
export function childCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[13]) + Number(rest[14])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/**
 * The pids of processes whose executable is named `name` and whose command line mentions
 * `needle` (e.g. the control plane's directory), so one of several control planes is told apart.
 */
export function findProcesses(name: string, needle: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (basename(argv[0] ?? '') === name && argv.some((a) => a.includes(needle))) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The 1-minute load average, two decimals. */
export function load1(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}

/** CPU seconds of several processes between {@link CpuMeter.start} and now. */
export class CpuMeter {
  private readonly base = new Map<string, number>();

  constructor(private readonly procs: Record<string, () => number>) {
    for (const [k, read] of Object.entries(procs)) this.base.set(k, read());
  }

  /** CPU seconds used since construction, per process name. */
  used(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, read] of Object.entries(this.procs)) out[k] = Math.round((read() - (this.base.get(k) ?? 0)) * 10) / 10;
    return out;
  }
}
