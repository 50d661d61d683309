// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HealthProbes } from './health.ts';

describe('HealthProbes', () => {
  it('answers 200 when every check passes and 500 with details when one fails', async () => {
    const p = new HealthProbes();
    let synced = false;
    p.addHealthzCheck('ping', () => true);
    p.addReadyzCheck('informers-synced', () => {
      if (!synced) throw new Error('informers not synced');
    });
    p.addReadyzCheck('async', async () => true);
    const s = (await p.serve('127.0.0.1:0'))!;
    try {
      const base = `http://${s.address}`;
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
      const notReady = await fetch(`${base}/readyz`);
      assert.equal(notReady.status, 500);
      assert.match(await notReady.text(), /\[-\]informers-synced failed: informers not synced/);
      synced = true;
      const ready = await fetch(`${base}/readyz?verbose`);
      assert.equal(ready.status, 200);
      assert.equal(await ready.text(), '[+]informers-synced ok\n[+]async ok\nreadyz check passed\n');
      assert.equal(await (await fetch(`${base}/readyz/async`)).text(), 'ok');
      assert.equal((await fetch(`${base}/readyz/missing`)).status, 404);
    } finally {
      await s.close();
    }
  });

  it('treats false as failure and rejects duplicate names', async () => {
    const p = new HealthProbes();
    p.addHealthzCheck('off', () => false);
    assert.deepEqual(await p.healthz.run(), [{ name: 'off', ok: false, reason: 'check returned false' }]);
    assert.throws(() => p.addHealthzCheck('off', () => true), /already registered/);
  });
});
