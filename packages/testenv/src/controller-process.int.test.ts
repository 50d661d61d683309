// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { useControlPlane } from './shared-control-plane.ts';
import { startControllerProcess } from './controller-process.ts';
import { pidAlive } from './process.ts';

describe('startControllerProcess', () => {
  it('runs the source-controller as a process until ready, serves metrics, and stops it without leftovers', async () => {
    const cp = await useControlPlane();
    const proc = await startControllerProcess({ controller: 'source-controller', kubeconfigPath: cp.kubeconfigPath });
    try {
      assert.ok(proc.running);
      assert.ok(proc.storageUrl?.startsWith('http://127.0.0.1:'));
      const metrics = await (await fetch(proc.metricsUrl)).text();
      assert.match(metrics, /controller_runtime_reconcile_total|workqueue_depth/);
    } finally {
      await proc.stop();
    }
    assert.equal(pidAlive(proc.pid), false);
    assert.equal(existsSync(proc.logFile), false);
  });

  it('fails with the log tail when the controller cannot start', async () => {
    const cp = await useControlPlane();
    await assert.rejects(
      startControllerProcess({ controller: 'source-controller', kubeconfigPath: cp.kubeconfigPath, args: ['--no-such-flag'] }),
      (err: Error) => /source-controller/.test(err.message) && /no-such-flag/.test(err.message),
    );
  });
});
