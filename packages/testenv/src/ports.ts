// SPDX-License-Identifier: Apache-2.0
/**
 * Free loopback ports for processes that must be told their port up front.
 * @module
 */
import { createServer } from 'node:net';
import { TestEnvError } from './errors.ts';

const handedOut = new Set<number>();

function listenZero(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released), as envtest does.
 * Ports handed out by this process are not handed out again, so several calls give distinct ports.
 * Another process may still take it before the caller binds it; callers that spawn a server retry on
 * "address already in use".
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await listenZero();
    if (port > 0 && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new TestEnvError('could not find a free port on 127.0.0.1 after 50 tries');
}

/**
 * Several distinct free ports.
 * @param count - how many.
 */
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await freePort());
  return ports;
}
