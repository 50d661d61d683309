// SPDX-License-Identifier: Apache-2.0
/**
 * The client must not load `@kubernetes/client-node` (~80 MiB) unless a kubeconfig needs an exec
 * plugin or auth provider. A module hook makes every import of it fail; the client must still
 * load and talk to a server, and only an exec user must run into the hook.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { register } from 'node:module';
import type { AddressInfo } from 'node:net';

const hook = `
export async function resolve(specifier, context, next) {
  if (specifier === '@kubernetes/client-node' || specifier.startsWith('@kubernetes/client-node/')) {
    throw new Error('client-node blocked by test');
  }
  return next(specifier, context);
}`;

describe('client-node is imported on demand only', () => {
  let server: http.Server;
  let url: string;

  before(async () => {
    register(`data:text/javascript,${encodeURIComponent(hook)}`);
    await assert.rejects(import('@kubernetes/client-node'), /blocked by test/);
    server = http.createServer((_req, res) => res.writeHead(200).end('{}'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const kubeconfig = async (user: Record<string, unknown>): Promise<unknown> => {
    const { LoadedKubeconfig } = await import('./kubeconfig.ts');
    return new LoadedKubeconfig({
      clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
      users: [{ name: 'u', ...user }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
  };

  it('loads the client and authenticates with a token without it', async () => {
    const { DynamicClient } = await import('./index.ts');
    const client = new DynamicClient({ kubeconfig: (await kubeconfig({ token: 't' })) as never });
    try {
      assert.equal((await client.transport.request({ method: 'GET', path: '/version' })).status, 200);
    } finally {
      client.close();
    }
  });

  it('imports it for an exec plugin', async () => {
    const { Transport } = await import('./transport.ts');
    const t = new Transport({ kubeconfig: (await kubeconfig({ exec: { command: 'never-run' } })) as never });
    try {
      await assert.rejects(t.request({ method: 'GET', path: '/version' }), /needs @kubernetes\/client-node .*blocked by test/);
    } finally {
      t.close();
    }
  });
});
