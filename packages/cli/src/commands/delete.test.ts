// SPDX-License-Identifier: Apache-2.0
/**
 * `eddy delete --timeout` against an apiserver that accepts connections and never answers (a fault
 * no real apiserver produces on demand): like `flux delete`, whose API calls run under
 * `context.WithTimeout(--timeout)`, the command fails with `context deadline exceeded` when the
 * timeout passes instead of hanging on the request. Time is a fake clock, so nothing sleeps.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '@eddy/runtime/clock';
import { run } from '../program.ts';

describe('eddy delete --timeout', () => {
  let server: net.Server;
  const sockets = new Set<net.Socket>();
  let dir = '';
  let kubeconfig = '';

  before(async () => {
    server = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    dir = mkdtempSync(join(tmpdir(), 'eddy-delete-'));
    kubeconfig = join(dir, 'kubeconfig');
    const port = (server.address() as AddressInfo).port;
    writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: silent\n  cluster:\n    server: http://127.0.0.1:${port}\n` +
        `users:\n- name: u\n  user:\n    token: t\ncontexts:\n- name: c\n  context:\n    cluster: silent\n    user: u\ncurrent-context: c\n`,
    );
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails with context deadline exceeded once --timeout passes, not before', async () => {
    const clock = new FakeClock();
    const err: string[] = [];
    let code: number | undefined;
    const done = run(['--kubeconfig', kubeconfig, '-n', 'apps', 'delete', 'ks', 'web', '--silent', '--timeout', '30s'], {
      out: () => undefined,
      err: (t) => err.push(t),
      clock,
      confirm: () => Promise.resolve(true),
    }).then((c) => (code = c));
    // The request reaches the silent peer and waits there.
    for (let i = 0; i < 200 && sockets.size === 0; i++) await new Promise((r) => setImmediate(r));
    assert.ok(sockets.size > 0, 'the CLI connected to the apiserver');
    await clock.advance(29_000);
    assert.equal(code, undefined, 'still waiting before the timeout');
    await clock.advance(1_000);
    await done;
    assert.equal(code, 1);
    assert.deepEqual(err, ['✗ context deadline exceeded']);
  });
});
