// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import { realClock } from '@eddy/runtime/clock';
import { HelmError } from './errors.ts';
import { execHelm } from './exec.ts';

// The exec layer is binary-agnostic; /bin/sh stands in for a helm call that hangs or ignores SIGTERM.
const base = { helmPath: '/bin/sh', env: { PATH: '/usr/bin:/bin' }, cwd: tmpdir(), clock: realClock };

/** Waits (without sleeping a fixed time) until the child wrote its marker file. */
async function started(marker: string): Promise<void> {
  while (!existsSync(marker)) await tick();
}

describe('execHelm', () => {
  it('returns stdout and classifies failures from stderr', async () => {
    assert.deepEqual(await execHelm(['-c', 'echo ok'], base), { stdout: 'ok\n', stderr: '' });
    await assert.rejects(execHelm(['-c', 'echo "Error: UPGRADE FAILED: context deadline exceeded" >&2; exit 1'], base), (e: unknown) =>
      HelmError.is(e) && e.kind === 'timeout' && e.message === 'context deadline exceeded' && e.exitCode === 1);
  });

  it('cancels with SIGTERM when the signal aborts', async () => {
    const marker = join(await mkdtemp(join(tmpdir(), 'exec-')), 'started');
    const ac = new AbortController();
    const p = execHelm(['-c', `touch ${marker}; exec sleep 30`], { ...base, signal: ac.signal });
    await started(marker);
    ac.abort();
    await assert.rejects(p, (e: unknown) => HelmError.is(e) && e.kind === 'canceled' && /SIGTERM/.test(e.message));
    await rm(join(marker, '..'), { recursive: true, force: true });
  });

  it('escalates to SIGKILL after the grace period', async () => {
    const marker = join(await mkdtemp(join(tmpdir(), 'exec-')), 'started');
    const ac = new AbortController();
    const p = execHelm(['-c', `trap "" TERM; touch ${marker}; while true; do sleep 0.1; done`], { ...base, signal: ac.signal, killGraceMs: 300 });
    await started(marker);
    ac.abort();
    await assert.rejects(p, (e: unknown) => HelmError.is(e) && e.kind === 'canceled' && /SIGKILL/.test(e.message));
    await rm(join(marker, '..'), { recursive: true, force: true });
  });

  it('refuses to start when already aborted and bounds stdout', async () => {
    await assert.rejects(execHelm(['-c', 'true'], { ...base, signal: AbortSignal.abort() }), /canceled before start/);
    await assert.rejects(execHelm(['-c', 'head -c 100000 /dev/zero'], { ...base, maxStdoutBytes: 1000 }), /output exceeded 1000 bytes/);
  });
});
